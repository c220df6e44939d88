"""apply(run): the run's dormant and awake changes open and close reactivation cases and move statuses, in a
fixed handful of queries, with the account's history telling why."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from orbit.accounts.history import account_timeline
from orbit.accounts.models import Account, AccountStatus, OwnershipPeriod
from orbit.analytics import dormancy
from orbit.analytics.models import ReactivationCase, ReactivationStatus, SegmentChange
from tests.analytics.rows import done_run, metrics
from tests.factories import make_account

AS_OF = dt.date(2026, 11, 30)


def _dormant(account, run, last="2026-08-28"):
    return SegmentChange.objects.create(
        account=account, run=run, on=run.as_of, kind="dormant", old="", new=last
    )


def _awake(account, run, before="2026-08-28", bought="2026-11-20"):
    return SegmentChange.objects.create(
        account=account, run=run, on=run.as_of, kind="awake", old=before, new=bought
    )


@pytest.fixture
def run(db):
    return done_run(AS_OF)


def test_dormant_opens_a_case_and_moves_the_status_with_a_history_record(org, run):
    account = make_account(org.head, org.am_a)
    metrics(account, run, typical_interval_days="21.0", last_purchase_on=dt.date(2026, 8, 28))
    _dormant(account, run)
    version = Account.objects.get(pk=account.pk).version
    assert dormancy.apply(run) == {"opened": 1, "dormant": 1, "reactivated": 0, "came_back": 0}
    case = ReactivationCase.objects.get(account=account)
    assert (case.manager, case.opened_on, case.last_purchase_on, case.status) == (
        org.am_a,
        AS_OF,
        dt.date(2026, 8, 28),
        ReactivationStatus.OPEN,
    )
    account.refresh_from_db()
    assert account.status == AccountStatus.DORMANT and account.version == version + 1
    record = account.history.first()
    assert record.history_user is None and record.status == "dormant"
    # 28 Aug → 30 Nov: 3 + 30 + 31 + 30 = 94 days silent; interval 21.0 → "21"
    assert record.history_change_reason == f"orbit-analytics:{run.pk}:dormant:94:21"
    with translation.override("en"):
        event = account_timeline(account, kind="account")[0]
    assert event.title == "Orbit: dormant — no purchase for 94 days, typical interval 21 days"
    assert [(c.old, c.new) for c in event.changes] == [("Active", "Dormant")]
    with translation.override("ru"):
        title = account_timeline(account, kind="account")[0].title
    assert "94" in title and "21" in title and "Orbit" in title and "dormant" not in title


def test_applying_twice_changes_nothing_more(org, run):
    account = make_account(org.head, org.am_a)
    _dormant(account, run)
    dormancy.apply(run)
    records = account.history.count()
    assert dormancy.apply(run) == {"opened": 0, "dormant": 0, "reactivated": 0, "came_back": 0}
    assert ReactivationCase.objects.filter(account=account).count() == 1
    assert account.history.count() == records


def test_an_open_case_is_not_opened_again(org, run):
    account = make_account(org.head, org.am_a, status=AccountStatus.DORMANT)  # dormant by hand, case open
    ReactivationCase.objects.create(account=account, manager=org.am_a, opened_on=dt.date(2026, 10, 1))
    _dormant(account, run)
    dormancy.apply(run)
    assert list(ReactivationCase.objects.filter(account=account).values_list("opened_on", flat=True)) == [
        dt.date(2026, 10, 1)
    ]


def test_awake_closes_the_case_as_reactivated_and_the_account_is_reactivated(org, run):
    earlier = done_run(dt.date(2026, 10, 31))
    account = make_account(org.head, org.am_a)
    _dormant(account, earlier)
    dormancy.apply(earlier)
    _awake(account, run)
    assert dormancy.apply(run)["reactivated"] == 1
    case = ReactivationCase.objects.get(account=account)
    assert (case.status, case.closed_on, case.closed_by) == ("reactivated", dt.date(2026, 11, 20), None)
    account.refresh_from_db()
    assert account.status == AccountStatus.REACTIVATED
    assert account.history.first().history_change_reason == f"orbit-analytics:{run.pk}:awake:2026-11-20"
    with translation.override("en"):
        assert (
            account_timeline(account, kind="account")[0].title
            == "Orbit: reactivated — bought again on 2026-11-20"
        )
    dormancy.apply(run)  # twice: nothing more
    assert account.history.filter(status="reactivated").count() == 1


def test_a_churned_account_that_buys_again_is_reactivated(org, run):
    account = make_account(org.head, org.am_a, status=AccountStatus.CHURNED)
    _awake(account, run)
    dormancy.apply(run)
    account.refresh_from_db()
    assert account.status == AccountStatus.REACTIVATED


@pytest.mark.parametrize(
    ("status", "case"),
    [
        (AccountStatus.PROSPECT, False),  # not a client yet: no queue, no status
        (AccountStatus.CHURNED, False),  # a person gave it up already: silence confirms it
        (AccountStatus.HANDOFF, True),  # in the queue; the status is the handoff workflow's
        (AccountStatus.REACTIVATED, True),  # won back, silent again: dormant again
    ],
)
def test_statuses_the_run_leaves_alone_or_moves(org, run, status, case):
    manager = org.am_a
    account = make_account(org.head, manager, status=status)
    _dormant(account, run)
    dormancy.apply(run)
    account.refresh_from_db()
    expected = AccountStatus.DORMANT if status == AccountStatus.REACTIVATED else status
    assert account.status == expected
    assert ReactivationCase.objects.filter(account=account).exists() is case


def test_an_archived_account_is_left_as_archived(org, run):
    from orbit.accounts import services

    account = make_account(org.head, org.am_a)
    services.account_archive(by=org.head, account=account)
    _dormant(account, run)
    dormancy.apply(run)
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE
    assert not ReactivationCase.objects.filter(account=account).exists()


def test_ten_thousand_dormant_accounts_in_a_handful_of_queries(org, run, django_assert_max_num_queries):
    accounts = Account.objects.bulk_create(
        Account(
            legal_name=f"ООО «Клиент {n}»",
            inn=str(7700000000 + n),
            status=AccountStatus.ACTIVE,
            responsible_manager=org.am_a if n % 2 else org.am_b,
        )
        for n in range(10_000)
    )
    now = timezone.now()  # the database checks that each client has its open ownership period
    OwnershipPeriod.objects.bulk_create(
        OwnershipPeriod(account=a, manager_id=a.responsible_manager_id, started_at=now, reason="initial")
        for a in accounts
    )
    SegmentChange.objects.bulk_create(
        SegmentChange(account=a, run=run, on=AS_OF, kind="dormant", new="2026-06-01") for a in accounts
    )
    # changes 1 + open cases 1 + cases 2 batches + lock 1 + update 1 + history 2 batches + awake 1 + savepoint
    with django_assert_max_num_queries(12):
        done = dormancy.apply(run)
    assert done == {"opened": 10_000, "dormant": 10_000, "reactivated": 0, "came_back": 0}
    assert ReactivationCase.objects.filter(status="open").count() == 10_000
    assert Account.objects.filter(status="dormant").count() == 10_000
    assert Account.history.filter(status="dormant", history_user=None).count() == 10_000
