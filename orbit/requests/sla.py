"""SLA: which policy applies, when the answers are due, and the background checks that warn and escalate.

Due times are counted in business hours on the policy's working calendar (orbit.worktime). While a request waits
for the client its clock stops; the business hours paused are added when it resumes, and the due times are
computed again from the time the request was received.

Every moment worth acting on (the warning at a share of the allowed time, the breach, the head's escalation a
number of business hours after the breach) is a django-tasks task enqueued with `run_after`. The task re-reads
the request under a row lock and acts only if it still applies: the request is still running, the due time it
was scheduled for is still the current one, and the step was not taken before. So a stale or repeated task does
nothing, and running one twice escalates once.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from orbit.notifications.kinds import Kind
from orbit.notifications.services import notify
from orbit.org.models import Role, User
from orbit.requests import conf
from orbit.requests.models import RUNNING_STATUSES, Escalation, Request, SlaPolicy
from orbit.worktime.services import add_business_hours, business_hours_between, default_calendar

logger = logging.getLogger(__name__)

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
CLOCKS = (FIRST_RESPONSE, RESOLUTION)
WARNING, BREACH, HEAD = "warning", "breach", "head"
STEPS = (WARNING, BREACH, HEAD)


def now() -> dt.datetime:
    """The clock of SLA checks (tests replace it to stand at a chosen moment)."""
    return timezone.now()


# Policies ---------------------------------------------------------------------------------------------------


def policy_for(request_type: str, priority: str) -> SlaPolicy | None:
    """The most specific active rule: type+priority, then type+any, then any+priority, then any+any."""
    candidates = SlaPolicy.objects.filter(
        Q(request_type=request_type) | Q(request_type=""),
        Q(priority=priority) | Q(priority=""),
        active=True,
    ).select_related("calendar")
    return max(candidates, key=lambda p: p.specificity, default=None)


def calendar_of(policy: SlaPolicy | None):
    if policy is not None and policy.calendar_id is not None:
        return policy.calendar
    return default_calendar()


def _hours(value) -> float:
    return float(value)


def due_times(
    policy: SlaPolicy | None, received_at: dt.datetime, paused_hours: Decimal = Decimal(0)
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First response and resolution due times (raises worktime's CalendarYearMissing on a missing year)."""
    if policy is None:
        return None, None
    calendar = calendar_of(policy)
    return (
        add_business_hours(calendar, received_at, _hours(policy.first_response_hours + paused_hours)),
        add_business_hours(calendar, received_at, _hours(policy.resolution_hours + paused_hours)),
    )


def allowed_hours(request: Request, clock: str) -> Decimal:
    policy = request.sla_policy
    return policy.first_response_hours if clock == FIRST_RESPONSE else policy.resolution_hours


def due_of(request: Request, clock: str) -> dt.datetime | None:
    return request.first_response_due if clock == FIRST_RESPONSE else request.resolution_due


def moment_of(request: Request, clock: str, step: str) -> dt.datetime:
    calendar = calendar_of(request.sla_policy)
    if step == WARNING:
        hours = allowed_hours(request, clock) * conf.warning_share() + request.paused_hours
        return add_business_hours(calendar, request.received_at, _hours(hours))
    due = due_of(request, clock)
    if step == BREACH:
        return due
    return add_business_hours(calendar, due, _hours(conf.head_escalation_hours()))


def business_hours_left(request: Request, at: dt.datetime | None = None) -> Decimal | None:
    """Business hours left until the clock that matters now (negative once breached)."""
    clock = current_clock(request)
    if clock is None:
        return None
    at = at or now()
    due = due_of(request, clock)
    calendar = calendar_of(request.sla_policy)
    if due >= at:
        span = business_hours_between(calendar, at, due)
        sign = 1
    else:
        span = business_hours_between(calendar, due, at)
        sign = -1
    return Decimal(sign * span.total_seconds() / 3600).quantize(Decimal("0.1"))


def current_clock(request: Request) -> str | None:
    if request.sla_policy_id is None:
        return None
    if request.first_responded_at is None and request.first_response_due is not None:
        return FIRST_RESPONSE
    return RESOLUTION if request.resolution_due is not None else None


# Scheduling -------------------------------------------------------------------------------------------------


def schedule(request: Request) -> int:
    """Enqueue the checks of the request's running clocks; returns how many were enqueued."""
    if request.status not in RUNNING_STATUSES or request.sla_policy_id is None:
        return 0
    count = 0
    for clock in CLOCKS:
        if clock == FIRST_RESPONSE and request.first_responded_at is not None:
            continue
        due = due_of(request, clock)
        if due is None:
            continue
        for step in (WARNING, BREACH):
            count += _enqueue(request, clock, step, due, moment_of(request, clock, step))
    return count


