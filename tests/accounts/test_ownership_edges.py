"""Edges of the ownership ledger that a mutation run (issue 18, `make mutation`) showed no test pinned down:
the day boundary of `responsible_on`, transfers onto a history of closed periods only, and `check_invariant`
shown broken histories (each rule must report, not only the happy `[]`)."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from orbit.accounts import ownership
from orbit.accounts.models import Account, AccountStatus, ChangeReason, OwnershipPeriod
from orbit.activities.services import task_create, touch_plan
from tests.clock import local
from tests.factories import make_account

T0 = local(2024, 1, 10, 12, 0)
DAY = dt.timedelta(days=1)


def _transfer(account, manager, by, at):
    return ownership.transfer(
        account=account, manager=manager, by=by, reason=ChangeReason.REASSIGNMENT, at=at
    )


# --- responsible_on at the day boundary -----------------------------------------------------------------


def test_a_change_at_local_midnight_belongs_to_the_new_day(org):
    account = make_account(org.head, org.am_a, at=T0)
    midnight = local(2024, 3, 1)  # 00:00 local time
    _transfer(account, org.am_b, org.head, midnight)
    assert ownership.responsible_on(account, dt.date(2024, 2, 29)) == org.am_a  # the previous day ended his
    assert ownership.responsible_on(account, dt.date(2024, 3, 1)) == org.am_b
    assert ownership.responsible_on(account, midnight) == org.am_b
    assert ownership.responsible_on(account, midnight - dt.timedelta(microseconds=1)) == org.am_a


def test_a_change_in_the_last_microsecond_of_a_day_counts_for_that_day(org):
    """For a date, the manager at the very end of that local day: 23:59:59.999999 is still that day."""
    account = make_account(org.head, org.am_a, at=T0)
    last_moment = local(2024, 2, 29, 23, 59, 59, 999999)
    _transfer(account, org.am_b, org.head, last_moment)
    assert ownership.responsible_on(account, dt.date(2024, 2, 29)) == org.am_b
    assert ownership.responsible_on(account, dt.date(2024, 2, 28)) == org.am_a


def test_responsible_on_a_date_uses_the_local_day_not_utc(org, settings):
    settings.TIME_ZONE = "Asia/Vladivostok"  # UTC+10: 08:00 local is still the previous UTC day
    account = make_account(org.head, org.am_a, at=T0)
    _transfer(account, org.am_b, org.head, local(2024, 3, 1, 8, 0))
    assert ownership.responsible_on(account, dt.date(2024, 2, 29)) == org.am_a
    assert ownership.responsible_on(account, dt.date(2024, 3, 1)) == org.am_b


def test_responsible_on_takes_an_account_or_its_id_and_looks_only_at_that_account(org):
    account = make_account(org.head, org.am_a, at=T0)
    make_account(org.head, org.am_b, at=T0 - DAY)  # an older history of another account
    assert ownership.responsible_on(account.pk, T0) == org.am_a
    assert ownership.responsible_on(account, T0 - dt.timedelta(seconds=1)) is None


# --- transfers onto a history of closed periods only ------------------------------------------------------


def _prospect_whose_owner_let_go(org, end):
    """A prospect whose only period is closed: nobody is responsible for it now."""
    prospect = make_account(org.sales, org.sales, status=AccountStatus.PROSPECT, at=T0)
    OwnershipPeriod.objects.filter(account=prospect).update(ended_at=end)
    Account.objects.filter(pk=prospect.pk).update(responsible_manager=None)
    prospect.refresh_from_db()
    assert ownership.check_invariant(prospect) == []  # a prospect may have nobody
    return prospect


def test_transfer_backdated_before_the_last_closed_period_ends_is_a_form_error(org):
    end = T0 + 10 * DAY
    prospect = _prospect_whose_owner_let_go(org, end)
    with pytest.raises(ValidationError) as refused:
        _transfer(prospect, org.am_a, org.head, end - dt.timedelta(seconds=1))
    assert "at" in refused.value.message_dict  # the form shows it at the date field, not a database error
    prospect.refresh_from_db()
    assert prospect.responsible_manager is None
    assert list(OwnershipPeriod.objects.filter(account=prospect).values_list("ended_at", flat=True)) == [end]


def test_transfer_exactly_where_the_last_closed_period_ended_is_accepted(org):
    end = T0 + 10 * DAY
    prospect = _prospect_whose_owner_let_go(org, end)
    period = _transfer(prospect, org.am_a, org.head, end)
    assert (period.started_at, period.ended_at, period.manager) == (end, None, org.am_a)
    prospect.refresh_from_db()
    assert prospect.responsible_manager == org.am_a
    assert ownership.check_invariant(prospect) == []


def test_another_accounts_later_history_does_not_block_a_transfer(org):
    end = T0 + 10 * DAY
    prospect = _prospect_whose_owner_let_go(org, end)
    other = make_account(org.head, org.am_b, at=T0)
    _transfer(other, org.am_a, org.head, end + 10 * DAY)  # another account had a manager until after `end`
    _transfer(prospect, org.am_a, org.head, end)  # accepted: only this account's history counts


# --- transfer's own guards ---------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", ["inactive", "no_owner_role"])
def test_transfer_to_someone_who_cannot_own_is_refused_at_the_manager_field_with_his_name(org, problem):
    account = make_account(org.head, org.am_a, at=T0)
    target = org.am_b if problem == "inactive" else org.outsider
    if problem == "inactive":
        target.is_active = False
        target.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as refused:
        _transfer(account, target, org.head, T0 + DAY)
    assert str(target) in refused.value.message_dict["responsible_manager"][0]


def test_transfer_to_the_current_manager_is_refused_at_the_manager_field(org):
    account = make_account(org.head, org.am_a, at=T0)
    with pytest.raises(ValidationError) as refused:
        _transfer(account, org.am_a, org.head, T0 + DAY)
    assert "responsible_manager" in refused.value.message_dict


def test_transfer_at_the_current_periods_start_is_refused_at_the_date_field(org):
    account = make_account(org.head, org.am_a, at=T0)
    with pytest.raises(ValidationError) as refused:
        _transfer(account, org.am_b, org.head, T0)
    assert "at" in refused.value.message_dict
    assert "(10.01.2024 12:00)" in refused.value.message_dict["at"][0]  # the start, in local time


def test_transfer_one_microsecond_after_the_start_is_accepted(org):
    account = make_account(org.head, org.am_a, at=T0)
    _transfer(account, org.am_b, org.head, T0 + dt.timedelta(microseconds=1))
    account.refresh_from_db()
    assert account.responsible_manager == org.am_b


def test_transfer_bumps_the_version_by_one_and_updates_the_callers_object(org):
    account = make_account(org.head, org.am_a, at=T0)
    stored = Account.objects.get(pk=account.pk)
    before = stored.version
    _transfer(stored, org.am_b, org.head, T0 + DAY)
    assert (stored.version, stored.responsible_manager) == (before + 1, org.am_b)
    assert Account.objects.get(pk=account.pk).version == before + 1


def test_transfer_without_a_moment_starts_now(org):
    account = make_account(org.head, org.am_a, at=T0)
    before = timezone.now()
    period = ownership.transfer(
        account=account, manager=org.am_b, by=org.head, reason=ChangeReason.REASSIGNMENT
    )
    assert before <= period.started_at <= timezone.now()


def test_transfer_moves_the_old_managers_open_work_on_the_account_to_the_new_one(org):
    account = make_account(org.head, org.am_a, at=T0)
    elsewhere = make_account(org.head, org.am_a, at=T0)
    today = timezone.localdate()
    touch = touch_plan(by=org.am_a, account=account, planned_for=today)
    task = task_create(by=org.am_a, title="Позвонить", assignee=org.am_a, due_on=today, account=account)
    other_touch = touch_plan(by=org.am_a, account=elsewhere, planned_for=today)
    _transfer(account, org.am_b, org.head, timezone.now())
    touch.refresh_from_db()
    task.refresh_from_db()
    other_touch.refresh_from_db()
    assert (touch.owner, task.assignee) == (org.am_b, org.am_b)
    assert other_touch.owner == org.am_a  # another account's work stays


def test_transfer_records_who_made_the_change(org):
    account = make_account(org.head, org.am_a, at=T0)
    _transfer(account, org.am_b, org.lead_a, T0 + DAY)
    latest = account.history.order_by("-history_date").first()
    assert latest.history_user == org.lead_a


# --- check_invariant shown broken histories ----------------------------------------------------------------


class _RollBack(Exception):
    pass


@contextmanager
def broken_history_allowed():
    """Inside: the database's immediate guards (one open period, no overlap) are lifted, so a broken history
    can be written; the deferred trigger would only fire at commit. Everything is rolled back at the end."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX accounts_ownership_one_open_period")
                if connection.vendor == "postgresql":
                    cursor.execute(
                        "ALTER TABLE accounts_ownershipperiod DROP CONSTRAINT accounts_ownership_no_overlap"
                    )
            yield
            raise _RollBack
    except _RollBack:
        pass


