"""Two real workers (`manage.py db_worker`) on one queue take each queued task exactly once (issue 16).

django-tasks-db claims a task with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL: a worker skips the row
another one holds. Each task inserts its number under a primary key, so a task run twice would fail there.
"""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.ops.two_workers_tasks import TABLE, record_run
from tests.worker import ROOT, test_database_url, use_database_tasks

TASKS = 40  # 40 × 0.2 s: some 4 s of work for each of two workers, far more than their start-up skew


def _start_worker(worker_id: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": test_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DEBUG": "false",
    }
    command = [
        sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload",
        "--queue-name=default", "--interval=0", f"--worker-id={worker_id}",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.mark.django_db(transaction=True)  # the workers are other processes: they see committed rows only
def test_two_workers_on_one_queue_run_each_task_exactly_once(settings, postgres_only):
    use_database_tasks(settings)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (number integer PRIMARY KEY, pid integer NOT NULL)")
    try:
        for number in range(TASKS):
            record_run.enqueue(number)
        workers = [_start_worker("worker-one"), _start_worker("worker-two")]
        outputs = [worker.communicate(timeout=180)[0] for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number, pid FROM {TABLE} ORDER BY number")
            runs = cursor.fetchall()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    assert [number for number, _ in runs] == list(range(TASKS))  # every task ran, none twice (primary key)
    results = DBTaskResult.objects.filter(task_path=f"{record_run.module_path}")
    assert results.count() == TASKS
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert all(len(ids) == 1 for ids in results.values_list("worker_ids", flat=True))  # claimed once each
    by_worker = {ids[0] for ids in results.values_list("worker_ids", flat=True)}
    assert by_worker == {"worker-one", "worker-two"}  # both took a share: they really ran side by side
    assert len({pid for _, pid in runs}) == 2