def _enqueue(request: Request, clock: str, step: str, due: dt.datetime, moment: dt.datetime) -> int:
    from orbit.requests.tasks import check_sla

    args = (request.pk, clock, step, due.isoformat())
    backend = check_sla.get_backend()
    if backend.supports_defer:
        check_sla.using(run_after=moment).enqueue(*args)
        return 1
    if moment <= now():
        # A backend that cannot wait (the immediate one of tests and quick demos) runs what is already due.
        check_sla.enqueue(*args)
        return 1
    return 0


# The check ----------------------------------------------------------------------------------------------------


def run_check(request_id: int, clock: str, step: str, due: str) -> str:
    """Act on one scheduled moment if it still applies; returns what happened (for logs and tests)."""
    if clock not in CLOCKS or step not in STEPS:
        raise ValueError(f"unknown SLA check {clock}/{step}")
    with transaction.atomic():
        request = (
            Request.objects.select_for_update(of=("self",))
            .select_related("sla_policy", "sla_policy__calendar", "manager", "manager__team", "account")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            return "gone"
        if request.status not in RUNNING_STATUSES:
            return "not running"
        current = due_of(request, clock)
        if current is None or current != dt.datetime.fromisoformat(due):
            return "stale"
        if clock == FIRST_RESPONSE and request.first_responded_at is not None:
            return "answered"
        if now() < moment_of(request, clock, step):
            return "early"
        if step == WARNING:
            return _warn(request, clock, current)
        if step == BREACH:
            return _escalate_to_lead(request, clock, current)
        return _escalate_to_head(request, clock)


def _url(request: Request) -> str:
    return reverse("requests:detail", args=[request.pk])


def _clock_label(clock: str):
    return _("first response") if clock == FIRST_RESPONSE else _("resolution")


def _warn(request: Request, clock: str, due: dt.datetime) -> str:
    field = f"{clock}_warned_for"
    if getattr(request, field) == due:
        return "done before"
    if now() >= due:
        return "breached already"  # the breach check speaks now, not the warning
    setattr(request, field, due)
    request.save(update_fields=[field])
    notify(
        recipients=[request.manager, request.assignee],
        kind=Kind.SLA_WARNING,
        title=format_lazy(
            _("Request №{number}: the {clock} is due soon"), number=request.pk, clock=_clock_label(clock)
        ),
        body=format_lazy(_("{subject} — {account}"), subject=request.subject, account=request.account),
        url=_url(request) + f"#sla-{clock}",
        account=request.account,
        dedup_window=dt.timedelta(0),
    )
    return "warned"


def lead_of(user: User) -> User | None:
    """The manager's team lead: the lead of his team, or of the nearest team above that has one."""
    team = user.team
    seen = set()
    while team is not None and team.pk not in seen:
        seen.add(team.pk)
        if team.lead_id is not None and team.lead_id != user.pk:
            return team.lead
        team = team.parent
    return None


def heads() -> list[User]:
    return list(User.objects.filter(is_active=True, roles__role=Role.HEAD).distinct())


def _escalate_to_lead(request: Request, clock: str, due: dt.datetime) -> str:
    outcome = "done before"
    if request.escalation_level < Escalation.TEAM_LEAD:
        lead = lead_of(request.manager)
        request.escalation_level = Escalation.TEAM_LEAD
        request.escalated_at = now()
        request.save(update_fields=["escalation_level", "escalated_at"])
        notify(
            # No lead above the manager: the head of department is the next level.
            recipients=[*([lead] if lead else heads()), request.manager],
            kind=Kind.SLA_BREACHED,
            title=format_lazy(
                _("Request №{number}: the {clock} is overdue"), number=request.pk, clock=_clock_label(clock)
            ),
            body=format_lazy(
                _("{subject} — {account}. Responsible manager: {manager}."),
                subject=request.subject,
                account=request.account,
                manager=request.manager,
            ),
            url=_url(request) + "#sla-1",
            account=request.account,
            dedup_window=dt.timedelta(0),
        )
        outcome = "escalated to the lead"
    if request.escalation_level < Escalation.HEAD:
        # The head is called in a number of business hours after the breach, unless the request is done by then.
        _enqueue(request, clock, HEAD, due, moment_of(request, clock, HEAD))
    return outcome


def _escalate_to_head(request: Request, clock: str) -> str:
    if request.escalation_level >= Escalation.HEAD:
        return "done before"
    request.escalation_level = Escalation.HEAD
    request.escalated_at = now()
    request.save(update_fields=["escalation_level", "escalated_at"])
    lead = lead_of(request.manager)
    notify(
        recipients=[*heads(), request.manager, lead],
        kind=Kind.SLA_BREACHED,
        title=format_lazy(
            _("Request №{number} is still overdue: escalated to the head of department"), number=request.pk
        ),
        body=format_lazy(
            _("{subject} — {account}. Responsible manager: {manager}."),
            subject=request.subject,
            account=request.account,
            manager=request.manager,
        ),
        url=_url(request) + "#sla-2",
        account=request.account,
        dedup_window=dt.timedelta(0),
    )
    return "escalated to the head"
