"""Whitespace pages: thin views over `orbit.growth.whitespace` (reads and the one-click opportunity)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.accounts.models import Segment, Tier
from orbit.accounts.selectors import account_get, manager_choices
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.params import int_param
from orbit.common.refusal import refused
from orbit.growth import whitespace as ws
from orbit.growth.permissions import can_sell
from orbit.org.models import Team
from orbit.revenue.models import ProductLine


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _filters(params, lines: list[ProductLine]) -> ws.WhitespaceFilters:
    months = int_param(params.get("months"))
    tier = params.get("tier", "")
    gaps_in = int_param(params.get("gaps_in"))
    return ws.WhitespaceFilters(
        months=months if months in ws.WINDOW_CHOICES else ws.WINDOW_MONTHS,
        segment=int_param(params.get("segment")),
        tier=tier if tier in Tier.values else "",
        manager=int_param(params.get("manager")),
        team=int_param(params.get("team")),
        gaps_in=gaps_in if gaps_in in {line.pk for line in lines} else None,
        q=params.get("q", "").strip()[:100],
    )


def _cell_context(account, cell, *, may_sell: bool, open_url: str = "") -> dict:
    return {
        "account": account,
        "cell": cell,
        "can_sell": may_sell,
        "open_url": open_url or reverse("growth:whitespace_open", args=[account.pk]),
        "opportunity_url": reverse("growth:opportunity", args=[cell.opportunity_id])
        if cell.opportunity_id
        else "",
    }


def _row_cells(user, row) -> list[dict]:
    # Once a row, not once a cell: the policy's answer and the action's URL are the account's, not the line's.
    may_sell = can_sell(user, row.account)
    open_url = reverse("growth:whitespace_open", args=[row.account.pk])
    return [_cell_context(row.account, cell, may_sell=may_sell, open_url=open_url) for cell in row.cells]


@login_required
def whitespace(request):
    """Accounts × product lines: what each account buys in the window and what it does not buy yet."""
    lines = ws.product_lines()
    filters = _filters(request.GET, lines)
    today = timezone.localdate()
    window = ws.window_of(today, filters.months)
    accounts = ws.whitespace_accounts(request.user, filters, today=today)
    page = CappedPaginator(accounts, settings.ORBIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = ws.whitespace_rows(request.user, list(page.object_list), lines, window)
    query, _sort_query = list_queries(request.GET)
    context = {
        "page": page,
        "rows": [(row, _row_cells(request.user, row)) for row in rows],
        "lines": lines,
        "csrf": get_token(request),  # once for the page's many one-button forms
        "filters": filters,
        "window": window,
        "query": query,
        "filtered": any(
            (filters.segment, filters.tier, filters.manager, filters.team, filters.gaps_in, filters.q)
        ),
    }
    if _partial(request):
        return TemplateResponse(request, "growth/whitespace/_matrix.html", context)
    context |= {
        "managers": manager_choices().values_list("id", "display_name"),
        "teams": Team.objects.order_by("name").values_list("id", "name"),
        "segments": Segment.objects.all(),
        "tiers": Tier.choices,
        "windows": ws.WINDOW_CHOICES,
        "default_months": ws.WINDOW_MONTHS,
    }
    return TemplateResponse(request, "growth/whitespace/page.html", context)


@login_required
@require_POST
def open_gap(request, pk: int):
    """One click on a gap: an opportunity for that account and line (or the open one already there). htmx gets
    the cell back — "opportunity open" with its link, or the refusal's reason with a 4xx; a plain form post is
    sent to the opportunity, or gets the refusal page."""
    account = account_get(request.user, pk)  # 404 unless he sees it
    line = ProductLine.objects.filter(pk=int_param(request.POST.get("line"))).first()
    back = reverse("growth:whitespace")
    if line is None:
        return _refusal(request, account, None, [_("Choose a product line.")], 400, back)
    try:
        opportunity, _created = ws.open_gap_opportunity(by=request.user, account=account, product_line=line)
    except PermissionDenied as exc:
        return _refusal(request, account, line, [str(exc) or _("You may not do this.")], 403, back)
    except ValidationError as exc:
        return _refusal(request, account, line, exc.messages, 400, back)
    url = reverse("growth:opportunity", args=[opportunity.pk])
    if not _partial(request):
        return redirect(url)
    cell = ws.Cell(line=line, net=None, opportunity_id=opportunity.pk)
    context = _cell_context(account, cell, may_sell=can_sell(request.user, account)) | {
        "csrf": get_token(request)
    }
    return render(request, "growth/whitespace/_cell.html", context)


def _refusal(request, account, line, reasons: list[str], status: int, back: str):
    if not _partial(request) or line is None:
        response = refused(request, reasons, back_url=back)
        response.status_code = status
        return response
    cell = ws.Cell(line=line, net=None)
    context = _cell_context(account, cell, may_sell=can_sell(request.user, account)) | {
        "errors": reasons,
        "csrf": get_token(request),
    }
    return render(request, "growth/whitespace/_cell.html", context, status=status)
