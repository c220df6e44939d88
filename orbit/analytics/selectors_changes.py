"""What the analytics runs found changed: the changes page, the account's timeline, the digest and the day read
these. Every list is over `SegmentChange.objects.visible_to(user)`."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, QuerySet
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from orbit.analytics.models import AnalyticsRun, ChangeKind, RunStatus, SegmentChange
from orbit.analytics.rfm import Segment
from orbit.org.models import User
from orbit.revenue.selectors import team_subtree

# The kinds in this part's words (filters, the digest), with a context of their own: the model's labels are
# the engine's (orbit/analytics/models.py).
KIND_LABELS = {
    ChangeKind.ABC: pgettext_lazy("segment change", "ABC class"),
    ChangeKind.XYZ: pgettext_lazy("segment change", "XYZ class"),
    ChangeKind.RFM: pgettext_lazy("segment change", "RFM segment"),
    ChangeKind.DORMANT: pgettext_lazy("segment change", "Became dormant"),
    ChangeKind.AWAKE: pgettext_lazy("segment change", "Bought again"),
    ChangeKind.LTV_DROP: pgettext_lazy("segment change", "Predicted LTV fell"),
}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in KIND_LABELS.items()]


def latest_run() -> AnalyticsRun | None:
    return AnalyticsRun.objects.filter(status=RunStatus.DONE).first()


def _day(value: str) -> str:
    try:
        return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return value or "—"


def _money(value: str) -> str:
    try:
        return number_format(Decimal(value), 0, force_grouping=True)
    except (InvalidOperation, TypeError):
        return value or "—"


def _segment(code: str) -> str:
    return str(Segment(code).label) if code in Segment.values else (code or "—")


def describe(kind: str, old: str, new: str) -> str:
    """One change in words, in the active language: "ABC class B → A", "became dormant", "LTV fell from X to Y"."""
    if kind in (ChangeKind.ABC, ChangeKind.XYZ):
        label = pgettext("segment change", "ABC class" if kind == ChangeKind.ABC else "XYZ class")
        return f"{label} {old or '—'} → {new or '—'}"
    if kind == ChangeKind.RFM:
        return f"{pgettext('segment change', 'RFM segment')} {_segment(old)} → {_segment(new)}"
    if kind == ChangeKind.DORMANT:
        return _("became dormant (last purchase %(day)s)") % {"day": _day(new)}
    if kind == ChangeKind.AWAKE:
        return _("bought again on %(day)s (the purchase before: %(before)s)") % {
            "day": _day(new),
            "before": _day(old),
        }
    if kind == ChangeKind.LTV_DROP:
        return _("predicted LTV fell from %(old)s to %(new)s") % {"old": _money(old), "new": _money(new)}
    return f"{kind}: {old} → {new}"


@dataclass(frozen=True)
class ChangeFilters:
    run: int | None = None  # a run's changes; with neither run nor since: the latest finished run's
    since: dt.date | None = None
    kind: str = ""
    manager: int | None = None
    team: int | None = None


def changes(user: User, filters: ChangeFilters) -> tuple[QuerySet, AnalyticsRun | None]:
    """The changes the user may see, newest first, and the run they are of (None with `since`)."""
    rows = SegmentChange.objects.visible_to(user)
    run = None
    if filters.since is not None:
        rows = rows.filter(on__gte=filters.since)
    else:
        run = (
            AnalyticsRun.objects.filter(pk=filters.run, status=RunStatus.DONE).first()
            if filters.run
            else latest_run()
        )
        if run is None:
            return rows.none(), None
        rows = rows.filter(run=run)
    if filters.kind in ChangeKind.values:
        rows = rows.filter(kind=filters.kind)
    if filters.manager:
        rows = rows.filter(account__responsible_manager_id=filters.manager)
    if filters.team:
        rows = rows.filter(account__responsible_manager__team_id__in=team_subtree(filters.team))
    rows = rows.select_related("account", "account__responsible_manager").order_by("-on", "-id")
    return rows, run


def counts_by_kind(rows: QuerySet) -> dict[str, int]:
    return dict(rows.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
