import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import ownership, services
from orbit.accounts.models import ChangeReason
from tests.clock import local
from tests.factories import make_account

T0 = timezone.now() - dt.timedelta(days=100)


def test_reverse_gives_the_account_back_and_keeps_the_history(org):
    account = make_account(org.head, org.am_a, at=T0)
    services.account_reassign(
        by=org.head,
        account=account,
        manager=org.am_b,
        reason=ChangeReason.OVERLOAD,
        at=T0 + dt.timedelta(days=10),
    )
    services.account_reassignment_reverse(by=org.head, account=account)
    account.refresh_from_db()
    assert account.responsible_manager == org.am_a
    reasons = list(account.ownership_periods.order_by("started_at").values_list("reason", flat=True))
    assert reasons == [ChangeReason.INITIAL, ChangeReason.OVERLOAD, ChangeReason.REVERSAL]
    assert ownership.check_invariant(account) == []


def test_reverse_needs_a_previous_manager_and_the_right(org):
    account = make_account(org.head, org.am_a, at=T0)
    with pytest.raises(ValidationError):
        services.account_reassignment_reverse(by=org.head, account=account)
    services.account_reassign(by=org.head, account=account, manager=org.am_a1, at=T0 + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.account_reassignment_reverse(by=org.am_a1, account=account)


def test_who_was_responsible_on_a_date_from_the_card(client, org):
    account = make_account(org.head, org.am_a, at=local(2024, 1, 10))
    services.account_reassign(by=org.head, account=account, manager=org.am_a1, at=local(2024, 6, 1))
    client.force_login(org.lead_a)
    url = reverse("accounts:responsible_on", args=[account.pk])
    assert client.get(url, {"on": "2024-03-01"}).context["manager"] == org.am_a
    assert client.get(url, {"on": "2024-07-01"}).context["manager"] == org.am_a1
    assert client.get(url, {"on": "2023-01-01"}).context["manager"] is None
    assert client.get(url, {"on": "not-a-date"}).context["manager"] is None
