"""Plans for integrations and reports: plan vs fact of a month (what the plans page shows) and setting a plan.

Reads show only the people and teams the caller may see (orbit.growth.plan_fact); a team or person he may not
see answers empty rows, like a filter that matches nothing. Setting a plan needs `permissions.can_set_plan`
(403 with the reason, before the figures are looked at); a person or team id that does not exist is 404; the
service's field errors come back as 422 and a stale `version` as 409 with the plan as it is now.
"""

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router

from orbit.api.accounts import WRITE_ERRORS
from orbit.api.growth_plans_schemas import PlanFactOut, PlanFactQuery, PlanIn, PlanOut
from orbit.api.schemas import ErrorOut
from orbit.growth import plan_fact, plans
from orbit.org.models import Team, User

router = Router()


def _figure(figure) -> dict:
    return {"plan": figure.plan, "fact": figure.fact, "percent": figure.percent, "gap": figure.gap}


def row_json(row) -> dict:
    return {
        "kind": row.kind,
        "id": row.pk,
        "name": row.name,
        "team": row.team_name,
        "plan_source": row.plan_source,
        "plan_version": row.plan_version,
        "invoiced": _figure(row.on_invoiced),
        "paid": _figure(row.on_paid),
        "margin": _figure(row.on_margin),
        "paid_margin": _figure(row.on_paid_margin),
        "expected": row.expected,
    }


@router.get("/growth/plan-fact", response={200: PlanFactOut, 401: ErrorOut, 422: ErrorOut}, tags=["plans"])
def plan_fact_read(request, filters: Query[PlanFactQuery]):
    """Plan vs fact of a month per person and team: revenue on invoiced and on paid, and margin."""
    today = timezone.localdate()
    month = filters.month or today.replace(day=1)
    figures = plan_fact.plan_fact(request.auth, month, today=today, team=filters.team, person=filters.person)
    return {
        "month": figures.month,
        "currency": figures.currency,
        "pace_percent": figures.pace_percent,
        "pace_basis": figures.pace_basis,
        "people": [row_json(r) for r in figures.people],
        "teams": [row_json(r) for r in figures.teams],
        "total": row_json(figures.total),
    }


@router.put("/growth/plans", response={200: PlanOut, **WRITE_ERRORS}, tags=["plans"])
def plan_put(request, payload: PlanIn):
    """Set the revenue and margin plan of a person or a team for a month (created, or changed at `version`)."""
    person = team = None
    if payload.user is not None:
        person = User.objects.filter(pk=payload.user).first()
        if person is None:
            raise Http404
    if payload.team is not None:
        team = Team.objects.filter(pk=payload.team).first()
        if team is None:
            raise Http404
    plan = plans.plan_set(
        by=request.auth,
        month=payload.month,
        revenue=payload.revenue,
        margin=payload.margin,
        user=person,
        team=team,
        version=payload.version,
    )
    return plan
