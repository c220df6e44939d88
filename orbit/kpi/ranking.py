"""The contest ranking on the fair basis (docs/managers-kpi.md) and its publication by the head.

Order (Orbit's default): the percentage of the paid-revenue plan, highest first; ties, and people without a
plan (after those with one), by margin per hour as a percentage of the peers' median; then by name. Live for
the head and the leads (a lead sees his people's places in the whole ranking); a published snapshot — who
published it and when, the figures as they were — for every manager.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from orbit.access import policy
from orbit.kpi.models import PublishedRanking
from orbit.kpi.periods import Period
from orbit.kpi.portfolio import Kpi, kpi_page
from orbit.org.models import Role, User

BASIS = "paid_plan_then_margin_per_hour"


@dataclass(frozen=True)
class Place:
    rank: int
    person: int
    name: str
    team: str
    plan_percent: Decimal | None
    margin_per_hour: Decimal | None
    vs_peers: Decimal | None
    fallback: bool

    def as_json(self) -> dict:
        return {
            "rank": self.rank,
            "person": self.person,
            "name": self.name,
            "team": self.team,
            "plan_percent": None if self.plan_percent is None else str(self.plan_percent),
            "margin_per_hour": None if self.margin_per_hour is None else str(self.margin_per_hour),
            "vs_peers": None if self.vs_peers is None else str(self.vs_peers),
            "fallback": self.fallback,
        }


def _key(row: Kpi):
    plan = row.on_paid.percent
    vs = row.margin_vs_peers()
    return (plan is None, -(plan or 0), vs is None, -(vs or 0), row.name.lower(), row.pk)


def order(rows: list[Kpi]) -> list[Place]:
    """Places of `rows` (equal keys share a place: 1, 1, 3)."""
    places, previous, rank = [], None, 0
    for index, row in enumerate(sorted(rows, key=_key), start=1):
        key = _key(row)[:4]
        if key != previous:
            rank, previous = index, key
        places.append(
            Place(
                rank,
                row.pk,
                row.name,
                row.team_name,
                row.on_paid.percent,
                row.margin_per_hour,
                row.margin_vs_peers(),
                row.fallback,
            )
        )
    return places


def may_see_live(user: User) -> bool:
    return policy.sees_everything(user) or bool(policy.led_team_ids(user))


def may_publish(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and user.has_role(Role.HEAD, Role.ADMIN)


def ranked(rows: list[Kpi]) -> list[Place]:
    """Those with a portfolio or figures in the period, in order."""
    return order([r for r in rows if r.accounts or r.invoiced or r.paid])


def live(user: User, period: Period) -> list[Place]:
    """The ranking of everyone with a portfolio or figures, narrowed to the places of the people `user` may
    see (the head: all)."""
    if not may_see_live(user):
        raise PermissionDenied
    page = kpi_page(user, period, stored=True)
    visible = {r.pk for r in page.people}
    return [p for p in ranked(page.everyone) if p.person in visible]


@transaction.atomic
def publish(*, by: User, period: Period, note: str = "") -> PublishedRanking:
    """Store the ranking of `period` as it is now; only the head (or an admin)."""
    if not may_publish(by):
        raise PermissionDenied
    places = ranked(kpi_page(by, period).everyone)
    return PublishedRanking.objects.create(
        period=period.code, basis=BASIS, rows=[p.as_json() for p in places], published_by=by, note=note[:300]
    )


def published(period: Period) -> PublishedRanking | None:
    return PublishedRanking.objects.filter(period=period.code).select_related("published_by").first()
