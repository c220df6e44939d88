"""The analytics dashboard, the accounts table with their figures, the RFM page and the card's panel: thin views
over `orbit.analytics.selectors` (the figures) that arrange them for the templates."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from orbit.accounts.selectors import account_get
from orbit.analytics import figures, selectors
from orbit.analytics.models import Basis, ChangeKind
from orbit.analytics.rfm import Segment, rfm_segments
from orbit.analytics.treatments import treatment_of
from orbit.common.charts import Chart, Series
from orbit.common.pagination import list_queries
from orbit.common.params import int_param
from orbit.org.models import Role
from orbit.revenue.rates import base_currency

ROWS = ("A", "B", "C")
COLUMNS = ("X", "Y", "Z", "")  # "" = too new for XYZ


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _scope_params(request) -> tuple[int | None, int | None]:
    return int_param(request.GET.get("team")), int_param(request.GET.get("manager"))


def _scope_query(team: int | None, manager: int | None) -> str:
    query = QueryDict(mutable=True)
    if team:
        query["team"] = str(team)
    if manager:
        query["manager"] = str(manager)
    return query.urlencode()


def _table_url(scope_query: str, **params) -> str:
    query = QueryDict(scope_query, mutable=True)
    for name, value in params.items():
        query[name] = value
    return f"{reverse('analytics:accounts')}?{query.urlencode()}"


def _may_run(user) -> bool:
    """Who may start and follow the computation (the runs page): the head and the administrators."""
    return user.is_superuser or user.has_role(Role.HEAD) or user.has_role(Role.ADMIN)


def _scope_context(request, team, manager) -> dict:
    choices = selectors.scope_choices(request.user)
    return {
        "choices": choices,
        "team": team,
        "manager": manager,
        "narrowed": bool(team or manager),
    }


def pareto_chart(scope: selectors.ScopeFigures) -> Chart | None:
    curve = scope.figures.get("pareto", {}).get("curve", [])
    if not curve:
        return None
    a, b = scope.thresholds
    return Chart(
        title=_("Pareto curve: the share of the total held by the top accounts"),
        categories=[f"{k} %" for k, _share in curve],
        series=[
            Series(_("Share of the total"), [Decimal(share) for _k, share in curve], kind="line"),
            Series(_("A up to"), [a] * len(curve), kind="line"),
            Series(_("B up to"), [b] * len(curve), kind="line"),
        ],
        unit="percent",
    )


def heatmap(cells: dict, scope_query: str) -> dict:
    """The ABC×XYZ table: rows A, B, C with the X, Y, Z and "too new" columns, and the D row; each cell its
    accounts, share of the total, a background intensity relative to the largest cell, its link and treatment."""
    top = max((Decimal(cell["share"]) for cell in cells.values()), default=Decimal(0)) or Decimal(1)

    def cell(code: str) -> dict:
        found = cells.get(code, {"accounts": 0, "total": "0", "share": "0.00"})
        share = Decimal(found["share"])
        return {
            "code": code,
            "label": code
            if len(code) == 2
            else (_("%(abc)s, too new") % {"abc": code} if code != "D" else "D"),
            "accounts": found["accounts"],
            "total": Decimal(found["total"]),
            "share": share,
            "heat": f"{max(share, Decimal(0)) / top:.2f}",
            "url": _table_url(scope_query, cell=code),
            "treatment": treatment_of(code),
        }

    return {
        "rows": [(abc, [cell(abc + xyz) for xyz in COLUMNS]) for abc in ROWS],
        "d": cell("D"),
    }


def segment_rows(segments: dict, scope_query: str) -> list[dict]:
    """Every segment in the grid's order of value, those without accounts too (the legend is complete)."""
    return [
        {
            "code": code,
            "label": label,
            "accounts": segments.get(code, {}).get("accounts", 0),
            "share": Decimal(segments.get(code, {}).get("share", "0")),
            "url": _table_url(scope_query, segment=code),
        }
        for code, label in Segment.choices
    ]


@login_required
def dashboard(request):
    team, manager = _scope_params(request)
    scope = selectors.scope_figures(request.user, team=team, manager=manager)
    scope_query = _scope_query(team, manager)
    found = scope.figures
    context = {
        "scope": scope,
        "basis_label": Basis(scope.basis).label,
        "currency": base_currency(),
        "may_run": _may_run(request.user),
        **_scope_context(request, team, manager),
    }
    if found:
        context |= {
            "chart": pareto_chart(scope),
            "heatmap": heatmap(found.get("cells", {}), scope_query),
            "segments": segment_rows(found.get("segments", {}), scope_query),
            "shares": {
                name: value if name == "key_accounts" else Decimal(value)
                for name, value in found.get("shares", {}).items()
            },
            "pareto": found.get("pareto", {}),
            "accounts_url": _table_url(scope_query),
            "rfm_url": f"{reverse('analytics:rfm')}?{scope_query}",
        }
    return TemplateResponse(request, "analytics/dashboard.html", context)


# The accounts table ----------------------------------------------------------------------------------------------

