"""Accounts written together (a whole base imported) skip the per-row ownership triggers and are checked once,
set-based, with the same rules (orbit/accounts/ownership_bulk.py); rows written outside the block keep the
per-row guard."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from orbit.accounts import ownership, ownership_bulk
from orbit.accounts.models import AccountStatus, ChangeReason, OwnershipPeriod
from tests.clock import local
from tests.factories import make_account

pytestmark = pytest.mark.usefixtures("postgres_only")

T0 = local(2026, 3, 2, 10)


def _immediate_checks():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _break(org, account, breakage):
    if breakage == "no_open_period":
        OwnershipPeriod.objects.filter(account=account).delete()
    elif breakage == "owner_differs":
        account.responsible_manager = org.am_b
        account.save(update_fields=["responsible_manager"])
    else:  # a gap between two periods
        ownership.transfer(
            account=account,
            manager=org.am_b,
            by=org.head,
            reason=ChangeReason.REASSIGNMENT,
            at=T0 + dt.timedelta(days=5),
        )
        first = account.ownership_periods.order_by("started_at").first()
        first.ended_at = T0 + dt.timedelta(days=4)
        first.save()


@pytest.mark.parametrize("breakage", ["no_open_period", "owner_differs", "gap"])
def test_a_broken_account_written_together_is_refused_when_the_block_ends(org, breakage):
    account = make_account(org.head, org.am_a, at=T0)
    with (
        pytest.raises(IntegrityError, match=f"account {account.pk} breaks"),
        transaction.atomic(),
        ownership_bulk.checked_together([account.pk]),
    ):
        _break(org, account, breakage)


def test_accounts_kept_whole_pass_and_leave_no_check_for_the_commit(org):
    accounts = [make_account(org.head, org.am_a, at=T0) for _ in range(3)]
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    with transaction.atomic():
        with ownership_bulk.checked_together([a.pk for a in [*accounts, prospect]]):
            for account in accounts:  # broken for a moment, whole again by the end of the block
                ownership.transfer(
                    account=account, manager=org.am_b, by=org.head, reason=ChangeReason.REASSIGNMENT
                )
        _immediate_checks()
    assert {a.responsible_manager_id for a in accounts} == {org.am_b.pk}


def test_rows_written_after_the_block_keep_the_per_row_guard(org):
    inside, after = make_account(org.head, org.am_a, at=T0), make_account(org.head, org.am_a, at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        with ownership_bulk.checked_together([inside.pk]):
            pass
        _break(org, after, "owner_differs")
        _immediate_checks()


def test_a_block_rolled_back_to_its_savepoint_leaves_the_guard_on(org):
    account = make_account(org.head, org.am_a, at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic(), ownership_bulk.checked_together([account.pk]):
            raise RuntimeError("the import failed")
        _break(org, account, "owner_differs")
        _immediate_checks()
