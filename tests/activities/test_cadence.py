import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from orbit.accounts.models import Segment
from orbit.activities import services
from orbit.activities.cadence import cadence_for, policies
from orbit.activities.models import CadencePolicy, Touch, TouchStatus
from orbit.activities.selectors import cadence_compliance
from tests.factories import make_account


def _done(account, owner, days_ago: int, today: dt.date):
    when = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(12)))
    Touch.objects.create(
        account=account, owner=owner, status=TouchStatus.DONE, happened_at=when, duration_minutes=15
    )


def test_the_most_specific_rule_wins(org):
    big = Segment.objects.create(code="big", name_ru="Крупный", name_en="Large")
    services.cadence_policy_save(by=org.head, policy=CadencePolicy(tier="A", segment=big, interval_days=21))
    services.cadence_policy_save(by=org.head, policy=CadencePolicy(status="dormant", interval_days=45))
    rules = policies()
    plain_a = make_account(org.head, org.am_a, tier="A")
    big_a = make_account(org.head, org.am_a, tier="A", segment=big)
    dormant_c = make_account(org.head, org.am_a, tier="C", status="dormant")
    assert [cadence_for(a, rules) for a in (plain_a, big_a, dormant_c)] == [
        30,
        21,
        90,
    ]  # tier (4) beats status (1)
    CadencePolicy.objects.filter(tier="C").update(is_active=False)
    assert cadence_for(dormant_c, policies()) == 45


def test_a_second_rule_for_the_same_accounts_is_refused_and_only_the_head_sets_rules(org):
    with pytest.raises(ValidationError) as error:
        services.cadence_policy_save(by=org.head, policy=CadencePolicy(tier="A", interval_days=10))
    assert "tier" in error.value.message_dict
    assert CadencePolicy.objects.get(tier="A").interval_days == 30
    with pytest.raises(PermissionDenied):
        services.cadence_policy_save(
            by=org.lead_a, policy=CadencePolicy(tier="A", status="dormant", interval_days=9)
        )
    with pytest.raises(ValidationError) as error:
        services.cadence_policy_save(
            by=org.head, policy=CadencePolicy(tier="B", status="dormant", interval_days=0)
        )
    assert "interval_days" in error.value.message_dict


@pytest.mark.clock
def test_compliance_hand_computed(org):
    """am_a: key touched 10 days ago (≤ 14: on time), A touched 31 days ago (> 30: late), C never touched (late),
    B touched 60 days ago (= 60: on time, the boundary counts), a churned account (not worked: ignored).
    2 of 4 = 50 %. am_b: one B account touched yesterday: 100 %."""
    today = timezone.localdate()
    cases = {"key": 10, "A": 31, "C": None, "B": 60}
    for tier, days in cases.items():
        account = make_account(org.head, org.am_a, tier=tier)
        if days is not None:
            _done(account, org.am_a, days, today)
    make_account(org.head, org.am_a, tier="key", status="churned")
    _done(make_account(org.head, org.am_b, tier="B"), org.am_b, 1, today)
    rows = {
        row.person.username: (row.accounts, row.on_time, row.percent) for row in cadence_compliance(org.head)
    }
    assert rows == {"am_a": (4, 2, 50), "am_b": (1, 1, 100)}
    lead_rows = {row.person.username for row in cadence_compliance(org.lead_a)}
    assert lead_rows == {"am_a"}  # only what the lead sees


@pytest.mark.clock
def test_the_morning_run_plans_and_tells_each_manager_once(org, mailoutbox):
    from orbit.notifications.models import Notification
    from orbit.notifications.reminders import send_reminders

    today = timezone.localdate()
    for _ in range(3):
        account = make_account(org.head, org.am_a, tier="key")
        _done(account, org.am_a, 20, today)  # key: every 14 days, so 6 days overdue
    make_account(org.head, org.am_b, tier="C")  # never touched: planned for today, not overdue
    org.am_a.language = "en"
    org.am_a.save()
    count = send_reminders(today)
    assert (count.touches_planned, count.overdue_touches) == (4, 1)
    note = Notification.objects.get(recipient=org.am_a, kind="touch_overdue")
    assert note.title == "You have 3 overdue touches"
    assert send_reminders(today).overdue_touches == 0  # a second run the same morning tells nobody again
