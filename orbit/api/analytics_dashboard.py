"""Client analytics for integrations and reports: the figures of the caller's scope (what the dashboard shows),
the accounts with their stored figures (the accounts table: filters, sort, pagination) and one account's figures
with its segment history.

As everywhere in the API, the reads go through `visible_to`: a manager's figures are over his own portfolio, a
narrowing to a team or a manager is intersected with what the caller sees (an unknown or foreign one answers
empty figures, like a filter that matches nothing), and an account the caller may not see answers 404.
"""

from ninja import Query, Router

from orbit.accounts.selectors import account_get
from orbit.analytics import selectors
from orbit.api.accounts import _page
from orbit.api.analytics_dashboard_schemas import (
    AccountFiguresOut,
    FiguresOut,
    MetricsPage,
    MetricsQuery,
    ScopeQuery,
)
from orbit.api.schemas import ErrorOut, Id

router = Router()

READ = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LIST = {401: ErrorOut, 422: ErrorOut}


@router.get("/analytics/figures", response={200: FiguresOut, **LIST}, tags=["analytics"])
def figures_read(request, scope: Query[ScopeQuery]):
    """Pareto, ABC×XYZ cells, RFM segments and the key-account and top-20 % shares of the accounts you see."""
    found = selectors.scope_figures(request.auth, team=scope.team, manager=scope.manager)
    figures = found.figures
    return {
        "as_of": found.as_of,
        "window_months": found.window_months,
        "basis": found.basis,
        "abc_a": found.thresholds[0],
        "abc_b": found.thresholds[1],
        "whole_department": found.from_summary,
        "accounts": figures.get("accounts", 0),
        "pareto": figures.get("pareto"),
        "cells": figures.get("cells", {}),
        "segments": figures.get("segments", {}),
        "shares": figures.get("shares"),
    }


@router.get("/analytics/accounts", response={200: MetricsPage, **LIST}, tags=["analytics"])
def accounts_list(request, filters: Query[MetricsQuery]):
    """Accounts you may see with their figures from the last computation, filtered, sorted and paginated."""
    fields = {
        "abc": filters.abc or "",
        "xyz": filters.xyz or "",
        "segment": filters.segment or "",
        "dormant": filters.dormant,
        "manager": filters.manager,
        "team": filters.team,
        "q": filters.q.strip(),
    }
    chosen = (
        selectors.MetricsFilters.with_cell(filters.cell, **fields)
        if filters.cell
        else selectors.MetricsFilters(**fields)
    )
    return _page(selectors.metrics_list(request.auth, chosen, filters.sort), filters.limit, filters.offset)


@router.get("/analytics/accounts/{account_id}", response={200: AccountFiguresOut, **READ}, tags=["analytics"])
def account_read(request, account_id: Id):
    """One account's figures and its last segment changes (404 for an account you may not see)."""
    account = account_get(request.auth, account_id)
    found = selectors.account_figures(request.auth, account)
    if found.metrics is not None:
        found.metrics.account = account  # the manager comes with the account already read
    return {"account": account, "metrics": found.metrics, "changes": found.changes}