COLUMNS_SORTED = (
    ("name", _("Account")),
    ("revenue", _("Revenue in the window")),
    ("margin", _("Margin in the window")),
    ("last_purchase", _("Last purchase")),
    ("p_alive", _("p(alive)")),
    ("clv", _("Predicted LTV")),
    ("margin_to_date", _("Margin to date")),
)


def metrics_filters(params) -> selectors.MetricsFilters:
    abc = params.get("abc", "").upper()
    xyz = params.get("xyz", "")
    dormant = {"1": True, "0": False}.get(params.get("dormant", ""))
    fields = {
        "abc": abc if abc in figures.CLASSES else "",
        "xyz": xyz if xyz in ("X", "Y", "Z", selectors.TOO_NEW) else "",
        "segment": params.get("segment", "") if params.get("segment", "") in Segment.values else "",
        "dormant": dormant,
        "manager": int_param(params.get("manager")),
        "team": int_param(params.get("team")),
        "q": params.get("q", "").strip()[:100],
    }
    if params.get("cell"):
        return selectors.MetricsFilters.with_cell(params["cell"], **fields)
    return selectors.MetricsFilters(**fields)


def sort_columns(sort: str, sort_query: str) -> dict:
    """Per sortable column: its link (the same column again reverses it) and aria-sort."""
    columns = {}
    for key, label in COLUMNS_SORTED:
        ascending, descending = sort == key, sort == f"-{key}"
        target = f"-{key}" if ascending or (not descending and key != "name") else key
        columns[key] = {
            "label": label,
            "url": f"?{sort_query}{'&' if sort_query else ''}sort={target}",
            "aria": "ascending" if ascending else "descending" if descending else "",
        }
    return columns


@login_required
def accounts(request):
    filters = metrics_filters(request.GET)
    sort = request.GET.get("sort", "")
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    page = selectors.metrics_page(request.user, filters, sort, request.GET.get("page"))
    query, sort_query = list_queries(request.GET)
    context = {
        "page": page,
        "filters": filters,
        "sort": sort,
        "columns": sort_columns(sort, sort_query),
        "query": query,
        "run": selectors.latest_run(),
        "currency": base_currency(),
        "partial": _partial(request),
    }
    if context["partial"]:
        return TemplateResponse(request, "analytics/accounts_table.html", context)
    context |= {
        "choices": selectors.scope_choices(request.user),
        "classes": figures.CLASSES,
        "segments": Segment.choices,
        "too_new": selectors.TOO_NEW,
    }
    return TemplateResponse(request, "analytics/accounts.html", context)


# RFM -------------------------------------------------------------------------------------------------------------


def rfm_table(grid: dict[tuple[int, int], int], scope_query: str) -> list[tuple[int, list[dict]]]:
    """Rows R 5 … 1, columns F 1 … 5: each cell its count and the segment its scores map to."""
    labels = dict(Segment.choices)
    rows = []
    for r in range(5, 0, -1):
        cells = []
        for f in range(1, 6):
            code = str(rfm_segments([r], [f])[0])
            cells.append(
                {
                    "r": r,
                    "f": f,
                    "count": grid.get((r, f), 0),
                    "segment": code,
                    "label": labels[code],
                    "url": _table_url(scope_query, segment=code),
                }
            )
        rows.append((r, cells))
    return rows


@login_required
def rfm(request):
    team, manager = _scope_params(request)
    scope = selectors.scope_figures(request.user, team=team, manager=manager)
    scope_query = _scope_query(team, manager)
    context = {
        "scope": scope,
        "basis_label": Basis(scope.basis).label,
        "may_run": _may_run(request.user),
        **_scope_context(request, team, manager),
    }
    if scope.run:
        context |= {
            "grid": rfm_table(
                selectors.rfm_grid(request.user, team=team, manager=manager, run=scope.run), scope_query
            ),
            "segments": segment_rows(scope.figures.get("segments", {}), scope_query),
        }
    return TemplateResponse(request, "analytics/rfm.html", context)


# The account card's panel ----------------------------------------------------------------------------------------


def _change_value(kind: str, value: str):
    if kind == ChangeKind.RFM:
        return dict(Segment.choices).get(value, value)
    if kind in (ChangeKind.DORMANT, ChangeKind.AWAKE):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if kind == ChangeKind.LTV_DROP:
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def change_rows(changes) -> list[dict]:
    return [
        {
            "on": change.on,
            "kind": change.kind,
            "label": change.get_kind_display(),
            "old": _change_value(change.kind, change.old),
            "new": _change_value(change.kind, change.new),
        }
        for change in changes
    ]


@login_required
def account_panel(request, pk: int):
    account = account_get(request.user, pk)  # 404 unless he sees it
    found = selectors.account_figures(request.user, account)
    metrics = found.metrics
    context = {
        "account": account,
        "metrics": metrics,
        "currency": base_currency(),
        "changes": change_rows(found.changes),
        "cell": f"{metrics.abc}{metrics.xyz}" if metrics and metrics.abc else "",
        "treatment": treatment_of(f"{metrics.abc}{metrics.xyz}") if metrics and metrics.abc else None,
    }
    return render(request, "analytics/_account_panel.html", context)
