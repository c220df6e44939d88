"""The daily reminders no single request causes: handoff steps that are due, covers that have begun, and the
touches the cadence plans and those overdue (orbit.activities.daily).

Run once a day, early (cron or a systemd timer): `manage.py send_reminders` runs them at once,
`manage.py send_reminders --enqueue` hands them to the task worker. Running twice a day tells nobody twice
(deduplication); a step still open tomorrow is reminded again tomorrow.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from orbit.handoffs.models import OPEN_STATUSES, Cover, HandoffStatus, HandoffStep, StepKind
from orbit.notifications.kinds import Kind
from orbit.notifications.services import notify

# A date shown in the reader's own format (31.12.2026 / 12/31/2026): formatted when the text is rendered.
_short_date = lazy(lambda value: date_format(value, "SHORT_DATE_FORMAT"), str)


@dataclass
class ReminderCount:
    handoff_steps: int = 0
    covers: int = 0
    touches_planned: int = 0
    overdue_touches: int = 0


def remind_handoff_steps(today: dt.date) -> int:
    """Each open step due today or overdue, to its owner; returns how many notifications were created."""
    steps = (
        HandoffStep.objects.filter(
            done_at__isnull=True,
            due_date__lte=today,
            owner__is_active=True,
            handoff__status__in=[*OPEN_STATUSES, HandoffStatus.ACCEPTED],
        )
        .select_related("owner", "handoff__account")
        .order_by("due_date", "pk")
    )
    told = 0
    for step in steps:
        account = step.handoff.account
        if step.due_date == today:
            title = format_lazy(
                _("Handoff of {account}: “{step}” is due today"),
                account=account.display_name,
                step=StepKind(step.kind).label,
            )
        else:
            title = format_lazy(
                _("Handoff of {account}: “{step}” is overdue since {date}"),
                account=account.display_name,
                step=StepKind(step.kind).label,
                date=_short_date(step.due_date),
            )
        told += len(
            notify(
                recipients=[step.owner],
                kind=Kind.HANDOFF_STEP_DUE,
                title=title,
                url=reverse("handoffs:detail", args=[step.handoff_id]) + f"#step-{step.kind}",
                account=account,
            )
        )
    return told


def remind_covers(today: dt.date) -> int:
    """Tells each deputy once that his cover has begun (also when it was arranged after this morning's run)."""
    covers = Cover.objects.filter(
        cancelled_at__isnull=True, starts_on__lte=today, ends_on__gte=today, deputy__is_active=True
    ).select_related("owner", "deputy")
    told = 0
    for cover in covers:
        told += len(
            notify(
                recipients=[cover.deputy],
                kind=Kind.COVER_STARTED,
                title=format_lazy(
                    _("You cover {owner} from {start} to {end}"),
                    owner=cover.owner,
                    start=_short_date(cover.starts_on),
                    end=_short_date(cover.ends_on),
                ),
                body=cover.note,
                url=reverse("handoffs:covers"),
                # Once for the whole cover, however often the reminders run.
                dedup_window=dt.timedelta(days=(cover.ends_on - cover.starts_on).days + 2),
            )
        )
    return told


def send_reminders(today: dt.date | None = None) -> ReminderCount:
    from orbit.activities.daily import morning

    today = today or timezone.localdate()
    planned, overdue = morning(today)
    return ReminderCount(
        handoff_steps=remind_handoff_steps(today),
        covers=remind_covers(today),
        touches_planned=planned,
        overdue_touches=overdue,
    )


@task()
def send_reminders_task() -> dict:
    count = send_reminders()
    return dataclasses.asdict(count)
