import pytest
from django.urls import reverse

from orbit.accounts import services
from orbit.accounts.models import ChangeReason
from tests.clock import local
from tests.factories import make_account


def _at(day):
    return local(2025, 3, day, 12)


@pytest.mark.clock
def test_report_shows_who_handed_to_whom_and_why(client, org):
    mine = make_account(org.head, org.am_a, at=_at(1), legal_name="ООО «Мой»")
    services.account_reassign(
        by=org.head, account=mine, manager=org.am_a1, reason=ChangeReason.VACATION, at=_at(5)
    )
    services.account_reassign(
        by=org.head, account=mine, manager=org.am_a, reason=ChangeReason.REVERSAL, at=_at(20)
    )
    foreign = make_account(org.head, org.am_b, at=_at(1))
    services.account_reassign(
        by=org.head, account=foreign, manager=org.sales, reason=ChangeReason.OVERLOAD, at=_at(6)
    )

    client.force_login(org.lead_a)
    url = reverse("accounts:reassignments")
    rows = client.get(url, {"start": "2025-03-01", "end": "2025-03-31"}).context["page"].object_list
    assert [(r.previous_manager_name, r.manager, r.reason) for r in rows] == [
        ("Am_A1", org.am_a, ChangeReason.REVERSAL),
        ("Am_A", org.am_a1, ChangeReason.VACATION),
    ]  # the initial assignments are not reassignments, and am_b's account is not his to see
    only_vacation = client.get(url, {"start": "2025-03-01", "end": "2025-03-31", "reason": "vacation"})
    assert [r.reason for r in only_vacation.context["page"].object_list] == [ChangeReason.VACATION]
    first_week = client.get(url, {"start": "2025-03-01", "end": "2025-03-07"})
    assert [r.reason for r in first_week.context["page"].object_list] == [ChangeReason.VACATION]
    by_manager = client.get(url, {"start": "2025-03-01", "end": "2025-03-31", "manager": org.am_a1.pk})
    assert len(by_manager.context["page"].object_list) == 2  # to him, then from him


@pytest.mark.clock
def test_report_refuses_a_backwards_period(client, org):
    client.force_login(org.head)
    response = client.get(reverse("accounts:reassignments"), {"start": "2025-03-31", "end": "2025-03-01"})
    assert "end" in response.context["form"].errors
