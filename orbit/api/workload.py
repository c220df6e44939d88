"""Workload for integrations and reports: per person demand vs capacity of a month, for the people the caller
may see (the head everyone, a lead his people, a manager himself) — like the Workload page."""

from django.utils import timezone
from ninja import Query, Router

from orbit.api.schemas import ErrorOut
from orbit.api.workload_schemas import WorkloadOut, WorkloadQuery
from orbit.workload import defaults, norms, selectors
from orbit.worktime.services import CalendarYearMissing

router = Router()


@router.get("/workload", response={200: WorkloadOut, 401: ErrorOut, 422: ErrorOut}, tags=["workload"])
def workload_read(request, filters: Query[WorkloadQuery]):
    """Demand, capacity and load of each account manager the caller may see, in a month."""
    month = filters.month or timezone.localdate().replace(day=1)
    try:
        found = selectors.rows(request.auth, month)
    except CalendarYearMissing as exc:
        return 422, {"detail": exc.messages[0], "errors": {"month": exc.messages}}
    return {
        "month": month,
        "norm_hours": norms.hours_by_tier(),
        "underload_percent": defaults.UNDERLOAD_PERCENT,
        "people": [
            {
                "id": r.person.pk,
                "name": str(r.person),
                "team": r.person.team.name if r.person.team else "",
                "accounts": {t: r.tiers.get(t, 0) for t in norms.TIERS},
                "demand_hours": r.demand,
                "capacity_hours": r.capacity.hours,
                "load_percent": r.load,
                "status": r.status,
            }
            for r in found
        ],
    }
