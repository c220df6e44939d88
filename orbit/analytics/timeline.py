"""The analytics on the account's timeline: what each run found changed (class, segment, dormancy, LTV) and the
reactivation queue's cases (opened, reactivated, given up with the reason). Two queries whatever the history."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts.history import Change, Event, register_reason, register_source
from orbit.analytics import dormancy, reactivation
from orbit.analytics.models import ReactivationCase, ReactivationStatus, SegmentChange
from orbit.analytics.selectors_changes import describe


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def analytics_events(account) -> list[Event]:
    events = []
    for change in SegmentChange.objects.filter(account=account).select_related("run"):
        when = change.run.finished_at or _moment(change.on)
        title = _("Analytics: %(change)s") % {"change": describe(change.kind, change.old, change.new)}
        events.append(Event(when, "analytics", None, title))
    for case in ReactivationCase.objects.filter(account=account).select_related("manager", "closed_by"):
        events.append(
            Event(
                case.created_at,
                "analytics",
                None,
                _("In the reactivation queue of %(name)s") % {"name": case.manager},
            )
        )
        if case.status == ReactivationStatus.LOST:
            reason = [Change("reason", _("reason"), "", case.lost_reason)]
            events.append(
                Event(case.updated_at, "analytics", case.closed_by, _("Reactivation given up"), reason)
            )
        elif case.status == ReactivationStatus.REACTIVATED:
            events.append(Event(case.updated_at, "analytics", None, _("Reactivated: bought again")))
    return events


register_source("analytics", gettext_lazy("Analytics"), analytics_events)
register_reason(dormancy.describe_reason)
register_reason(reactivation.describe_reason)
