"""The demo's bell: what Orbit would have told each person over the last weeks, from the demo's own handoffs,
covers and requests, through the same notices the services send (same people, same titles, each in his own
language). Every notification is dated at its event, never later than "now"; older ones are mostly read, the
last days' unread. Deterministic: the same seed and day give the same rows.

    from orbit.demo.bell import write_bell
    write_bell(seed=1, now=aware_noon_of_today)  # after handoffs and requests exist
"""

import datetime as dt
import random

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from orbit.handoffs import notices
from orbit.handoffs.models import Cover, CoverReason, Handoff, HandoffStatus, StepKind
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.services import notify
from orbit.org.models import User
from orbit.requests import sla
from orbit.requests.models import Request, RequestType

# The bell shows the last weeks: older events would be read long ago and only fill the list.
RECENT = dt.timedelta(days=21)
# Read after this long, mostly (the rest stays unread, as in a real bell).
READ_AFTER = dt.timedelta(days=2)
READ_SHARE = 0.85
TOLD_STEPS = (StepKind.BRIEF, StepKind.JOIN_DEAL, StepKind.MEETING)


def write_bell(*, seed: int, now: dt.datetime) -> int:
    """Writes the notifications; returns how many. Nothing is e-mailed: they are stamped as sent then."""
    rng = random.Random(seed * 7919 + 11)
    since = now - RECENT
    events: list[tuple[dt.datetime, list[Notification]]] = []
    events += _handoffs(since, now)
    events += _covers(now)
    events += _requests(since, now)
    rows = []
    for when, created in events:
        for notification in created:
            notification.created_at = min(when, now)
            rows.append(notification)
    for notification in rows:
        # An e-mail of the past went out then: the worker must not send it now.
        notification.emailed_at = notification.created_at
        if now - notification.created_at > READ_AFTER and rng.random() < READ_SHARE:
            notification.read_at = min(notification.created_at + dt.timedelta(hours=rng.randint(1, 30)), now)
    Notification.objects.bulk_update(rows, ["created_at", "emailed_at", "read_at"], batch_size=500)
    return len(rows)


def _handoffs(since: dt.datetime, now: dt.datetime):
    handoffs = (
        Handoff.objects.filter(
            Q(created_at__gte=since) | Q(decided_at__gte=since) | Q(steps__done_at__gte=since)
        )
        .distinct()
        .select_related("account", "from_user", "to_user", "created_by")
        .prefetch_related("steps__done_by")
        .order_by("created_at", "pk")
    )
    for handoff in handoffs:
        if since <= handoff.created_at <= now:
            yield handoff.created_at, notices.handoff_started(handoff, by=handoff.created_by)
        for step in handoff.steps.all():
            # Acceptance and the check-up are told by the decision itself.
            if step.done_at and since <= step.done_at <= now and step.done_by and step.kind in TOLD_STEPS:
                yield step.done_at, notices.handoff_step_done(handoff, step, by=step.done_by)
        if handoff.decided_at and since <= handoff.decided_at <= now:
            decide = {
                HandoffStatus.ACCEPTED: (notices.handoff_accepted, handoff.to_user),
                HandoffStatus.COMPLETED: (notices.handoff_accepted, handoff.to_user),
                HandoffStatus.REJECTED: (notices.handoff_rejected, handoff.to_user),
                HandoffStatus.CANCELLED: (notices.handoff_cancelled, handoff.from_user),
            }.get(handoff.status)
            if decide is not None:
                tell, by = decide
                yield handoff.decided_at, tell(handoff, by=by)


def _covers(now: dt.datetime):
    """Two covers of the demo: one over (Анна Смирнова's vacation, Павел Никитин covered) and one to come."""
    people = {u.username: u for u in User.objects.filter(username__in=["am1", "am2", "am3", "am4", "lead2"])}
    if len(people) < 5:
        return
    today = timezone.localtime(now).date()
    past = Cover.objects.create(
        owner=people["am1"],
        deputy=people["am2"],
        starts_on=today - dt.timedelta(days=19),
        ends_on=today - dt.timedelta(days=8),
        reason=CoverReason.VACATION,
        note="Ромашке обещали акт сверки до конца месяца",
        created_by=people["lead2"],
    )
    coming = Cover.objects.create(
        owner=people["am3"],
        deputy=people["am4"],
        starts_on=today + dt.timedelta(days=9),
        ends_on=today + dt.timedelta(days=16),
        reason=CoverReason.TRAINING,
        created_by=people["am3"],
    )
    arranged = _at(past.starts_on - dt.timedelta(days=6), 10)
    Cover.objects.filter(pk=past.pk).update(created_at=arranged)
    Cover.objects.filter(pk=coming.pk).update(created_at=now - dt.timedelta(hours=3))
    yield arranged, notices.cover_arranged(past, by=people["lead2"])
    yield _at(past.starts_on, 8), notices.cover_started(past)
    yield _at(past.ends_on + dt.timedelta(days=1), 8), notices.cover_ended(past)
    yield now - dt.timedelta(hours=3), notices.cover_arranged(coming, by=people["am3"])


def _requests(since: dt.datetime, now: dt.datetime):
    """Requests of the last weeks: the assignee was told it is his; a breached one told the manager and lead."""
    requests = (
        Request.objects.filter(Q(received_at__gte=since) | Q(escalated_at__gte=since), received_at__lte=now)
        .select_related("account", "manager__team__lead", "assignee", "department")
        .order_by("received_at", "pk")
    )
    for request in requests:
        url = reverse("requests:detail", args=[request.pk])
        if request.assignee_id and request.assignee_id != request.manager_id and request.received_at >= since:
            title = format_lazy(
                gettext_lazy("Request №{number} ({type}): {subject}"),
                number=request.pk,
                type=RequestType(request.request_type).label,
                subject=request.subject,
            )
            told = notify(
                recipients=[request.assignee],
                kind=Kind.REQUEST_ASSIGNED,
                title=title,
                url=url,
                account=request.account,
            )
            yield request.received_at, told
        if request.escalated_at and since <= request.escalated_at <= now and request.manager is not None:
            clock = sla.FIRST_RESPONSE if request.first_responded_at is None else "resolution"
            told = notify(
                recipients=[request.manager, sla.lead_of(request.manager)],
                kind=Kind.SLA_BREACHED,
                title=format_lazy(
                    gettext_lazy("Request №{number}: the {clock} is overdue"),
                    number=request.pk,
                    clock=sla._clock_label(clock),
                ),
                url=url,
                account=request.account,
            )
            yield request.escalated_at, told


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
