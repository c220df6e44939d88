"""The account's pulse (AccountPulse: last touch, next planned touch, open requests) is kept right by every
writer of touches and requests, in its own transaction; the morning's rebuild then finds nothing to correct."""

import datetime as dt

import pytest
from django.db.models import Max, Min
from django.utils import timezone

from orbit.accounts import merge, ownership, pulse, team
from orbit.accounts.models import NEVER_TOUCHED, NOTHING_PLANNED, AccountPulse, TeamRole
from orbit.activities import services as touches
from orbit.activities.models import CadencePolicy, Touch, TouchStatus
from orbit.requests import services as requests
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import OPEN_STATUSES, Department, Priority, Request, RequestStatus, RequestType
from tests.factories import make_account


def expected(account) -> tuple:
    """The pulse as recomputed here from the touches and requests themselves."""
    done = Touch.objects.filter(account=account, status=TouchStatus.DONE).aggregate(m=Max("happened_at"))["m"]
    planned = Touch.objects.filter(account=account, status=TouchStatus.PLANNED).aggregate(
        m=Min("planned_for")
    )["m"]
    open_requests = Request.objects.filter(account=account, status__in=OPEN_STATUSES).count()
    return (done or NEVER_TOUCHED, planned or NOTHING_PLANNED, open_requests)


def stored(account) -> tuple:
    row = AccountPulse.objects.get(account=account)
    return (row.last_touch_at, row.next_touch_on, row.open_requests)


def assert_kept(*accounts) -> None:
    for account in accounts:
        assert stored(account) == expected(account), account
    assert pulse.rebuild() == 0  # nothing slipped


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a, legal_name="ООО «Пульс»")


def test_every_account_has_its_pulse_from_its_first_moment(org, account):
    assert stored(account) == (NEVER_TOUCHED, NOTHING_PLANNED, 0)


def test_a_missing_row_is_added_back_by_the_rebuild(org, account):
    touches.touch_log(by=org.am_a, account=account, duration_minutes=10)
    AccountPulse.objects.filter(account=account).delete()
    assert pulse.rebuild() >= 1
    assert stored(account) == expected(account)


def test_the_rebuild_corrects_a_row_written_by_hand(org, account):
    touches.touch_log(by=org.am_a, account=account, duration_minutes=10)
    AccountPulse.objects.filter(account=account).update(last_touch_at=NEVER_TOUCHED, open_requests=7)
    assert pulse.rebuild() == 2  # the touch columns and the requests' column, each once
    assert_kept(account)


def test_log_plan_move_complete_cancel_record_and_amend_keep_it(org, account):
    today = timezone.localdate()
    touches.touch_log(by=org.am_a, account=account, duration_minutes=15, next_on=today + dt.timedelta(days=5))
    assert_kept(account)
    assert stored(account)[1] == today + dt.timedelta(days=5)

    sooner = touches.touch_plan(by=org.am_a, account=account, planned_for=today + dt.timedelta(days=2))
    assert_kept(account)
    assert stored(account)[1] == today + dt.timedelta(days=2)

    moved = touches.touch_move(
        by=org.am_a, touch=sooner, version=sooner.version, planned_for=today + dt.timedelta(days=9)
    )
    assert_kept(account)
    assert stored(account)[1] == today + dt.timedelta(days=5)

    touches.touch_cancel(by=org.am_a, touch=Touch.objects.get(pk=moved.pk))
    assert_kept(account)

    planned = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    done = touches.touch_complete(by=org.am_a, touch=planned, version=planned.version, duration_minutes=20)
    assert_kept(account)
    assert stored(account)[0] == done.happened_at

    past = touches.touch_record_past(
        by=org.am_a,
        account=account,
        owner=org.am_a,
        kind="call",
        happened_at=timezone.now() - dt.timedelta(days=400),
        duration_minutes=5,
    )
    assert_kept(account)
    assert stored(account)[0] == done.happened_at  # an older touch leaves the last one as it was

    touches.touch_amend_done(by=org.am_a, touch=past, version=past.version, outcome="Договорились")
    assert_kept(account)


def test_cadence_planning_keeps_it(org, account):
    if not CadencePolicy.objects.filter(is_active=True, tier=account.tier).exists():
        touches.cadence_policy_save(by=org.head, policy=CadencePolicy(tier=account.tier, interval_days=14))
    assert touches.plan_cadence_touches(account_ids=[account.pk]) == 1
    assert_kept(account)
    assert stored(account)[1] == timezone.localdate()  # never touched: due today


def test_ownership_moves_and_leaving_the_team_keep_it(org, account):
    seat = team.team_member_add(by=org.head, account=account, user=org.am_a1, role=TeamRole.SUPPORT_ENGINEER)
    touches.touch_plan(by=org.am_a1, account=account, planned_for=timezone.localdate())
    ownership.transfer(account=account, manager=org.lead_a, by=org.head, reason="reassignment")
    assert_kept(account)
    team.team_member_end(by=org.head, member=seat)  # his planned touch is released (cancelled or moved)
    assert_kept(account)


