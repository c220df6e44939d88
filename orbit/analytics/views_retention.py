"""The retention and key-account share pages: thin views over `orbit.analytics.retention` and `shares`."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from orbit.analytics import retention, shares
from orbit.analytics.selectors import scope_choices
from orbit.common.charts import Chart, Series, month_label
from orbit.common.params import int_param


def _scope(params) -> dict:
    """?team= and ?manager= (ids; anything else is ignored, like an empty filter)."""
    return {"team": int_param(params.get("team")), "manager": int_param(params.get("manager"))}


def _percent(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _month(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def _heat(value: str | None, basis: str) -> str:
    """The cell's background: blue, deeper as retention nears 100 %; for NRR above 100 % green, deeper as it
    grows (to 200 %). Light enough for dark text at its deepest."""
    if value is None:
        return ""
    percent = Decimal(value)
    if basis == "nrr" and percent > 100:
        alpha = min(percent - 100, Decimal(100)) / 100 * Decimal("0.4") + Decimal("0.2")
        return f"background-color: rgba(31, 122, 77, {alpha:.2f})"
    alpha = max(min(percent, Decimal(100)), Decimal(0)) / 100 * Decimal("0.55")
    return f"background-color: rgba(47, 91, 211, {alpha:.2f})"


def _source(source: str, data: dict) -> dict:
    return {
        "source": source,
        "as_of": dt.date.fromisoformat(data["as_of"]),
        "last_month": _month(data["last_month"]),
    }


def _common(request, scope: dict) -> dict:
    # The dashboard's rule: the head every team and manager, a lead his teams and their people, a manager none.
    choices = scope_choices(request.user)
    return {"scope": scope, "teams": choices.teams, "managers": choices.managers}


def _basis_links(request) -> list[tuple[str, str, str]]:
    """The logo / NRR toggle: the same page with the other measure, the other choices kept."""
    links = []
    for code, label in (("logo", _("Logo retention")), ("nrr", _("Net revenue retention"))):
        params = request.GET.copy()
        params["basis"] = code
        links.append((code, label, f"{request.path}?{params.urlencode()}"))
    return links


@login_required
def retention_page(request):
    """The cohort triangle (logo retention or NRR), the average curve by month offset and the trailing-twelve-
    month figures by calendar month, over the accounts the reader sees."""
    basis = request.GET.get("basis") if request.GET.get("basis") in retention.BASES else "logo"
    count = int_param(request.GET.get("cohorts"))
    count = count if count in retention.COHORT_CHOICES else retention.DEFAULT_COHORTS
    scope = _scope(request.GET)
    data, source = retention.for_reader(request.user, **scope, today=timezone.localdate())
    figures = retention.present(data, count)
    rows = [
        {
            "month": _month(row["month"]),
            "accounts": row["accounts"],
            "revenue": Decimal(row["revenue"]),
            "cells": [
                {
                    "value": _percent(cell[basis]),
                    "accounts": cell["accounts"],
                    "revenue": Decimal(cell["revenue"]),
                    "style": _heat(cell[basis], basis),
                }
                for cell in row["cells"]
            ],
            "blank": range(len(figures["offsets"]) - len(row["cells"])),
        }
        for row in figures["cohorts"]
    ]
    curve = Chart(
        title=_("Average retention by months since the first purchase"),
        categories=[str(a["offset"]) for a in figures["average"]],
        series=[
            Series(_("Logo retention"), [_percent(a["logo"]) for a in figures["average"]], kind="line"),
            Series(_("Net revenue retention"), [_percent(a["nrr"]) for a in figures["average"]], kind="line"),
        ],
        unit="percent",
    )
    by_month = Chart(
        title=_("Retention by calendar month, trailing twelve months"),
        categories=[month_label(_month(m["month"])) for m in figures["months"]],
        series=[
            Series(_("Logo retention"), [_percent(m["logo"]) for m in figures["months"]], kind="line"),
            Series(_("Net revenue retention"), [_percent(m["nrr"]) for m in figures["months"]], kind="line"),
        ],
        unit="percent",
    )
    context = {
        "basis": basis,
        "basis_links": _basis_links(request),
        "cohorts": count,
        "cohort_choices": retention.COHORT_CHOICES,
        "figures": figures,
        "rows": rows,
        "curve": curve,
        "by_month": by_month,
        "offset_label": pgettext("retention", "Months since the first purchase"),
    }
    context |= _source(source, data) | _common(request, scope)
    return TemplateResponse(request, "analytics/retention.html", context)


@login_required
def shares_page(request):
    """The share of revenue from key accounts and from the top 20 % of accounts, month by month."""
    scope = _scope(request.GET)
    data, source = shares.for_reader(request.user, **scope, today=timezone.localdate())
    figures = shares.present(data)
    months = figures["months"]
    chart = Chart(
        title=_("Share of trailing-twelve-month revenue"),
        categories=[month_label(_month(m["month"])) for m in months],
        series=[
            Series(_("Key accounts"), [_percent(m["key_share"]) for m in months], kind="line"),
            Series(
                _("Top %(percent)s %% of clients") % {"percent": shares.TOP_PERCENT},
                [_percent(m["top_share"]) for m in months],
                kind="line",
            ),
        ],
        unit="percent",
    )
    table = [
        {
            "month": _month(m["month"]),
            "accounts": m["accounts"],
            "total": Decimal(m["total"]),
            "key_share": _percent(m["key_share"]),
            "key_accounts": m["key_accounts"],
            "top_share": _percent(m["top_share"]),
            "top_accounts": m["top_accounts"],
        }
        for m in reversed(months)
    ]
    context = {"figures": figures, "chart": chart, "table": table, "latest": table[0] if table else None}
    context |= _source(source, data) | _common(request, scope)
    return TemplateResponse(request, "analytics/shares.html", context)
