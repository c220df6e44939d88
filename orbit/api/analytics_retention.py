"""Retention by cohort and the key-account share over time, for reports and integrations.

The figures are over the accounts the caller sees (as on the pages): whoever sees every account, not narrowed,
reads the latest computation's department figures; everyone else gets his figures computed now. `team` and
`manager` narrow within what he sees; one he may not see answers empty figures, like a filter matching nothing.
"""

from django.utils import timezone
from ninja import Query, Router

from orbit.analytics import retention, shares
from orbit.api.analytics_retention_schemas import RetentionOut, RetentionQuery, ScopeQuery, SharesOut
from orbit.api.schemas import ErrorOut

router = Router()

READ = {401: ErrorOut, 422: ErrorOut}


@router.get("/analytics/retention", response={200: RetentionOut, **READ}, tags=["analytics"])
def retention_read(request, filters: Query[RetentionQuery]):
    """Logo retention or NRR per cohort and month offset, the average curve, and the calendar months' trailing-
    twelve-month logo retention and NRR."""
    data, source = retention.for_reader(
        request.auth, team=filters.team, manager=filters.manager, today=timezone.localdate()
    )
    figures = retention.present(data, filters.cohorts)
    return {
        "as_of": figures["as_of"],
        "last_month": figures["last_month"],
        "source": source,
        "basis": filters.basis,
        "cohorts": [
            row | {"cells": [cell | {"value": cell[filters.basis]} for cell in row["cells"]]}
            for row in figures["cohorts"]
        ],
        "average": figures["average"],
        "months": figures["months"],
    }


@router.get("/analytics/shares", response={200: SharesOut, **READ}, tags=["analytics"])
def shares_read(request, filters: Query[ScopeQuery]):
    """Per month of the last 24: the share of the trailing-twelve-month revenue from key accounts and from the
    top 20 % of accounts."""
    data, source = shares.for_reader(
        request.auth, team=filters.team, manager=filters.manager, today=timezone.localdate()
    )
    figures = shares.present(data)
    return {
        "as_of": figures["as_of"],
        "last_month": figures["last_month"],
        "source": source,
        "months": figures["months"],
    }
