"""Health for load balancers and orchestrators, and the request id every response and log line carries."""

import datetime as dt
import json
import logging
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orbit.ops import health, heartbeat
from orbit.ops.logs import JsonFormatter
from orbit.ops.models import WorkerHeartbeat
from orbit.ops.requestid import RequestIdFilter, current


@pytest.mark.django_db
def test_live_answers_without_asking_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("ops:live"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_checks_the_database_the_schema_and_the_queue(client):
    response = client.get(reverse("ops:ready"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "detail": "", "required": True},
            "migrations": {"ok": True, "detail": "", "required": True},
            "queue": {"ok": True, "detail": "empty", "required": True},
            # Reported, not required: a web process serves with the worker down (orbit/ops/heartbeat.py).
            "worker": {"ok": False, "detail": "no worker: never seen", "required": False},
        },
    }


def _queued(minutes_ago: int) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        task_path="orbit.notifications.reminders.send_reminders",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return task


@pytest.mark.django_db
def test_a_queue_nobody_takes_from_is_not_ready(client, settings):
    settings.ORBIT_READY_QUEUE_AGE_MINUTES = 15
    _queued(14)
    assert client.get(reverse("ops:ready")).status_code == 200
    _queued(16)  # the worker is dead or missing: work has waited past the limit
    response = client.get(reverse("ops:ready"))
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {
        "ok": False,
        "detail": "oldest task waits 16 min: is the worker running?",
        "required": True,
    }


@pytest.mark.django_db
def test_a_finished_task_does_not_count_as_waiting():
    task = _queued(60)
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL", finished_at=timezone.now())
    assert health.queue() == health.Check("queue", True, "empty")


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_proxys_is_kept_if_sane(client):
    own = client.get(reverse("ops:live"))
    assert len(own["X-Request-ID"]) == 32
    assert (
        client.get(reverse("ops:live"), HTTP_X_REQUEST_ID="edge-1234abcd")["X-Request-ID"] == "edge-1234abcd"
    )
    injected = client.get(reverse("ops:live"), HTTP_X_REQUEST_ID="x\nFAKE LOG LINE")["X-Request-ID"]
    assert injected != "x\nFAKE LOG LINE" and len(injected) == 32


def test_a_json_log_line_names_its_request():
    record = logging.LogRecord("orbit.x", logging.ERROR, __file__, 1, "платёж %s не найден", ("№7",), None)
    record.status_code = 404
    token = current.set("abc123def456")
    try:
        RequestIdFilter().filter(record)
    finally:
        current.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert {k: line[k] for k in ("level", "logger", "message", "request_id", "status")} == {
        "level": "ERROR",
        "logger": "orbit.x",
        "message": "платёж №7 не найден",
        "request_id": "abc123def456",
        "status": 404,
    }
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_metrics_show_requests_and_the_queue_to_the_loopback_or_a_token(client, settings):
    _queued(3)
    client.get(reverse("ops:live"))
    response = client.get(reverse("ops:metrics"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'orbit_tasks{status="ready"} 1.0' in text
    oldest = next(line for line in text.splitlines() if line.startswith("orbit_queue_oldest_seconds "))
    assert 180 <= float(oldest.split()[1]) < 240
    assert (
        'django_http_requests_total_by_view_transport_method_total{method="GET",transport="http",view="ops:live"}'
        in text
    )

    settings.ORBIT_METRICS_TOKEN = "s3cret-token"
    elsewhere = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get(reverse("ops:metrics"), **elsewhere).status_code == 403
    wrong = client.get(reverse("ops:metrics"), HTTP_AUTHORIZATION="Bearer nope", **elsewhere)
    assert wrong.status_code == 403
    right = client.get(reverse("ops:metrics"), HTTP_AUTHORIZATION="Bearer s3cret-token", **elsewhere)
    assert right.status_code == 200


@pytest.mark.django_db
def test_a_worker_is_seen_while_it_beats_and_missed_when_it_stops(client, settings):
    settings.ORBIT_WORKER_SILENCE_MINUTES = 2
    started = timezone.now() - dt.timedelta(hours=1)
    heartbeat.beat("w1", started)
    assert client.get(reverse("ops:ready")).json()["checks"]["worker"] == {
        "ok": True,
        "detail": "1 running",
        "required": False,
    }
    later = timezone.now() + dt.timedelta(minutes=3)  # no beat for three minutes: it died
    assert health.worker(later) == health.Check(
        "worker", False, "no worker: last seen 3 min ago", required=False
    )
    response = client.get(reverse("ops:metrics"))
    assert "orbit_workers 1.0" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_beats_from_its_own_thread_and_clears_its_mark_when_stopped():
    seen = []
    with heartbeat.beating("w2", every=0.05):
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            row = WorkerHeartbeat.objects.filter(worker_id="w2").values_list("seen_at", flat=True).first()
            if row and row not in seen:
                seen.append(row)
            time.sleep(0.02)
    assert len(seen) == 2 and seen[1] > seen[0]  # it beats again and again
    assert not WorkerHeartbeat.objects.filter(worker_id="w2").exists()  # stopped on purpose, not missing


def test_the_worker_command_is_orbits_own_with_a_heartbeat():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "orbit.ops"
