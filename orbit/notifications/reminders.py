"""The daily reminders no single request causes: handoff steps that are due, covers that have begun or ended, and the
touches the cadence plans and those overdue (orbit.activities.daily); and the contracts whose end has passed are
renewed automatically or marked expired (orbit.revenue.contracts.contracts_roll); the receivables rows are
aged on the new day (orbit.revenue.balances.rebuild_receivables).

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

from orbit.handoffs.models import OPEN_STATUSES, HandoffStatus, HandoffStep, StepKind
from orbit.notifications.kinds import Kind
from orbit.notifications.services import notify

# A date shown in the reader's own format (31.12.2026 / 12/31/2026): formatted when the text is rendered.
_short_date = lazy(lambda value: date_format(value, "SHORT_DATE_FORMAT"), str)


@dataclass
class ReminderCount:
    handoff_steps: int = 0
    covers: int = 0
    covers_ended: int = 0
    touches_planned: int = 0
    overdue_touches: int = 0
    contracts_renewed: int = 0
    contracts_expired: int = 0
    contract_notices: int = 0
    receivables: int = 0
    pulses_corrected: int = 0
    analytics_run: int = 0  # the id of the full analytics run queued (or already under way)
    kpi_refresh: str = ""  # the id of the managers' KPI refresh queued after it


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
    """Tells the deputy and the manager away once that a cover has begun (also when it was arranged after this
    morning's run, or the run of its first day was missed); returns how many notifications were created."""
    from orbit.handoffs import notices

    return sum(len(notices.cover_started(cover)) for cover in notices.covers_starting(today))


def remind_cover_ends(today: dt.date) -> int:
    """Tells the deputy and the manager back once that a cover has ended (a missed run catches up a week)."""
    from orbit.handoffs import notices

    return sum(len(notices.cover_ended(cover)) for cover in notices.covers_ended(today))


def send_reminders(today: dt.date | None = None) -> ReminderCount:
    from orbit.accounts.pulse import rebuild as rebuild_pulse
    from orbit.activities.daily import morning
    from orbit.analytics.compute import request_run
    from orbit.kpi.tasks import refresh_kpi_snapshots
    from orbit.revenue.balances import rebuild_receivables
    from orbit.revenue.contracts import contracts_roll, remind_notice_deadlines

    today = today or timezone.localdate()
    planned, overdue = morning(today)
    renewed, expired = contracts_roll(today)  # before anyone's day is read: deadlines of the new period
    count = ReminderCount(
        contracts_renewed=renewed,
        contracts_expired=expired,
        contract_notices=remind_notice_deadlines(today),
        receivables=rebuild_receivables(today=today),  # the ageing buckets shift each day
        pulses_corrected=rebuild_pulse(),  # after the cadence planned touches: anything that slipped
        handoff_steps=remind_handoff_steps(today),
        covers=remind_covers(today),
        covers_ended=remind_cover_ends(today),
        touches_planned=planned,
        overdue_touches=overdue,
        # Last: the figures as of today, after the ledger's morning work; queued for the worker (a million
        # accounts take a while), one at a time.
        analytics_run=request_run(as_of=today).pk,
    )
    # Then the managers' stored KPI figures, which read the run's LTV: the worker takes tasks in order.
    count.kpi_refresh = str(refresh_kpi_snapshots.enqueue().id)
    return count


@task()
def send_reminders_task() -> dict:
    count = send_reminders()
    return dataclasses.asdict(count)
