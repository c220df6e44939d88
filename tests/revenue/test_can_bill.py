"""Who may issue documents and record payments on an account: whoever may change it, never an auditor."""

import pytest

from orbit.org.models import Role, UserRole
from orbit.revenue.permissions import can_bill
from tests.factories import make_account


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("am_a", True),  # the responsible manager
        ("lead_a", True),  # his lead
        ("head", True),
        ("admin", True),
        ("am_a1", False),  # a colleague in a sub-team
        ("am_b", False),  # another team
        ("lead_b", False),
        ("auditor", False),
        ("outsider", False),
    ],
)
def test_who_may_bill_the_account_of_am_a(org, persona, allowed):
    account = make_account(org.head, org.am_a)
    assert can_bill(getattr(org, persona), account) is allowed


def test_an_auditor_who_also_leads_a_team_still_may_not_bill(org):
    account = make_account(org.head, org.am_a)
    UserRole.objects.create(user=org.lead_a, role=Role.AUDITOR)
    org.lead_a.refresh_from_db()
    assert can_bill(org.lead_a, account) is False


def test_an_inactive_manager_may_not_bill(org):
    account = make_account(org.head, org.am_a)
    org.am_a.is_active = False
    assert can_bill(org.am_a, account) is False
