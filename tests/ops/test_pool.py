"""DB_POOL_SIZE: each process shares a pool of connections among its threads (Django's psycopg pool), in a real
process with the project's settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Eight threads read at once from a pool of at most three connections: all get their answer, the pool never
# opens a fourth.
_EIGHT_THREADS = """
import django, json, threading
django.setup()
from django.db import connection, connections
answers = []
def read():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.2), 1")
        answers.append(cursor.fetchone()[1])
    connections.close_all()  # back to the pool, as at the end of a request
threads = [threading.Thread(target=read) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
stats = connection.pool.get_stats()
print(json.dumps({"answers": answers, "max": stats["pool_max"], "opened": stats.get("connections_num", 0),
                  "conn_max_age": connection.settings_dict["CONN_MAX_AGE"]}))
"""


@pytest.mark.usefixtures("postgres_only")
def test_threads_share_a_pool_of_at_most_db_pool_size_connections(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    database = connection.settings_dict
    env.update(
        DJANGO_SETTINGS_MODULE="orbit.settings",
        DEBUG="true",
        ORBIT_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        DB_POOL_SIZE="3",
    )
    done = subprocess.run(
        [sys.executable, "-c", _EIGHT_THREADS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["answers"] == [1] * 8
    assert shown["max"] == 3 and 1 <= shown["opened"] <= 3
    assert shown["conn_max_age"] == 0
