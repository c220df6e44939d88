"""Faults survived (issue 16): the worker killed in the middle of a task. A real `manage.py db_worker` runs a task
that writes in a transaction and is SIGKILLed while inside it: nothing of it is written, the task is left
RUNNING (django-tasks' own behaviour), `reap_tasks` finds it for certain (its worker's PostgreSQL lock died with
the worker), queues it again once, and fails it the second time. Background imports and exports follow their
task; notification e-mails are marked before they are sent, so a retry does not send them twice."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orbit.imports import import_background
from orbit.imports.models import ExportLog, ExportStatus, ImportBatch, ImportStatus
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.services import notify
from orbit.ops import stale_tasks
from orbit.ops.models import RateWindow
from tests.factories import make_user, unique_inn
from tests.ops.fault_tasks import write_then_wait
from tests.worker import ROOT, run_db_worker, test_database_url, use_database_tasks


def _worker_env(**extra: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": test_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DEBUG": "false",
        **extra,
    }


WORKER = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval=0.2"]


def _kill_in_the_middle(task_id, while_running=None) -> str:
    """Start a worker that pauses inside the task's transaction, SIGKILL it there; returns its output.
    `while_running` is called while the worker is alive in the middle of the task."""
    env = _worker_env(ORBIT_FAULTS_PAUSE="120")
    worker = subprocess.Popen(WORKER, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _lock_held(task_id):  # the worker has started the task and holds its mark
            assert worker.poll() is None and time.monotonic() < deadline, worker.stdout.read().decode()
            time.sleep(0.2)
        time.sleep(0.5)  # inside the task's transaction, pausing
        if while_running is not None:
            while_running()
    finally:
        worker.send_signal(signal.SIGKILL)
        output = worker.communicate(timeout=30)[0].decode()
    return output


def _lock_held(task_id) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(%s, 20261206))",
            [str(task_id)],
        )
        return cursor.fetchone()[0]


def _claimed_long_ago(task_id) -> None:
    """Time passes beyond the grace a fresh claim gets (stale_tasks.CLAIM_GRACE_SECONDS)."""
    DBTaskResult.objects.filter(pk=task_id).update(started_at=timezone.now() - dt.timedelta(minutes=2))


@pytest.mark.django_db(transaction=True)
def test_a_task_killed_in_the_middle_is_retried_once_then_failed_never_half_applied(postgres_only, settings):
    use_database_tasks(settings)
    result = write_then_wait.enqueue("faults:killed")

    _kill_in_the_middle(result.id)
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "RUNNING" and len(task.worker_ids) == 1  # what django-tasks leaves: RUNNING forever
    assert not RateWindow.objects.filter(key="faults:killed").exists()  # the transaction died with the worker
    assert not _lock_held(result.id)  # PostgreSQL let the dead worker's mark go

    assert stale_tasks.reap() == {"requeued": [], "failed": []}  # a fresh claim is left alone for a minute
    _claimed_long_ago(result.id)
    call_command("reap_tasks")
    task.refresh_from_db()
    assert task.status == "READY" and task.started_at is None

    _kill_in_the_middle(result.id)  # killed again: the retry is used up
    _claimed_long_ago(result.id)
    assert stale_tasks.reap() == {"requeued": [], "failed": [str(result.id)]}
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == "orbit.ops.stale_tasks.WorkerDied"
    assert not RateWindow.objects.filter(key="faults:killed").exists()


@pytest.mark.django_db(transaction=True)
def test_a_live_workers_task_is_not_reaped_and_a_requeued_one_runs_once(postgres_only, settings):
    use_database_tasks(settings)
    result = write_then_wait.enqueue("faults:requeued")

    def a_long_task_of_a_live_worker():
        _claimed_long_ago(result.id)
        assert stale_tasks.reap() == {"requeued": [], "failed": []}  # its worker holds the mark: not touched
        assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"

    _kill_in_the_middle(result.id, while_running=a_long_task_of_a_live_worker)
    assert stale_tasks.reap()["requeued"] == [str(result.id)]

    run = run_db_worker()
    assert run.succeeded == ["tests.ops.fault_tasks.write_then_wait"], run.output
    assert RateWindow.objects.filter(key="faults:requeued").count() == 1  # applied once, whole


def _dead_workers_task(task_id, workers: int) -> None:
    """The state a killed worker leaves (shown above): RUNNING, claimed long ago, nobody holding its mark."""
    DBTaskResult.objects.filter(pk=task_id).update(
        status="RUNNING",
        started_at=timezone.now() - dt.timedelta(minutes=5),
        worker_ids=[f"dead-{n}" for n in range(workers)],
    )


@pytest.mark.django_db(transaction=True)
def test_a_background_import_of_a_dead_worker_is_queued_again_and_then_imported(
    org, postgres_only, settings, tmp_path
):
    use_database_tasks(settings)
    settings.MEDIA_ROOT = tmp_path
    path = tmp_path / "big.csv"
    inns = [unique_inn() for _ in range(3)]
    lines = [
        "Название;ИНН;КПП;Ответственный",
        *(f"ООО «Фирма {n}»;{inn};770101001;am_a" for n, inn in enumerate(inns)),
    ]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    batch = import_background.queue(
        by=org.head,
        kind="accounts",
        path=path,
        name="big.csv",
        token="t",
        mapping={},
        options={"on_duplicate": "update"},
        dry_run=False,
    )
    [task] = DBTaskResult.objects.filter(task_path="orbit.imports.tasks.run_import")
    _dead_workers_task(task.pk, workers=1)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)  # "running" forever, till now

    assert stale_tasks.reap()["requeued"] == [str(task.pk)]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.QUEUED

    run = run_db_worker(extra_env={"MEDIA_ROOT": str(tmp_path)})
    assert run.succeeded == ["orbit.imports.tasks.run_import"], run.output
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.counts["new"] == 3


@pytest.mark.django_db(transaction=True)
def test_a_background_export_whose_worker_died_twice_fails_with_the_reason_and_no_file(
    org, postgres_only, settings, tmp_path
):
    from orbit.imports.tasks import run_export

    use_database_tasks(settings)
    settings.MEDIA_ROOT = tmp_path
    log = ExportLog.objects.create(
        by=org.head, list_name="accounts", format="csv", background=True, status=ExportStatus.RUNNING
    )
    partial = Path(tmp_path / "exports" / f"{log.pk}-0123456789abcdef.csv")
    partial.parent.mkdir()
    partial.write_text("ИНН;Название\r\n7707083893;ООО", encoding="utf-8")  # cut off mid-row
    result = run_export.enqueue(log.pk)
    _dead_workers_task(result.id, workers=2)

    assert stale_tasks.reap()["failed"] == [str(result.id)]
    log.refresh_from_db()
    assert log.status == ExportStatus.FAILED and log.finished_at is not None
    assert "stopped in the middle" in log.error or "остановился" in log.error
    assert not partial.exists()


@pytest.mark.django_db(transaction=True)
def test_an_email_sent_just_before_the_worker_was_killed_is_not_sent_again(postgres_only, settings, tmp_path):
    use_database_tasks(settings)
    manager = make_user("manager", "account_manager", email="manager@example.com")
    notify(
        recipients=[manager], kind=Kind.SLA_BREACHED, title="SLA нарушен", body="Просрочен ответ.", url="/"
    )
    [task] = DBTaskResult.objects.filter(task_path="orbit.notifications.tasks.send_notification_email")

    mail = tmp_path / "mail"
    mail.mkdir()
    env = _worker_env(EMAIL_BACKEND="tests.ops.fault_tasks.SendThenDie", ORBIT_EMAIL_FILE_PATH=str(mail))
    died = subprocess.run([*WORKER, "--batch"], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert died.returncode == -signal.SIGKILL
    assert len(list(mail.iterdir())) == 1  # the e-mail went out
    task.refresh_from_db()
    assert task.status == "RUNNING"

    _claimed_long_ago(task.pk)
    assert stale_tasks.reap()["requeued"] == [str(task.pk)]
    again = run_db_worker(mail_dir=tmp_path / "mail-again")
    assert again.succeeded == ["orbit.notifications.tasks.send_notification_email"], again.output
    assert again.emails == []  # the retry found the mark committed before the send: nothing twice
    assert Notification.objects.get().emailed_at is not None
