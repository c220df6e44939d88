"""The task of tests/ops/test_two_workers.py, importable by the worker processes it starts."""

import os
import time

from django.db import connection
from django_tasks import task

TABLE = "ops_test_task_runs"  # made and dropped by the test; a primary key on the task's number


@task()
def record_run(number: int) -> int:
    # Long enough that both workers are busy at once; a second run of one number breaks the primary key.
    time.sleep(0.2)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (number, pid) VALUES (%s, %s)", [number, os.getpid()])
    return number
