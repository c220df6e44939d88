"""The managers' KPI pages: thin views over `orbit.kpi.portfolio`, `drilldown` and `ranking`.

Who sees: the head (and admins, auditors) everyone; a team lead his teams and their people; a manager himself.
A person the reader may not see is 404 by every door (page, drill-down, chart data, API).
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.common import idempotency
from orbit.common.charts import Chart, Series, month_label
from orbit.common.params import int_param
from orbit.growth.plan_fact import may_see_person
from orbit.growth.sale_kinds import SaleKind
from orbit.kpi import drilldown, periods, ranking
from orbit.kpi.models import PublishedRanking
from orbit.kpi.portfolio import KIND_COLUMNS, ZERO, Kpi, KpiPage, kpi_page
from orbit.org.models import User

PAGE_SIZE = 50
DRILL_PAGE_SIZE = 25


def kind_labels() -> dict[str, str]:
    return {
        "new": _("New business"),
        "upsell": _("Upsell and cross-sell"),
        "renewal": _("Renewal"),
        "project": _("Project"),
        "reactivation": _("Reactivation"),
        "repeat": _("Repeat business"),
    }


def _period(request) -> periods.Period:
    found = periods.parse(request.GET.get("period"), timezone.localdate())
    if found is None:
        messages.error(request, _("Choose a month (2026-11), a quarter (2026-Q4) or a year (2026)."))
        found = periods.of(periods.MONTH, timezone.localdate())
    return found


def _period_links(period: periods.Period) -> dict:
    today = timezone.localdate()
    return {
        "period": period,
        "previous": period.previous().code,
        "next": period.next().code,
        "choices": [
            (periods.of(periods.MONTH, today).code, _("This month")),
            (periods.of(periods.MONTH, today).previous().code, _("Last month")),
            (periods.of(periods.QUARTER, today).code, _("This quarter")),
            (periods.of(periods.YEAR, today).code, _("This year")),
        ],
    }


def plan_chart(page: KpiPage, rows: list[Kpi], title: str) -> Chart:
    """Plan vs fact by month over `rows` (their sums): the plan is the period's plan spread evenly."""
    months = page.period.months
    planned = [r.plan_revenue for r in rows if r.plan_revenue is not None]
    per_month = (sum(planned, Decimal(0)) / len(months)).quantize(Decimal("0.01")) if planned else None
    invoiced = [sum((r.months.get(m, [ZERO, ZERO])[0] for r in rows), ZERO) for m in months]
    paid = [sum((r.months.get(m, [ZERO, ZERO])[1] for r in rows), ZERO) for m in months]
    return Chart(
        title=title,
        categories=[month_label(m) for m in months],
        series=[
            Series(_("Plan"), [per_month for _m in months], kind="line"),
            Series(_("Invoiced"), invoiced),
            Series(_("Paid"), paid),
        ],
        currency=page.currency,
    )


def per_hour_chart(page: KpiPage, rows: list[Kpi]) -> Chart:
    """Margin per hour of each person with his peers' band (p25–p75) and median."""
    return Chart(
        title=_("Margin per hour and the peers' band"),
        categories=[r.name for r in rows],
        series=[
            Series(_("Margin per hour"), [r.margin_per_hour for r in rows]),
            Series(_("Peers' 25th percentile"), [_q(r, "p25") for r in rows], kind="line"),
            Series(_("Peers' median"), [_q(r, "median") for r in rows], kind="line"),
            Series(_("Peers' 75th percentile"), [_q(r, "p75") for r in rows], kind="line"),
        ],
        currency=page.currency,
    )


def _q(row: Kpi, name: str):
    stat = row.peer_margin_per_hour
    value = getattr(stat, name) if stat else None
    return None if value is None else value.quantize(Decimal("0.01"))


def kinds_chart(page: KpiPage, rows: list[Kpi]) -> Chart:
    labels = kind_labels()
    return Chart(
        title=_("Revenue by kind of sale"),
        categories=[r.name for r in rows],
        series=[Series(labels[k], [r.by_kind.get(k) for r in rows], stack="kinds") for k in KIND_COLUMNS],
        currency=page.currency,
    )


