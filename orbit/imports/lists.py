"""The lists that can be taken out, each with its columns. A list is read by its own selector with the filters
and sort of its page, so an export holds exactly the rows the user sees there, through the visibility model."""

from django.utils.translation import gettext_lazy as _

from orbit.accounts import selectors as account_selectors
from orbit.imports.exporting import Column
from orbit.imports.mapping import ACCOUNT_FIELDS
from orbit.requests import selectors as request_selectors

_LABEL = {f.key: f.label for f in ACCOUNT_FIELDS}

# Headers the account import recognises (its fields' labels), so an export imports back into an empty base.
ACCOUNT_COLUMNS = [
    Column(_LABEL["legal_name"], lambda a: a.legal_name),
    Column(_LABEL["short_name"], lambda a: a.short_name),
    Column(_LABEL["inn"], lambda a: a.inn),
    Column(_LABEL["kpp"], lambda a: a.kpp),
    Column(_LABEL["status"], lambda a: a.get_status_display()),
    Column(_LABEL["tier"], lambda a: a.get_tier_display()),
    Column(_LABEL["owner"], lambda a: a.responsible_manager.display_name if a.responsible_manager else ""),
    Column(_LABEL["parent_inn"], lambda a: a.parent.inn if a.parent else ""),
    Column(_LABEL["agreed_budget"], lambda a: a.agreed_budget),
    Column(_("currency"), lambda a: a.budget_currency),
    Column(_("segment"), lambda a: str(a.segment) if a.segment else ""),
    Column(_("region"), lambda a: str(a.region) if a.region else ""),
    Column(_("industry"), lambda a: str(a.industry) if a.industry else ""),
]


def accounts(user, filters):
    # iterator(): a million rows are fetched in chunks, never held at once.
    rows = account_selectors.account_list(user, filters).select_related("parent")
    return rows.iterator(chunk_size=2000)


REQUEST_COLUMNS = [
    Column(_("number"), lambda r: r.pk),
    Column(_("received"), lambda r: r.received_at),
    Column(_("account"), lambda r: r.account.display_name),
    Column(_("INN"), lambda r: r.account.inn),
    Column(_("subject"), lambda r: r.subject),
    Column(_("type"), lambda r: r.get_request_type_display()),
    Column(_("priority"), lambda r: r.get_priority_display()),
    Column(_("department"), lambda r: str(r.department)),
    Column(_("status"), lambda r: r.get_status_display()),
    Column(_("account manager"), lambda r: str(r.manager)),
    Column(_("executor"), lambda r: str(r.assignee) if r.assignee_id else ""),
    Column(_("first response due"), lambda r: r.first_response_due),
    Column(_("first response"), lambda r: r.first_responded_at),
    Column(_("resolution due"), lambda r: r.resolution_due),
    Column(_("resolved"), lambda r: r.resolved_at),
]


def requests(user, filters):
    return request_selectors.request_list(user, filters).iterator(chunk_size=2000)
