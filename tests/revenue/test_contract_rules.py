"""Contracts: defaults, the refusals (nothing saved), the version check, renewal, termination, expiry."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orbit.accounts import services as account_services
from orbit.common.errors import ConflictError
from orbit.revenue import contracts
from orbit.revenue.models import Contract, ContractStatus
from tests.factories import make_account

D = Decimal
JAN1, DEC31 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a)


def _create(org, account, **fields):
    fields.setdefault("number", "Д-1")
    fields.setdefault("starts_on", JAN1)
    return contracts.contract_create(by=org.am_a, account=account, **fields)


def test_manager_defaults_to_the_responsible_one_and_renewal_day_to_the_end(org, account):
    contract = _create(org, account, ends_on=DEC31, notice_days=30, amount=D("1200000.00"))
    assert contract.manager == org.am_a
    assert contract.renewal_on == DEC31
    assert contracts.notice_deadline(contract) == dt.date(2026, 12, 1)  # 31.12 − 30 days
    assert contract.status == ContractStatus.ACTIVE and contract.created_by == org.am_a


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"ends_on": dt.date(2025, 12, 31)}, "ends_on"),
        ({"amount": D("-0.01")}, "amount"),
        ({"auto_renewal": True, "ends_on": DEC31}, "renewal_months"),
        ({"number": "  "}, "number"),
        ({"renewal_on": dt.date(2027, 1, 1), "ends_on": DEC31}, "renewal_on"),
    ],
)
def test_a_bad_contract_is_refused_at_its_field_and_nothing_is_saved(org, account, fields, field):
    with pytest.raises(ValidationError) as exc:
        _create(org, account, **fields)
    assert field in exc.value.message_dict
    assert not Contract.objects.exists()


def test_a_duplicate_number_on_the_same_account_is_refused(org, account):
    _create(org, account)
    with pytest.raises(ValidationError) as exc:
        _create(org, account)
    assert "Д-1" in exc.value.message_dict["number"][0]
    other = make_account(org.head, org.am_a)
    _create(org, other)  # the same number on another account is another contract
    assert Contract.objects.count() == 2


def test_an_archived_account_takes_no_contract(org, account):
    account_services.account_archive(by=org.head, account=account)
    with pytest.raises(ValidationError) as exc:
        _create(org, account)
    assert "account" in exc.value.message_dict
    assert not Contract.objects.exists()


def test_those_who_may_not_bill_are_refused_before_anything_is_written(org, account):
    for person in (org.auditor, org.am_b, org.outsider):
        with pytest.raises(PermissionDenied):
            contracts.contract_create(by=person, account=account, number="Д-9", starts_on=JAN1)
    assert not Contract.objects.exists()


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(org, account):
    contract = _create(org, account, ends_on=DEC31)
    stale = contract.version
    contracts.contract_update(by=org.lead_a, contract=contract, version=stale, subject="Поставка")
    with pytest.raises(ConflictError) as exc:
        contracts.contract_update(by=org.am_a, contract=contract, version=stale, subject="Сервис")
    assert exc.value.current.version == stale + 1
    contract.refresh_from_db()
    assert contract.subject == "Поставка"


def test_a_changed_end_moves_the_default_renewal_day(org, account):
    contract = _create(org, account, ends_on=DEC31)
    changed = contracts.contract_update(
        by=org.am_a,
        contract=contract,
        version=contract.version,
        ends_on=dt.date(2027, 6, 30),
        renewal_on=None,
    )
    assert changed.renewal_on == dt.date(2027, 6, 30)


def test_auto_renewal_adds_its_period_to_the_old_end(org, account):
    contract = _create(org, account, ends_on=DEC31, auto_renewal=True, renewal_months=12, notice_days=30)
    renewed = contracts.contract_renew(by=org.am_a, contract=contract)
    assert renewed.ends_on == dt.date(2027, 12, 31)
    assert renewed.renewal_on == dt.date(2027, 12, 31)
    assert contracts.notice_deadline(renewed) == dt.date(2027, 12, 1)


def test_a_manual_renewal_takes_new_dates_and_refuses_an_earlier_end(org, account):
    contract = _create(org, account, ends_on=DEC31)
    with pytest.raises(ValidationError) as exc:
        contracts.contract_renew(by=org.am_a, contract=contract)  # no period of its own: say the new end
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        contracts.contract_renew(by=org.am_a, contract=contract, ends_on=dt.date(2026, 6, 30))
    renewed = contracts.contract_renew(
        by=org.am_a, contract=contract, ends_on=dt.date(2027, 3, 31), renewal_on=dt.date(2027, 3, 1)
    )
    assert (renewed.ends_on, renewed.renewal_on) == (dt.date(2027, 3, 31), dt.date(2027, 3, 1))


def test_a_month_later_than_the_31st_is_the_months_last_day():
    assert contracts.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert contracts.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert contracts.add_months(dt.date(2026, 11, 30), 14) == dt.date(2028, 1, 30)


def test_termination_needs_a_date_and_a_reason_and_ends_all_changes(org, account):
    contract = _create(org, account, ends_on=DEC31)
    with pytest.raises(ValidationError) as exc:
        contracts.contract_terminate(
            by=org.am_a, contract=contract, terminated_on=dt.date(2025, 1, 1), reason=""
        )
    assert set(exc.value.message_dict) == {"terminated_on", "reason"}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    done = contracts.contract_terminate(
        by=org.am_a, contract=contract, terminated_on=dt.date(2026, 6, 30), reason="Клиент ушёл к конкуренту"
    )
    assert (done.status, done.terminated_on) == (ContractStatus.TERMINATED, dt.date(2026, 6, 30))
    with pytest.raises(ValidationError):
        contracts.contract_update(by=org.am_a, contract=done, version=done.version, subject="x")
    with pytest.raises(ValidationError):
        contracts.contract_renew(by=org.am_a, contract=done, ends_on=dt.date(2027, 12, 31))


def test_the_morning_run_expires_ended_contracts_and_renews_auto_renewing_ones(org, account):
    ended = _create(org, account, number="Д-1", ends_on=dt.date(2026, 11, 30))
    rolling = _create(
        org, account, number="Д-2", ends_on=dt.date(2026, 9, 30), auto_renewal=True, renewal_months=1
    )
    running = _create(org, account, number="Д-3", ends_on=dt.date(2026, 12, 1))
    today = dt.date(2026, 12, 1)
    assert contracts.display_status(ended, today) == ContractStatus.EXPIRED  # before the run, on read
    assert contracts.contracts_roll(today) == (1, 1)
    ended.refresh_from_db()
    rolling.refresh_from_db()
    running.refresh_from_db()
    assert ended.status == ContractStatus.EXPIRED
    # 30.09 + 1 month = 30.10 (past), + 1 = 30.11 (past), + 1 = 30.12: three periods bring the end past today
    assert (rolling.status, rolling.ends_on, rolling.renewal_on) == (
        ContractStatus.ACTIVE,
        dt.date(2026, 12, 30),
        dt.date(2026, 12, 30),
    )
    assert running.status == ContractStatus.ACTIVE  # its last day is today
    # An expired contract can be renewed by hand: it is active again.
    renewed = contracts.contract_renew(by=org.am_a, contract=ended, ends_on=dt.date(2027, 11, 30))
    assert renewed.status == ContractStatus.ACTIVE


def test_the_daily_reminders_run_the_contracts_roll(org, account):
    from orbit.notifications.reminders import send_reminders

    _create(org, account, ends_on=dt.date(2026, 11, 30))
    count = send_reminders(dt.date(2026, 12, 1))
    assert (count.contracts_renewed, count.contracts_expired) == (0, 1)
    assert Contract.objects.get().status == ContractStatus.EXPIRED


def test_the_watcher_is_reminded_in_the_last_week_before_the_notice_deadline(org, account):
    from orbit.notifications.kinds import Kind
    from orbit.notifications.models import Notification
    from orbit.revenue.contracts import remind_notice_deadlines

    today = dt.date(2026, 12, 1)
    # ends 17.12, notice 10 days: the last day to give notice is 07.12 — within the week
    soon = _create(org, account, number="Д-1", ends_on=dt.date(2026, 12, 17), notice_days=10)
    # ends 19.12, notice 10 days: 09.12 — eight days away, not yet
    _create(org, account, number="Д-2", ends_on=dt.date(2026, 12, 19), notice_days=10)
    # the notice day has passed (30.11): notice changes nothing any more
    _create(org, account, number="Д-3", ends_on=dt.date(2026, 12, 10), notice_days=10)
    assert remind_notice_deadlines(today) == 1
    assert remind_notice_deadlines(today) == 0  # the same morning again tells nobody twice
    note = Notification.objects.get(kind=Kind.CONTRACT_NOTICE)
    assert note.recipient == org.am_a and str(soon.pk) in note.url and "Д-1" in note.title
