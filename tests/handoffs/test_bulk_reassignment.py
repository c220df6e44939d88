import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from orbit.accounts import ownership
from orbit.accounts.models import Account, ChangeReason, OwnershipPeriod, Tier
from orbit.handoffs import bulk
from orbit.org.models import Role
from tests.factories import make_account, make_user


@pytest.fixture
def leaving(org):
    """am_a leaves: 300 accounts, 20 holdings of 3–6 members, a few key accounts."""
    accounts = []
    for h in range(20):
        top = make_account(
            org.head, org.am_a, legal_name=f"АО «Холдинг {h}»", tier=Tier.KEY if h < 3 else Tier.B
        )
        accounts.append(top)
        accounts += [
            make_account(org.head, org.am_a, legal_name=f"ООО «Дочка {h}-{d}»", parent=top)
            for d in range(2 + h % 4)
        ]
    while len(accounts) < 300:
        accounts.append(make_account(org.head, org.am_a, tier=Tier.C if len(accounts) % 3 else Tier.A))
    return accounts


@pytest.fixture
def receivers(org):
    kam = make_user("kam_x", Role.KEY_ACCOUNT_MANAGER, team=org.team_a)
    busy = make_user("busy", Role.ACCOUNT_MANAGER, team=org.team_a)
    for _ in range(15):
        make_account(org.head, busy, tier=Tier.A)  # already carries 60 units of load
    return [kam, busy, org.am_a1]


def test_proposal_keeps_holdings_together_key_accounts_with_kams_and_balances(org, leaving, receivers):
    kam, busy, fresh = receivers
    lines = bulk.propose(by=org.lead_a, manager=org.am_a, receivers=receivers)
    assert len(lines) == 300 and {line.account.pk for line in lines} == {a.pk for a in leaving}
    by_group = {}
    for line in lines:
        by_group.setdefault(line.group, set()).add(line.receiver.pk)
    assert all(len(r) == 1 for r in by_group.values())
    assert all(
        line.receiver in (kam, fresh) for line in lines if line.account.tier == Tier.KEY
    )  # both are KAMs
    load = bulk.current_load(receivers)
    for line in lines:
        load[line.receiver.pk] += bulk.tier_weight(line.account.tier)
    spread = max(load.values()) - min(load.values())
    assert spread <= 2 * bulk.tier_weight(Tier.KEY) + 6 * bulk.tier_weight(Tier.B)  # within one big group
    assert sum(1 for line in lines if line.receiver == busy) < sum(
        1 for line in lines if line.receiver == fresh
    )


def test_execute_moves_all_300_and_keeps_the_invariant(
    org, leaving, receivers, django_assert_max_num_queries
):
    lines = bulk.propose(by=org.lead_a, manager=org.am_a, receivers=receivers)
    plan = {line.account.pk: line.receiver for line in lines}
    moved = bulk.execute(
        by=org.lead_a, manager=org.am_a, plan=plan, reason=ChangeReason.DEPARTURE, comment="Увольнение"
    )
    assert moved == 300
    assert not Account.objects.filter(responsible_manager=org.am_a).exists()
    for account in Account.objects.filter(pk__in=plan):
        assert ownership.check_invariant(account) == []
        assert account.responsible_manager_id == plan[account.pk].pk
    assert OwnershipPeriod.objects.filter(reason=ChangeReason.DEPARTURE).count() == 300
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred invariant trigger agrees


def test_one_refused_move_moves_nothing(org, leaving, receivers):
    lines = bulk.propose(by=org.lead_a, manager=org.am_a, receivers=receivers)
    plan = {line.account.pk: line.receiver for line in lines}
    outsider_team = org.am_b  # not in lead_a's tree
    plan[leaving[-1].pk] = outsider_team
    with pytest.raises(PermissionDenied):
        bulk.execute(by=org.lead_a, manager=org.am_a, plan=plan, reason=ChangeReason.DEPARTURE)
    assert Account.objects.filter(responsible_manager=org.am_a).count() == 300


def test_splitting_a_holding_is_refused(org, leaving, receivers):
    lines = bulk.propose(by=org.lead_a, manager=org.am_a, receivers=receivers)
    plan = {line.account.pk: line.receiver for line in lines}
    holding_member = next(a for a in leaving if a.parent_id)
    plan[holding_member.pk] = next(r for r in receivers if r != plan[holding_member.pk])
    with pytest.raises(ValidationError):
        bulk.execute(by=org.lead_a, manager=org.am_a, plan=plan, reason=ChangeReason.DEPARTURE)
    assert Account.objects.filter(responsible_manager=org.am_a).count() == 300


def test_nobody_outside_the_chain_of_command_moves_a_portfolio(org, leaving, receivers):
    lines = bulk.propose(by=org.am_a1, manager=org.am_a, receivers=receivers)
    assert lines == []  # he does not even see the portfolio
    with pytest.raises(ValidationError):
        bulk.execute(
            by=org.am_a1, manager=org.am_a, plan={leaving[0].pk: receivers[0]}, reason=ChangeReason.DEPARTURE
        )
