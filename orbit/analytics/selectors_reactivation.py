"""The reactivation queue: a manager's open cases, his teams' for a lead, all for the head — whatever
`ReactivationCase.objects.visible_to(user)` gives — and the outcomes of a period."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import pgettext_lazy

from orbit.analytics.models import ReactivationCase, ReactivationStatus
from orbit.org.models import User
from orbit.revenue.selectors import team_subtree

# The statuses in the queue's words (a context of their own: "Lost" of an opportunity is another word).
STATUS_LABELS = {
    ReactivationStatus.OPEN: pgettext_lazy("reactivation case", "In the queue"),
    ReactivationStatus.REACTIVATED: pgettext_lazy("reactivation case", "Reactivated"),
    ReactivationStatus.LOST: pgettext_lazy("reactivation case", "Lost"),
}
PERIOD_DAYS = 90  # Orbit's default period for the outcome counts: the last quarter, more or less


@dataclass(frozen=True)
class QueueFilters:
    status: str = ReactivationStatus.OPEN  # "" for every status
    manager: int | None = None
    team: int | None = None
    start: dt.date | None = None  # the period of the outcomes (and of the closed cases listed)
    end: dt.date | None = None


def _scoped(user: User, filters: QueueFilters) -> QuerySet:
    cases = ReactivationCase.objects.visible_to(user)
    if filters.manager:
        cases = cases.filter(manager_id=filters.manager)
    if filters.team:
        cases = cases.filter(manager__team_id__in=team_subtree(filters.team))
    return cases


def queue(user: User, filters: QueueFilters) -> QuerySet:
    """The cases, the longest-waiting first; closed ones only those closed in the period. Each row carries the
    account's typical interval and predicted LTV from its figures (none before the first run)."""
    cases = _scoped(user, filters)
    if filters.status in ReactivationStatus.values:
        cases = cases.filter(status=filters.status)
    if filters.status != ReactivationStatus.OPEN and filters.start and filters.end:
        cases = cases.filter(
            Q(status=ReactivationStatus.OPEN) | Q(closed_on__range=(filters.start, filters.end))
        )
    return (
        cases.select_related("account", "manager", "closed_by")
        .annotate(
            typical_interval=F("account__metrics__typical_interval_days"),
            clv=F("account__metrics__clv"),
        )
        .order_by("opened_on", "id")
    )


@dataclass(frozen=True)
class Outcomes:
    open: int
    reactivated: int
    lost: int

    @property
    def rate(self) -> Decimal | None:
        """Reactivated of the cases closed in the period, in % (one decimal); None when none was closed."""
        closed = self.reactivated + self.lost
        return (Decimal(100 * self.reactivated) / closed).quantize(Decimal("0.1")) if closed else None


def outcomes(user: User, filters: QueueFilters) -> Outcomes:
    """Open now; reactivated and lost with a closing day in the period. One query."""
    in_period = Q(closed_on__range=(filters.start, filters.end))
    figures = _scoped(user, filters).aggregate(
        open=Count("id", filter=Q(status=ReactivationStatus.OPEN)),
        reactivated=Count("id", filter=Q(status=ReactivationStatus.REACTIVATED) & in_period),
        lost=Count("id", filter=Q(status=ReactivationStatus.LOST) & in_period),
    )
    return Outcomes(**figures)


def case_get(user: User, pk: int) -> ReactivationCase | None:
    return (
        ReactivationCase.objects.visible_to(user).select_related("account", "manager").filter(pk=pk).first()
    )


@dataclass(frozen=True)
class DayCounts:
    queue: int
    changes: int


def day_counts(person: User, *, viewer: User) -> DayCounts:
    """The manager's day: his open cases, and the latest run's changes on his accounts (within what the viewer
    sees, when a lead opens his day). Two queries."""
    from orbit.analytics.models import AnalyticsRun, RunStatus, SegmentChange

    latest = AnalyticsRun.objects.filter(status=RunStatus.DONE).order_by("-id").values("pk")[:1]
    queue = (
        ReactivationCase.objects.visible_to(viewer)
        .filter(manager=person, status=ReactivationStatus.OPEN)
        .count()
    )
    changes = (
        SegmentChange.objects.visible_to(viewer)
        .filter(run_id__in=latest, account__responsible_manager=person)
        .count()
    )
    return DayCounts(queue=queue, changes=changes)