def _history(org, *periods, status=AccountStatus.ACTIVE):
    """An account with these (manager, start, end) periods written as they are, right or wrong."""
    account = make_account(org.head, org.am_a, at=T0)
    OwnershipPeriod.objects.filter(account=account).delete()
    for manager, start, end in periods:
        OwnershipPeriod.objects.create(
            account=account, manager=manager, started_at=start, ended_at=end, reason=ChangeReason.REASSIGNMENT
        )
    Account.objects.filter(pk=account.pk).update(status=status)
    account.refresh_from_db()
    return account


def _ids(account):
    return list(
        OwnershipPeriod.objects.filter(account=account).order_by("started_at").values_list("pk", flat=True)
    )


def test_check_invariant_reports_a_gap(org):
    with broken_history_allowed():
        account = _history(org, (org.am_b, T0, T0 + DAY), (org.am_a, T0 + 2 * DAY, None))
        first, second = _ids(account)
        assert ownership.check_invariant(account) == [f"gap or overlap between {first} and {second}"]


def test_check_invariant_reports_an_overlap(org):
    with broken_history_allowed():
        account = _history(org, (org.am_b, T0, T0 + 2 * DAY), (org.am_a, T0 + DAY, None))
        first, second = _ids(account)
        assert ownership.check_invariant(account) == [f"gap or overlap between {first} and {second}"]


