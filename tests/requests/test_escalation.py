"""Escalation: the warning at 80 % of the allowed business time goes to the manager; the breach escalates to his
team lead (the manager informed); eight business hours later the head of department. Idempotent.

The immediate backend runs a task when it is enqueued; the clock is stood at chosen moments. The seeded critical
rule: answer within 1 business hour, resolve within 8. Received Mon 23 Nov 2026 10:00 (Moscow):
- first response: warning at 10:48 (0.8 h), breach at 11:00, head at Tue 24 Nov 10:00 (+8 business hours);
- resolution: warning at 16:24 (6.4 h), breach at 18:00.
"""

import pytest

from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.requests import services, sla
from orbit.requests.models import Escalation, Priority, RequestType
from orbit.requests.tasks import check_sla
from tests.requests.conftest import msk

MONDAY_10 = msk(2026, 11, 23, 10, 0)


@pytest.fixture
def critical(org, account, support, clock):
    clock.set(MONDAY_10)
    return services.request_create(
        by=org.am_a,
        account=account,
        request_type=RequestType.INCIDENT,
        priority=Priority.CRITICAL,
        department=support,
        subject="Остановилась линия",
    )


def _told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _check(request, clock_name, step):
    request.refresh_from_db()
    due = sla.due_of(request, clock_name)
    return check_sla.enqueue(request.pk, clock_name, step, due.isoformat()).return_value


def test_moments_are_computed_in_business_hours(critical):
    assert sla.moment_of(critical, sla.FIRST_RESPONSE, sla.WARNING) == msk(2026, 11, 23, 10, 48)
    assert sla.moment_of(critical, sla.FIRST_RESPONSE, sla.BREACH) == msk(2026, 11, 23, 11, 0)
    assert sla.moment_of(critical, sla.FIRST_RESPONSE, sla.HEAD) == msk(2026, 11, 24, 10, 0)
    assert sla.moment_of(critical, sla.RESOLUTION, sla.WARNING) == msk(2026, 11, 23, 16, 24)
    assert sla.moment_of(critical, sla.RESOLUTION, sla.BREACH) == msk(2026, 11, 23, 18, 0)


def test_nothing_happens_before_its_moment(critical, clock):
    clock.set(msk(2026, 11, 23, 10, 40))
    assert _check(critical, sla.FIRST_RESPONSE, sla.WARNING) == "early"
    assert _check(critical, sla.FIRST_RESPONSE, sla.BREACH) == "early"
    critical.refresh_from_db()
    assert critical.escalation_level == Escalation.NONE
    assert not Notification.objects.filter(kind__in=[Kind.SLA_WARNING, Kind.SLA_BREACHED]).exists()


def test_warning_goes_to_the_manager_once(critical, clock):
    clock.set(msk(2026, 11, 23, 10, 50))
    assert _check(critical, sla.FIRST_RESPONSE, sla.WARNING) == "warned"
    assert _check(critical, sla.FIRST_RESPONSE, sla.WARNING) == "done before"
    assert _told(Kind.SLA_WARNING) == ["am_a"]
    critical.refresh_from_db()
    assert critical.escalation_level == Escalation.NONE


def test_breach_escalates_to_the_lead_then_the_head_once_each(org, critical, clock):
    clock.set(msk(2026, 11, 23, 11, 5))
    assert _check(critical, sla.FIRST_RESPONSE, sla.BREACH) == "escalated to the lead"
    critical.refresh_from_db()
    assert critical.escalation_level == Escalation.TEAM_LEAD
    assert critical.escalated_at == msk(2026, 11, 23, 11, 5)
    assert _told(Kind.SLA_BREACHED) == ["am_a", "lead_a"]  # the lead, and the manager informed
    # Running it again escalates nothing more and tells nobody again.
    assert _check(critical, sla.FIRST_RESPONSE, sla.BREACH) == "done before"
    assert _told(Kind.SLA_BREACHED) == ["am_a", "lead_a"]
    # The head step is not due until eight business hours after the breach: Tue 10:00.
    clock.set(msk(2026, 11, 24, 9, 59))
    assert _check(critical, sla.FIRST_RESPONSE, sla.HEAD) == "early"
    clock.set(msk(2026, 11, 24, 10, 0))
    assert _check(critical, sla.FIRST_RESPONSE, sla.HEAD) == "escalated to the head"
    assert _check(critical, sla.FIRST_RESPONSE, sla.HEAD) == "done before"
    critical.refresh_from_db()
    assert critical.escalation_level == Escalation.HEAD
    assert _told(Kind.SLA_BREACHED) == ["am_a", "am_a", "head", "lead_a", "lead_a"]


def test_an_answered_or_resolved_request_is_not_escalated(org, critical, clock):
    clock.set(msk(2026, 11, 23, 10, 30))
    services.request_comment(by=org.lead_a, request=critical, text="Выезжаем, будем через час.")
    critical.refresh_from_db()
    assert critical.first_responded_at == msk(2026, 11, 23, 10, 30)
    clock.set(msk(2026, 11, 23, 11, 5))
    assert _check(critical, sla.FIRST_RESPONSE, sla.BREACH) == "answered"
    critical = services.request_change_status(
        by=org.am_a, request=critical, status="in_progress", version=None
    )
    critical = services.request_change_status(by=org.am_a, request=critical, status="resolved", version=None)
    clock.set(msk(2026, 11, 23, 18, 30))
    assert _check(critical, sla.RESOLUTION, sla.BREACH) == "not running"
    critical.refresh_from_db()
    assert critical.escalation_level == Escalation.NONE


def test_a_check_for_a_moved_due_time_is_stale(org, critical, clock):
    stale_due = critical.resolution_due.isoformat()
    clock.set(msk(2026, 11, 23, 10, 30))
    critical = services.request_change_status(
        by=org.am_a, request=critical, status="in_progress", version=None
    )
    critical = services.request_change_status(
        by=org.am_a, request=critical, status="waiting_client", version=None
    )
    clock.set(msk(2026, 11, 23, 12, 30))  # two business hours waiting for the client
    critical = services.request_change_status(
        by=org.am_a, request=critical, status="in_progress", version=None
    )
    assert critical.resolution_due == msk(2026, 11, 24, 11, 0)  # 18:00 + 2 h -> Tue 11:00
    clock.set(msk(2026, 11, 23, 18, 5))
    assert check_sla.enqueue(critical.pk, sla.RESOLUTION, sla.BREACH, stale_due).return_value == "stale"
    assert _check(critical, sla.RESOLUTION, sla.BREACH) == "early"


def test_a_late_registration_runs_every_step_due_at_once(org, account, support, clock):
    # Registered on Wednesday for a critical incident received on Monday: everything due has passed.
    clock.set(msk(2026, 11, 25, 12, 0))
    request = services.request_create(
        by=org.am_a,
        account=account,
        request_type=RequestType.INCIDENT,
        priority=Priority.CRITICAL,
        department=support,
        subject="Авария на складе",
        received_at=MONDAY_10,
    )
    request.refresh_from_db()
    assert request.escalation_level == Escalation.HEAD
    assert _told(Kind.SLA_BREACHED) == ["am_a", "am_a", "head", "lead_a", "lead_a"]
    assert _told(Kind.SLA_WARNING) == []  # past the due times a warning would only be noise


def test_lead_of_a_sub_team_is_the_nearest_lead_above(org):
    # Team A1 has no lead of its own: its manager's requests go to the lead of Team A.
    assert sla.lead_of(org.am_a1) == org.lead_a
    assert sla.lead_of(org.am_b) == org.lead_b
    assert sla.lead_of(org.lead_a) is None  # nobody above: the head is the next level
