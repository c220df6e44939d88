"""The reactivation queue and the runs' segment changes for integrations and reports.

Reads go through `visible_to` (the selectors'); a case of an account the caller may not see answers 404 like a
missing id. Marking lost needs `can_work_account` (403 with the reason); a missing reason is a field error (422,
as everywhere in the API), a stale `version` 409, a case already closed otherwise 422; the same call twice (the
case lost with this reason already) answers 200 with the case unchanged.
"""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router

from orbit.analytics import reactivation
from orbit.analytics import selectors_changes as changes_selectors
from orbit.analytics import selectors_reactivation as selectors
from orbit.api.accounts import WRITE_ERRORS, _page
from orbit.api.analytics_reactivation_schemas import (
    CaseOut,
    CasePage,
    CaseQuery,
    ChangePage,
    ChangeQuery,
    LostIn,
)
from orbit.api.schemas import ErrorOut, Id

router = Router()

LIST = {401: ErrorOut, 422: ErrorOut}


@router.get("/analytics/reactivation", response={200: CasePage, **LIST}, tags=["analytics"])
def case_list(request, filters: Query[CaseQuery]):
    """The reactivation queue you may see: open cases by default, the longest-waiting first."""
    end = filters.end or timezone.localdate()
    start = filters.start or end - dt.timedelta(days=selectors.PERIOD_DAYS)
    chosen = selectors.QueueFilters(
        status=filters.status, manager=filters.manager, team=filters.team, start=min(start, end), end=end
    )
    return _page(selectors.queue(request.auth, chosen), filters.limit, filters.offset)


@router.post(
    "/analytics/reactivation/{case_id}/lost", response={200: CaseOut, **WRITE_ERRORS}, tags=["analytics"]
)
def case_mark_lost(request, case_id: Id, payload: LostIn):
    """Give a case up with the reason: the case closes as lost and the account becomes churned."""
    case = selectors.case_get(request.auth, case_id)
    if case is None:
        raise Http404
    reactivation.mark_lost(by=request.auth, case=case, reason=payload.reason, version=payload.version)
    return _case(request.auth, case.pk)


def _case(user, pk: int):
    """One case as the queue shows it (with the account's figures), read through the reader's scope."""
    found = selectors.queue(user, selectors.QueueFilters(status="all")).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def case_json(user, pk: int) -> dict:
    """The case as a 409 shows it: what it is now, for the writer to decide again."""
    return CaseOut.from_orm(_case(user, pk)).model_dump(mode="json", by_alias=False)


@router.get("/analytics/changes", response={200: ChangePage, **LIST}, tags=["analytics"])
def change_list(request, filters: Query[ChangeQuery]):
    """What the latest run (or every run since a day) found changed on the accounts you may see."""
    chosen = changes_selectors.ChangeFilters(
        run=filters.run, since=filters.since, kind=filters.kind, manager=filters.manager, team=filters.team
    )
    rows, _run = changes_selectors.changes(request.auth, chosen)
    page = _page(rows, filters.limit, filters.offset)
    for change in page["items"]:
        change.text = changes_selectors.describe(change.kind, change.old, change.new)
    return page
