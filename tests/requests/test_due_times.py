"""SLA due times on the real default calendar («Россия (Москва)», 09:00-18:00, Mon-Fri, production calendars),
against examples worked out by hand. The seeded rules: critical 1 h / 8 h, high 4 h / 16 h, normal 8 h / 40 h."""

import pytest

from orbit.requests import services, sla
from orbit.requests.models import Priority, RequestType
from tests.requests.conftest import msk


def _create(org, account, support, clock, received, priority, request_type=RequestType.QUESTION):
    clock.set(received)
    return services.request_create(
        by=org.am_a,
        account=account,
        request_type=request_type,
        priority=priority,
        department=support,
        subject="Вопрос клиента",
    )


@pytest.mark.parametrize(
    ("received", "priority", "first_response", "resolution"),
    [
        # Tue 3 Nov 2026 is a short pre-holiday day (to 17:00), Wed 4 Nov a holiday: 1 h on Tuesday, then
        # 7 h on Thursday for the answer; the 40 h resolution: 1 + 9 (Thu) + 9 (Fri) + 9 (Mon) + 9 (Tue) + 3.
        (msk(2026, 11, 3, 16, 0), Priority.NORMAL, msk(2026, 11, 5, 16, 0), msk(2026, 11, 11, 12, 0)),
        # Received on a Saturday: the clock starts on Monday at 09:00.
        (msk(2026, 11, 21, 10, 0), Priority.HIGH, msk(2026, 11, 23, 13, 0), msk(2026, 11, 24, 16, 0)),
        # Overnight and the New-Year holidays: Wed 30 Dec 2026 17:30 has half an hour; 31 Dec and 1-8 Jan 2027
        # are days off (with the weekend), so the rest runs from Mon 11 Jan 09:00.
        (msk(2026, 12, 30, 17, 30), Priority.CRITICAL, msk(2027, 1, 11, 9, 30), msk(2027, 1, 11, 16, 30)),
        # A transferred working day: Sat 20 Feb 2027 is worked (short, 09:00-17:00). The answer ends exactly
        # at the end of Friday; the resolution takes 7 of Saturday's 8 hours.
        (msk(2027, 2, 19, 17, 0), Priority.CRITICAL, msk(2027, 2, 19, 18, 0), msk(2027, 2, 20, 16, 0)),
        # A night arrival counts from the morning: Thu 26 Nov 2026 23:10 -> Fri 09:00 + 8 h; 40 h ends Thu 3 Dec.
        (msk(2026, 11, 26, 23, 10), Priority.NORMAL, msk(2026, 11, 27, 17, 0), msk(2026, 12, 3, 13, 0)),
    ],
)
def test_due_times_follow_the_working_calendar(
    org, account, support, clock, received, priority, first_response, resolution
):
    request = _create(org, account, support, clock, received, priority)
    assert request.first_response_due == first_response
    assert request.resolution_due == resolution
    assert request.sla_policy.priority == priority


def test_waiting_for_the_client_stops_the_clock(org, account, support, clock):
    # Normal, received Mon 23 Nov 2026 10:00: 40 h = 8 (Mon) + 9 + 9 + 9 (Tue-Thu) + 5 -> Fri 27 Nov 14:00;
    # the answer (8 h) is due at the end of Monday.
    request = _create(org, account, support, clock, msk(2026, 11, 23, 10, 0), Priority.NORMAL)
    assert request.resolution_due == msk(2026, 11, 27, 14, 0)
    assert request.first_response_due == msk(2026, 11, 23, 18, 0)
    clock.set(msk(2026, 11, 23, 12, 0))
    request = services.request_change_status(by=org.am_a, request=request, status="in_progress", version=None)
    clock.set(msk(2026, 11, 24, 15, 0))
    request = services.request_change_status(
        by=org.am_a, request=request, status="waiting_client", version=request.version
    )
    # The client answers on Thursday at 11:00: waited Tue 15-18 (3 h) + Wed 9 h + Thu 2 h = 14 business hours.
    clock.set(msk(2026, 11, 26, 11, 0))
    request = services.request_change_status(
        by=org.am_a, request=request, status="in_progress", version=request.version
    )
    assert request.paused_hours == 14
    # 40 + 14 = 54 h from Mon 10:00: 8 (Mon) + 9 * 5 (Tue-Mon) = 53, one more hour on Tue 1 Dec -> 10:00.
    assert request.resolution_due == msk(2026, 12, 1, 10, 0)
    # The answer was not given yet, so it moves by the pause too: 8 + 14 = 22 h = 8 + 9 + 5 -> Wed 25 Nov 14:00.
    assert request.first_response_due == msk(2026, 11, 25, 14, 0)


def test_business_hours_left_is_negative_once_breached(org, account, support, clock):
    request = _create(org, account, support, clock, msk(2026, 11, 23, 10, 0), Priority.CRITICAL)
    # Critical: answer due Mon 11:00. At 10:15 three quarters of an hour are left (shown to a tenth).
    assert float(sla.business_hours_left(request, msk(2026, 11, 23, 10, 15))) == 0.8
    # At Tue 09:30 it is overdue by 7 h on Monday (11:00-18:00) plus 0.5 h.
    assert float(sla.business_hours_left(request, msk(2026, 11, 24, 9, 30))) == -7.5


def test_a_calendar_without_the_year_is_a_clear_error_and_nothing_is_saved(org, account, support, clock):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from orbit.requests.models import Request
    from orbit.worktime.services import calendar_create, year_add

    calendar = calendar_create(by=org.head, name="Склад (только 2026)", time_zone="Europe/Moscow")
    year_add(by=org.head, calendar=calendar, year=2026)
    services.sla_policy_save(
        by=org.head,
        request_type=RequestType.INCIDENT,
        priority="",
        first_response_hours=Decimal(4),
        resolution_hours=Decimal(40),
        calendar=calendar,
        active=True,
    )
    # Received on 29 Dec 2026: 40 business hours run into 2027, which this calendar does not have.
    clock.set(msk(2026, 12, 29, 10, 0))
    with pytest.raises(ValidationError) as error:
        services.request_create(
            by=org.am_a,
            account=account,
            request_type=RequestType.INCIDENT,
            priority=Priority.HIGH,
            department=support,
            subject="Сбой",
        )
    assert "нет производственного календаря на 2027 год" in error.value.messages[0]
    assert not Request.objects.exists()
