import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbit.accounts import ownership
from orbit.accounts.models import AccountStatus, ChangeReason, OwnershipPeriod
from tests.clock import local
from tests.factories import make_account, make_user

T0 = local(2024, 1, 10, 12, 0)


def test_first_assignment_opens_one_period(org):
    account = make_account(org.head, org.am_a)
    periods = list(account.ownership_periods.all())
    assert [(p.manager, p.ended_at, p.reason) for p in periods] == [(org.am_a, None, ChangeReason.INITIAL)]
    assert account.responsible_manager == org.am_a
    assert ownership.check_invariant(account) == []


def test_transfer_closes_current_period_exactly_where_the_next_starts(org):
    account = make_account(org.head, org.am_a, at=T0)
    moment = T0 + dt.timedelta(days=30)
    ownership.transfer(
        account=account, manager=org.am_b, by=org.head, reason=ChangeReason.VACATION, at=moment
    )
    first, second = account.ownership_periods.order_by("started_at")
    assert first.ended_at == second.started_at == moment
    assert (second.manager, second.changed_by, second.ended_at) == (org.am_b, org.head, None)
    account.refresh_from_db()
    assert account.responsible_manager == org.am_b
    assert ownership.check_invariant(account) == []


@pytest.mark.clock
def test_who_was_responsible_on_a_date(org):
    account = make_account(org.head, org.am_a, at=T0)
    switch = local(2024, 3, 1, 15, 30)
    ownership.transfer(
        account=account, manager=org.am_b, by=org.head, reason=ChangeReason.REASSIGNMENT, at=switch
    )
    assert ownership.responsible_on(account, dt.date(2024, 1, 9)) is None
    assert ownership.responsible_on(account, dt.date(2024, 1, 10)) == org.am_a
    assert ownership.responsible_on(account, dt.date(2024, 2, 29)) == org.am_a
    # On the day of the change the manager at the end of the day counts.
    assert ownership.responsible_on(account, dt.date(2024, 3, 1)) == org.am_b
    assert ownership.responsible_on(account, switch - dt.timedelta(seconds=1)) == org.am_a
    assert ownership.responsible_on(account, switch) == org.am_b
    assert ownership.responsible_on(account, dt.date(2030, 1, 1)) == org.am_b


@pytest.mark.parametrize("problem", ["inactive", "no_role", "same", "backdated"])
def test_refused_transfers_leave_ownership_intact(org, problem):
    account = make_account(org.head, org.am_a, at=T0)
    target, at = org.am_b, T0 + dt.timedelta(days=1)
    if problem == "inactive":
        target.is_active = False
        target.save()
    elif problem == "no_role":
        target = org.outsider
    elif problem == "same":
        target = org.am_a
    else:
        at = T0 - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        ownership.transfer(
            account=account, manager=target, by=org.head, reason=ChangeReason.REASSIGNMENT, at=at
        )
    account.refresh_from_db()
    assert account.responsible_manager == org.am_a
    assert account.ownership_periods.count() == 1
    assert ownership.check_invariant(account) == []


def test_database_refuses_two_open_periods(org):
    account = make_account(org.head, org.am_a, at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipPeriod.objects.create(
            account=account,
            manager=org.am_b,
            started_at=T0 + dt.timedelta(days=2),
            reason=ChangeReason.REASSIGNMENT,
        )


@pytest.mark.usefixtures("postgres_only")
def test_database_refuses_overlapping_periods(org):
    account = make_account(org.head, org.am_a, at=T0 + dt.timedelta(days=10))
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipPeriod.objects.create(
            account=account,
            manager=org.am_b,
            started_at=T0,
            ended_at=T0 + dt.timedelta(days=11),
            reason=ChangeReason.REASSIGNMENT,
        )


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("breakage", ["close_open_period", "gap", "owner_mismatch"])
def test_database_refuses_broken_history_at_commit(org, breakage):
    account = make_account(org.head, org.am_a, at=T0)
    ownership.transfer(
        account=account,
        manager=org.am_b,
        by=org.head,
        reason=ChangeReason.REASSIGNMENT,
        at=T0 + dt.timedelta(days=5),
    )
    first, second = account.ownership_periods.order_by("started_at")
    with pytest.raises(IntegrityError), transaction.atomic():
        if breakage == "close_open_period":
            second.ended_at = T0 + dt.timedelta(days=6)
            second.save()
        elif breakage == "gap":
            first.ended_at = T0 + dt.timedelta(days=4)
            first.save()
        else:
            account.responsible_manager = org.am_a
            account.save(update_fields=["responsible_manager"])
        # The constraint trigger is deferred to commit; force the check inside this savepoint.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_prospect_may_have_no_owner_but_active_may_not(org):
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    assert prospect.responsible_manager is None
    assert ownership.check_invariant(prospect) == []
    with pytest.raises(IntegrityError), transaction.atomic():
        prospect.status = AccountStatus.ACTIVE
        prospect.save(update_fields=["status"])


_runs = itertools.count()
managers = st.integers(min_value=0, max_value=3)
steps = st.lists(st.tuples(managers, st.integers(min_value=-3, max_value=40)), min_size=1, max_size=12)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_any_sequence_of_reassignments_keeps_the_invariant(sequence):
    """Random reassignments, some to the same person or back in time: refused ones change nothing."""
    run = next(_runs)
    head = make_user(f"head_{run}", "head")
    people = [make_user(f"manager_{run}_{i}", "account_manager") for i in range(4)]
    account = make_account(head, people[0], at=T0)
    moment = T0
    expected_owner = people[0]
    for who, days in sequence:
        at = moment + dt.timedelta(days=days)
        try:
            ownership.transfer(
                account=account, manager=people[who], by=head, reason=ChangeReason.REASSIGNMENT, at=at
            )
        except ValidationError:
            assert people[who] == expected_owner or at <= moment
        else:
            moment, expected_owner = at, people[who]
        account.refresh_from_db()
        assert ownership.check_invariant(account) == []
        assert account.responsible_manager == expected_owner
        assert ownership.responsible_on(account, moment) == expected_owner