def test_check_invariant_reports_two_open_periods(org):
    with broken_history_allowed():
        account = _history(org, (org.am_a, T0, None), (org.am_b, T0 + DAY, None))
        first, second = _ids(account)
        assert ownership.check_invariant(account) == [
            "more than one open period",
            "a non-prospect account without exactly one open period",
            f"gap or overlap between {first} and {second}",
        ]


def test_check_invariant_reports_a_client_with_no_open_period(org):
    with broken_history_allowed():
        account = _history(org, (org.am_a, T0, T0 + DAY))
        assert ownership.check_invariant(account) == [
            "a non-prospect account without exactly one open period"
        ]


def test_check_invariant_accepts_a_prospect_with_no_open_period(org):
    with broken_history_allowed():
        account = _history(org, (org.am_a, T0, T0 + DAY), status=AccountStatus.PROSPECT)
        assert ownership.check_invariant(account) == []


def test_check_invariant_reports_an_owner_who_is_not_the_open_periods_manager(org):
    with broken_history_allowed():
        account = _history(org, (org.am_b, T0, T0 + DAY), (org.am_b, T0 + DAY, None))  # account says am_a
        assert ownership.check_invariant(account) == [
            "account.responsible_manager differs from the open period"
        ]


def test_check_invariant_of_a_sound_history_is_empty_next_to_other_accounts(org):
    with broken_history_allowed():
        account = _history(org, (org.am_b, T0, T0 + DAY), (org.am_a, T0 + DAY, None))
        make_account(org.head, org.am_b, at=T0 + dt.timedelta(hours=1))  # interleaves with this history
        assert ownership.check_invariant(account) == []


def test_broken_histories_are_rolled_back_and_the_guards_come_back(org):
    with broken_history_allowed():
        account = _history(org, (org.am_a, T0, None), (org.am_b, T0 + DAY, None))
    assert not OwnershipPeriod.objects.filter(account_id=account.pk).exists()
    sound = make_account(org.head, org.am_a, at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipPeriod.objects.create(
            account=sound, manager=org.am_b, started_at=T0 + DAY, reason=ChangeReason.REASSIGNMENT
        )
