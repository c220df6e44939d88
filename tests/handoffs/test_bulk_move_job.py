"""A portfolio move runs in the background worker, reports progress, and is all or nothing there too."""

import pytest
from django.core.cache import caches

from orbit.accounts import ownership
from orbit.accounts.models import Account, ChangeReason
from orbit.handoffs import bulk
from orbit.handoffs.models import BulkMove, BulkMoveStatus
from tests.factories import make_account
from tests.worker import run_db_worker, use_database_tasks


def _portfolio(org, n):
    return [make_account(org.head, org.am_a, legal_name=f"ООО «Клиент {k}»") for k in range(n)]


def test_progress_is_reported_while_the_move_runs(org):
    accounts = _portfolio(org, 25)
    seen = []
    bulk.PROGRESS_EVERY, saved = 10, bulk.PROGRESS_EVERY
    move = bulk.start(
        by=org.lead_a, manager=org.am_a, plan={a.pk: org.am_a1 for a in accounts}, reason="departure"
    )
    cache = caches["progress"]
    original = cache.set
    cache.set = lambda key, value, timeout=None: (
        seen.append(value) if key == bulk.progress_key(move) else None,
        original(key, value, timeout),
    )
    try:
        bulk.run_move(BulkMove.objects.get(pk=move.pk))
    finally:
        cache.set, bulk.PROGRESS_EVERY = original, saved
    assert seen == [10, 20, 25]
    move.refresh_from_db()
    assert (move.status, move.moved, move.error) == (BulkMoveStatus.DONE, 25, "")
    assert bulk.moved_so_far(move) == 25


def test_a_change_between_the_check_and_the_run_refuses_everything(org):
    accounts = _portfolio(org, 3)
    move = bulk.start(
        by=org.lead_a, manager=org.am_a, plan={a.pk: org.am_a1 for a in accounts}, reason="overload"
    )
    ownership.transfer(account=accounts[1], manager=org.lead_a, by=org.head, reason=ChangeReason.REASSIGNMENT)
    bulk.run_move(BulkMove.objects.select_related("created_by").get(pk=move.pk))
    move.refresh_from_db()
    assert move.status == BulkMoveStatus.FAILED and "1" in move.error
    assert (
        Account.objects.filter(pk__in=[accounts[0].pk, accounts[2].pk], responsible_manager=org.am_a).count()
        == 2
    )
    assert bulk.run_move(move).status == BulkMoveStatus.FAILED  # a second delivery does nothing


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_moves_the_portfolio(org, settings, postgres_only, tmp_path):
    use_database_tasks(settings)
    accounts = _portfolio(org, 12)
    settings.CACHES = {
        **settings.CACHES,
        "progress": {**settings.CACHES["progress"], "LOCATION": str(tmp_path)},
    }
    move = bulk.start(
        by=org.lead_a, manager=org.am_a, plan={a.pk: org.am_a1 for a in accounts}, reason="departure"
    )
    assert BulkMove.objects.get(pk=move.pk).status == BulkMoveStatus.QUEUED
    run = run_db_worker(
        mail_dir=tmp_path / "mail", extra_env={"ORBIT_PROGRESS_CACHE": str(tmp_path / "progress")}
    )
    assert run.failed == [], run.output
    move.refresh_from_db()
    assert (move.status, move.moved) == (BulkMoveStatus.DONE, 12)
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("responsible_manager", flat=True)
    ) == {org.am_a1.pk}
    fresh = Account.objects.filter(pk__in=[a.pk for a in accounts])
    assert [problem for a in fresh for problem in ownership.check_invariant(a)] == []
