"""A portfolio move whose worker was killed does not stay "running" for ever: its heartbeat goes stale, the
move is marked failed in its author's language, its page stops polling, and nothing has moved."""

import datetime as dt
import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection

from orbit.accounts.models import Account
from orbit.handoffs import bulk
from orbit.handoffs.models import BulkMove, BulkMoveStatus
from tests.factories import make_account


@pytest.fixture
def progress_cache(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "progress": {**settings.CACHES["progress"], "LOCATION": str(tmp_path / "progress")},
    }
    yield caches["progress"]


def _running_move(org, n=3, *, beat_seconds_ago):
    """What a killed worker leaves: the move marked running, the accounts unmoved (its transaction died)."""
    accounts = [make_account(org.head, org.am_a, legal_name=f"ООО «Клиент {k}»") for k in range(n)]
    move = bulk.start(
        by=org.lead_a, manager=org.am_a, plan={a.pk: org.am_a1 for a in accounts}, reason="departure"
    )
    BulkMove.objects.filter(pk=move.pk).update(status=BulkMoveStatus.RUNNING)
    if beat_seconds_ago is not None:
        caches["progress"].set(bulk.heartbeat_key(move), time.time() - beat_seconds_ago)
    caches["progress"].set(bulk.progress_key(move), 2)
    return BulkMove.objects.get(pk=move.pk), accounts


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "Фоновый обработчик остановился во время передачи"), ("en", "The background worker stopped")],
)
def test_a_move_whose_worker_died_is_reported_failed_and_polling_stops(
    org, client, settings, progress_cache, language, text
):
    settings.ORBIT_BULK_MOVE_STALE_MINUTES = 5
    org.lead_a.language = language
    org.lead_a.save(update_fields=["language"])
    move, accounts = _running_move(org, beat_seconds_ago=6 * 60)
    client.force_login(org.lead_a)

    response = client.get(f"/handoffs/bulk/{move.pk}/", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert text in page
    assert "hx-trigger" not in page  # the page stops polling
    move.refresh_from_db()
    assert move.status == BulkMoveStatus.FAILED and move.finished_at is not None
    assert text in move.error
    # All or nothing: the dead worker's transaction moved nothing.
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("responsible_manager", flat=True)
    ) == {org.am_a.pk}
    assert progress_cache.get(bulk.heartbeat_key(move)) is None


def test_a_move_with_no_heartbeat_at_all_is_stale_once_old_enough(org, settings, progress_cache):
    settings.ORBIT_BULK_MOVE_STALE_MINUTES = 5
    move, _accounts = _running_move(org, beat_seconds_ago=None)
    assert not bulk.is_stale(move)  # just created: the worker may be starting
    BulkMove.objects.filter(pk=move.pk).update(created_at=move.created_at - dt.timedelta(minutes=6))
    move.refresh_from_db()
    assert bulk.is_stale(move)
    assert bulk.fail_if_stale(move).status == BulkMoveStatus.FAILED


def test_a_living_worker_keeps_its_move_running(org, client, settings, progress_cache):
    settings.ORBIT_BULK_MOVE_STALE_MINUTES = 5
    move, _accounts = _running_move(org, beat_seconds_ago=30)
    client.force_login(org.lead_a)
    page = client.get(f"/handoffs/bulk/{move.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in page
    move.refresh_from_db()
    assert move.status == BulkMoveStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_was_given_up_on_commits_nothing(org, settings, progress_cache, postgres_only):
    """The worker was only slow: a page (another connection) marked its move failed meanwhile. When the worker
    reaches the end it finds the move no longer running and rolls everything back: a failed move has moved
    nothing, and a done one everything."""
    settings.ORBIT_BULK_MOVE_STALE_MINUTES = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # run below
    accounts = [make_account(org.head, org.am_a, legal_name=f"ООО «Клиент {k}»") for k in range(12)]
    move = bulk.start(
        by=org.lead_a, manager=org.am_a, plan={a.pk: org.am_a1 for a in accounts}, reason="departure"
    )
    given_up = []
    original = bulk._beat

    def page_looks_meanwhile():
        try:
            stale = BulkMove.objects.select_related("created_by").get(pk=move.pk)
            given_up.append(bulk.fail_if_stale(stale).status)
        finally:
            connection.close()

    def beat_then_look_dead(m):
        original(m)
        if m.status == BulkMoveStatus.RUNNING and not given_up:  # a progress report, mid-move
            caches["progress"].set(bulk.heartbeat_key(m), time.time() - 120)
            page = threading.Thread(target=page_looks_meanwhile)
            page.start()
            page.join()

    bulk._beat = beat_then_look_dead
    try:
        result = bulk.run_move(BulkMove.objects.select_related("created_by", "manager").get(pk=move.pk))
    finally:
        bulk._beat = original
    assert given_up == [BulkMoveStatus.FAILED]
    assert result.status == BulkMoveStatus.FAILED
    move.refresh_from_db()
    assert (move.status, move.moved) == (BulkMoveStatus.FAILED, 0)
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("responsible_manager", flat=True)
    ) == {org.am_a.pk}


def test_a_move_that_crashes_is_failed_at_once_and_moves_nothing(org, progress_cache, monkeypatch):
    accounts = [make_account(org.head, org.am_a, legal_name=f"ООО «Клиент {k}»") for k in range(3)]
    move = bulk.start(
        by=org.lead_a, manager=org.am_a, plan={a.pk: org.am_a1 for a in accounts}, reason="departure"
    )
    calls = []

    def transfer_then_crash(**kwargs):
        calls.append(kwargs["account"].pk)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return original(**kwargs)

    original = bulk.ownership.transfer
    monkeypatch.setattr(bulk.ownership, "transfer", transfer_then_crash)
    with pytest.raises(RuntimeError):
        bulk.run_move(BulkMove.objects.select_related("created_by", "manager").get(pk=move.pk))
    move.refresh_from_db()
    assert move.status == BulkMoveStatus.FAILED and "непредвиденной ошибки" in move.error  # his language
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("responsible_manager", flat=True)
    ) == {org.am_a.pk}