def test_importing_touches_and_undoing_keep_it(org, account):
    from orbit.imports import touches_undo
    from orbit.imports.models import ImportBatch, ImportedRow

    moment = timezone.now() - dt.timedelta(days=3)
    touch = touches.touch_record_past(
        by=org.am_a, account=account, owner=org.am_a, kind="call", happened_at=moment, duration_minutes=5
    )
    assert stored(account)[0] == moment
    batch = ImportBatch(kind="touches", file_name="касания.csv", by=org.am_a)
    row = ImportedRow(batch=batch, row=2, action="new", object_id=touch.pk, version_after=touch.version)
    touches_undo.undo_touches(org.am_a, batch, [row])
    assert_kept(account)
    assert stored(account)[0] == NEVER_TOUCHED


@pytest.fixture
def support(db):
    ensure_defaults()
    return Department.objects.get(code="support")


def test_requests_created_and_closed_keep_it(org, account, support):
    made = [
        requests.request_create(
            by=org.am_a,
            account=account,
            request_type=RequestType.DOCUMENTS,
            priority=Priority.NORMAL,
            department=support,
            subject=f"Акт сверки {n}",
        )
        for n in range(2)
    ]
    assert_kept(account)
    assert stored(account)[2] == 2
    first = made[0]
    first = requests.request_change_status(
        by=org.am_a, request=first, status=RequestStatus.IN_PROGRESS, version=first.version
    )
    assert stored(account)[2] == 2  # still open
    requests.request_change_status(
        by=org.am_a, request=first, status=RequestStatus.RESOLVED, version=first.version, comment="Готово"
    )
    assert_kept(account)
    assert stored(account)[2] == 1


def test_merging_accounts_keeps_both(org, account, support):
    gone = make_account(org.head, org.am_a, legal_name="ООО «Пульс» (дубль)")
    touches.touch_log(by=org.am_a, account=gone, duration_minutes=10)
    requests.request_create(
        by=org.am_a,
        account=gone,
        request_type=RequestType.DOCUMENTS,
        priority=Priority.NORMAL,
        department=support,
        subject="Счёт",
    )
    account.refresh_from_db()
    gone.refresh_from_db()
    merge.merge_accounts(
        by=org.head, keep=account, merged=gone, keep_version=account.version, merged_version=gone.version
    )
    assert_kept(account, gone)
    assert stored(account)[2] == 1 and stored(gone) == (NEVER_TOUCHED, NOTHING_PLANNED, 0)


def test_the_insert_trigger_covers_bulk_inserts(org):
    """An import's bulk insert (or bench's COPY) passes no service: the database adds the rows itself."""
    from orbit.accounts.models import Account

    Account.objects.bulk_create(
        [
            Account(
                legal_name=f"ООО «Новый {n}»", inn=f"770708389{n}", status="prospect", created_by=org.head
            )
            for n in range(2)
        ]
    )
    assert AccountPulse.objects.count() == Account.objects.count() == 2


def test_the_upgrade_migrations_fill_the_pulse_of_existing_accounts(org, account, support):
    """accounts 0017 makes the rows at their "nothing yet" values; the activities and requests migrations after
    it fill them with what each account already has, so an upgraded base lists them right at once."""
    from importlib import import_module

    from django.db import connection

    quiet = make_account(org.head, org.am_a, legal_name="ООО «Тишина»")
    touches.touch_log(by=org.am_a, account=account, duration_minutes=10)
    touches.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate() + dt.timedelta(days=3))
    for n, status in enumerate((RequestStatus.NEW, RequestStatus.RESOLVED)):
        made = requests.request_create(
            by=org.am_a,
            account=account,
            request_type=RequestType.DOCUMENTS,
            priority=Priority.NORMAL,
            department=support,
            subject=f"Запрос {n}",
        )
        if status == RequestStatus.RESOLVED:
            made = requests.request_change_status(
                by=org.am_a, request=made, status=RequestStatus.IN_PROGRESS, version=made.version
            )
            requests.request_change_status(
                by=org.am_a, request=made, status=status, version=made.version, comment="Готово"
            )
    AccountPulse.objects.update(last_touch_at=NEVER_TOUCHED, next_touch_on=NOTHING_PLANNED, open_requests=0)
    with connection.cursor() as cursor:
        for migration in ("orbit.activities.migrations.0005_fill_account_pulse",
                          "orbit.requests.migrations.0004_fill_account_pulse"):  # fmt: skip
            cursor.execute(import_module(migration).FILL)
    assert stored(account) == expected(account) and stored(account)[2] == 1
    assert stored(account)[0] != NEVER_TOUCHED and stored(account)[1] != NOTHING_PLANNED
    assert stored(quiet) == (NEVER_TOUCHED, NOTHING_PLANNED, 0)
    assert pulse.rebuild() == 0
