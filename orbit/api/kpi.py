"""The managers' KPIs for integrations and reports (docs/managers-kpi.md): what the KPI page shows.

People-scoped like the page: the head everyone, a lead his teams and their people, a manager himself. A person
the caller may not see (or who does not exist) is 404; a period that names none is 422 at its field.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from orbit.api.schemas import ErrorOut, Id
from orbit.growth.plan_fact import may_see_person
from orbit.kpi import periods
from orbit.kpi.portfolio import KIND_COLUMNS, Kpi, kpi_page
from orbit.org.models import User

router = Router()


class KpiQuery(Schema):
    period: str | None = Field(None, description="2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year).")
    person: Id | None = Field(None, description="Only this person (404 when you may not see him).")
    team: Id | None = Field(None, description="Only this team's tree.")


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _stat(stat) -> dict | None:
    if stat is None:
        return None
    return {"median": _s(stat.median), "p25": _s(stat.p25), "p75": _s(stat.p75), "count": stat.count}


def row_json(row: Kpi) -> dict:
    data = {
        "kind": row.kind,
        "id": row.pk,
        "name": row.name,
        "plan_revenue": _s(row.plan_revenue),
        "plan_margin": _s(row.plan_margin),
        "invoiced": _s(row.invoiced),
        "paid": _s(row.paid),
        "margin": _s(row.margin),
        "paid_margin": _s(row.paid_margin),
        "percent_of_plan_paid": _s(row.on_paid.percent),
        "percent_of_plan_invoiced": _s(row.on_invoiced.percent),
        "hours": _s(row.hours),
        "margin_per_hour": _s(row.margin_per_hour),  # null: no hours logged
        "revenue_by_kind": {k: _s(row.by_kind.get(k)) for k in KIND_COLUMNS},
        "logo_retention": _s(row.retention.percent),
        "nrr": _s(row.nrr),
        "ltv": _s(row.ltv),
        "sla_resolution": _s(row.sla_resolution.percent),
        "sla_first_response": _s(row.sla_first_response.percent),
        "cadence": _s(row.cadence.percent),
        "reactivations_won": row.reactivated,
        "accounts": row.accounts,
        "share_of_wallet": _s(row.wallet_percent),
        "accounts_without_budget": row.accounts_without_budget,
        "nps": None,  # comes with key-account management
        "health": None,
    }
    if row.kind == "person":
        data |= {
            "team": row.team_name,
            "peers": {
                "fallback": row.fallback,
                "count": row.peer_count,
                "margin_per_hour": _stat(row.peer_margin_per_hour),
                "revenue": _stat(row.peer_revenue),
                "margin_per_hour_vs_median": _s(row.margin_vs_peers()),
            },
        }
    return data


@router.get("/kpi", response={200: dict, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}, tags=["managers"])
def kpi_read(request, filters: Query[KpiQuery]):
    """KPI figures per person and team for a period, with the peers' median and band."""
    period = periods.parse(filters.period, timezone.localdate())
    if period is None:
        raise ValidationError(
            {"period": _("Choose a month (2026-11), a quarter (2026-Q4) or a year (2026).")}
        )
    if filters.person is not None and (
        not may_see_person(request.auth, filters.person)
        or not User.objects.filter(pk=filters.person).exists()
    ):
        raise Http404
    page = kpi_page(request.auth, period, person=filters.person, team=filters.team, stored=True)
    return {
        "period": period.code,
        "start": period.start.isoformat(),
        "end": period.last_day.isoformat(),
        "currency": page.currency,
        "ltv_computed": page.ltv_computed,
        "computed_at": page.computed_at.isoformat() if page.computed_at else None,
        "retention_month": page.retention_month.isoformat(),
        "people": [row_json(r) for r in page.people],
        "teams": [row_json(r) for r in page.teams],
    }
