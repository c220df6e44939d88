"""The activities' part of the morning run (`manage.py send_reminders`): plan the touches the cadence asks for,
and tell each manager how many of his touches are overdue — once, not once per touch."""

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import ngettext

from orbit.activities.models import Touch, TouchStatus
from orbit.activities.services import plan_cadence_touches
from orbit.org.models import User


def _overdue_title(count: int) -> str:
    return ngettext("You have %(count)s overdue touch", "You have %(count)s overdue touches", count) % {
        "count": count
    }


overdue_title = lazy(_overdue_title, str)  # rendered in each recipient's language


def remind_overdue_touches(today: dt.date) -> int:
    from orbit.notifications.kinds import Kind
    from orbit.notifications.services import notify

    counts = dict(
        Touch.objects.filter(
            status=TouchStatus.PLANNED,
            planned_for__lt=today,
            account__archived_at__isnull=True,
            owner__is_active=True,
        )
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    told = 0
    for user in User.objects.filter(pk__in=counts):
        told += len(
            notify(
                recipients=[user],
                kind=Kind.TOUCH_OVERDUE,
                title=overdue_title(counts[user.pk]),
                url=reverse("activities:agenda"),
            )
        )
    return told


def morning(today: dt.date) -> tuple[int, int]:
    """(touches planned, managers told about overdue touches)."""
    return plan_cadence_touches(today=today), remind_overdue_touches(today)