@login_required
def kpi_list(request):
    """The KPI table of the people and teams the reader sees; a manager who sees only himself gets his page."""
    period = _period(request)
    team = int_param(request.GET.get("team"))
    page = kpi_page(request.user, period, team=team, stored=True)
    if len(page.people) == 1 and not page.teams and team is None:
        return _person_page(request, page, page.people[0])
    people = Paginator(page.people, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(people.object_list)
    context = {
        "page": page,
        "people": people,
        "team": team,
        "teams": page.teams,
        "query": f"period={period.code}" + (f"&team={team}" if team else ""),
        "kinds": [(k, kind_labels()[k]) for k in KIND_COLUMNS],
        "plan_chart": plan_chart(page, page.people, _("Plan vs fact by month")) if page.people else None,
        "hour_chart": per_hour_chart(page, shown) if shown else None,
        "kind_chart": kinds_chart(page, page.teams or shown) if shown else None,
        **_period_links(period),
    }
    return TemplateResponse(request, "kpi/list.html", context)


def _person_page(request, page: KpiPage, row: Kpi):
    labels = kind_labels()
    context = {
        "page": page,
        "row": row,
        "kinds": [(k, labels[k], row.by_kind.get(k)) for k in KIND_COLUMNS],
        "plan_chart": plan_chart(page, [row], _("Plan vs fact by month")),
        "hour_chart": per_hour_chart(page, [row]),
        "kind_chart": kinds_chart(page, [row]),
        "wallet": row.share_of_wallet(page.month_count),
        "prorated_budget": row.prorated_budget(page.month_count),
        "own": row.pk == request.user.pk,
        "drills": drilldown.DRILLS,
        "query": f"period={page.period.code}",
        **_period_links(page.period),
    }
    return TemplateResponse(request, "kpi/person.html", context)


def _visible_person(user, pk: int) -> None:
    if not may_see_person(user, pk) or not User.objects.filter(pk=pk).exists():
        raise Http404


@login_required
def person(request, pk: int):
    """One person's KPI page, with the peers' comparison and the way to every figure's rows."""
    _visible_person(request.user, pk)
    period = _period(request)
    page = kpi_page(request.user, period, person=pk, stored=True)
    if not page.people:
        raise Http404
    return _person_page(request, page, page.people[0])


@login_required
def drill(request, pk: int, code: str):
    """The rows behind one figure of one person, paginated."""
    _visible_person(request.user, pk)
    found = drilldown.DRILLS.get(code)
    if found is None:
        raise Http404
    period = _period(request)
    rows = found.rows(pk, period)
    page = Paginator(rows, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    if code == "invoices":
        for invoice in page.object_list:
            invoice.sale_kind_label = SaleKind(invoice.sale_kind).label
    context = {
        "drill": found,
        "person": User.objects.get(pk=pk),
        "rows": page,
        "page": page,
        "query": f"period={period.code}",
        "kind_labels": kind_labels(),
        **_period_links(period),
    }
    return TemplateResponse(request, f"kpi/drill_{code}.html", context)


@login_required
def ranking_page(request):
    """The contest ranking: the published one for everyone; the live one for the head and the leads."""
    period = _period(request)
    published = ranking.published(period)
    live = ranking.live(request.user, period) if ranking.may_see_live(request.user) else None
    context = {
        "published": published,
        "live": live,
        "may_publish": ranking.may_publish(request.user),
        "query": f"period={period.code}",
        **_period_links(period),
    }
    return TemplateResponse(request, "kpi/ranking.html", context)


@login_required
@require_POST
def ranking_publish(request):
    if not ranking.may_publish(request.user):
        raise PermissionDenied
    period = periods.parse(request.POST.get("period"), timezone.localdate())
    if period is None:
        return HttpResponse(_("Choose a month (2026-11), a quarter (2026-Q4) or a year (2026)."), status=400)
    idempotency.once(
        user=request.user,
        key=idempotency.key_of(request),
        scope="kpi.ranking_publish",
        model=PublishedRanking,
        write=lambda: ranking.publish(by=request.user, period=period, note=request.POST.get("note", "")),
    )
    messages.success(request, _("The ranking of %(period)s is published.") % {"period": period.label})
    return redirect(f"{request.path.rsplit('publish/', 1)[0]}?period={period.code}")
