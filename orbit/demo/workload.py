"""Demo data of the workload page: one account manager visibly overloaded and one underloaded this month,
and a hybrid hunter-farmer with his own hunting share, so the page, its chart and a rebalancing proposal have
something to show. Capacities are set from the demo's own demand (the norms from its logged history)."""

import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.core.cache import cache

from orbit.org.models import Role, User
from orbit.workload.capacity import capacity_hours, is_hybrid
from orbit.workload.demand import demand_hours
from orbit.workload.models import PersonSetting
from orbit.workload.services import MAX_CAPACITY_HOURS

OVERLOAD = Decimal("1.25")  # the overloaded manager's load: 125 %
UNDERLOAD = Decimal("0.45")  # the underloaded one's: 45 %


def write_workload(today: dt.date) -> dict[str, int]:
    cache.clear()  # the norms are read from the history just written
    month = today.replace(day=1)
    people = list(
        User.objects.filter(is_active=True, roles__role__in=[Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER])
        .prefetch_related("roles")
        .distinct()
        .order_by("pk")
    )
    head = User.objects.filter(roles__role=Role.HEAD).order_by("pk").first()
    hybrids = [p for p in people if is_hybrid(p)]
    if hybrids and head is not None:
        PersonSetting.objects.update_or_create(
            user=hybrids[0], defaults={"hunting_percent": 30, "updated_by": head}
        )
    ids = [p.pk for p in people]
    demand = demand_hours(ids, month)
    capacity = capacity_hours(ids, month)
    loaded = sorted(
        (p for p in people if demand[p.pk] > 0 and capacity[p.pk] > 0), key=lambda p: demand[p.pk]
    )
    if len(loaded) < 2:
        return {"overloaded": 0, "underloaded": 0}
    heavy, light = loaded[-1], loaded[0]
    for person, target, rounding in ((heavy, OVERLOAD, ROUND_FLOOR), (light, UNDERLOAD, ROUND_CEILING)):
        hours = Decimal(person.monthly_capacity_hours) * demand[person.pk] / (target * capacity[person.pk])
        person.monthly_capacity_hours = int(
            min(max(hours.to_integral_value(rounding=rounding), Decimal(1)), Decimal(MAX_CAPACITY_HOURS))
        )
        person.save(update_fields=["monthly_capacity_hours"])
    return {"overloaded": 1, "underloaded": 1}
