"""Run the real background worker (`manage.py db_worker`) from a test, as production does.

    import pytest
    from tests.worker import run_db_worker, use_database_tasks

    @pytest.mark.django_db(transaction=True)   # the worker is another process: it sees committed rows only
    def test_escalation_runs_in_the_worker(settings, postgres_only, tmp_path):
        use_database_tasks(settings)            # enqueue into the database, not in-line
        ...                                     # do what enqueues tasks (notify, escalate, ...)
        run = run_db_worker(mail_dir=tmp_path)  # runs every ready task, including the ones they enqueue
        assert run.failed == [] and run.succeeded == [...task paths...]
        assert run.emails[0]["To"] == "..."

The worker is a separate process started with the test database's URL, so it runs the tasks exactly as
`manage.py db_worker` does in production: it claims rows, imports the task by path, records the result.
It needs PostgreSQL (an SQLite test database lives in memory and cannot be shared): use `postgres_only`.
E-mail goes to files under `mail_dir` (Django's file backend) and comes back parsed in `run.emails`.
"""

import email
import email.policy
import os
import subprocess
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def use_database_tasks(settings) -> None:
    """Tasks of this test are stored in the database for the worker (the suite runs them in-line)."""
    settings.TASKS = DATABASE_TASKS


def test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "the real worker needs the PostgreSQL test database (use the postgres_only fixture)"
        )
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


test_database_url.__test__ = False  # not a test, whatever pytest thinks of the name


@dataclass
class WorkerRun:
    returncode: int
    output: str
    succeeded: list[str] = field(default_factory=list)  # task paths, in the order they finished
    failed: list[str] = field(default_factory=list)
    emails: list[EmailMessage] = field(default_factory=list)


def _read_emails(mail_dir: Path | None) -> list[EmailMessage]:
    """Messages written by Django's file backend: one file per connection, each message ended by 79 dashes."""
    if mail_dir is None or not mail_dir.exists():
        return []
    messages = []
    for path in sorted(mail_dir.iterdir(), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.lstrip(), policy=email.policy.default))
    return messages


def run_db_worker(
    *, mail_dir: Path | None = None, timeout: float = 120, extra_env: dict | None = None
) -> WorkerRun:
    """Runs `manage.py db_worker --batch` on the test database until no task is ready, then reports."""
    from django_tasks_db.models import DBTaskResult

    before = set(DBTaskResult.objects.filter(finished_at__isnull=False).values_list("id", flat=True))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": test_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DEBUG": "false",
        **(extra_env or {}),
    }
    if mail_dir is not None:
        mail_dir.mkdir(parents=True, exist_ok=True)
        env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        env["ORBIT_EMAIL_FILE_PATH"] = str(mail_dir)
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--queue-name=*",
        "--interval=0",
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    finished = (
        DBTaskResult.objects.filter(finished_at__isnull=False)
        .exclude(id__in=before)
        .order_by("finished_at")
        .values_list("task_path", "status")
    )
    return WorkerRun(
        returncode=done.returncode,
        output=done.stdout + done.stderr,
        succeeded=[path for path, status in finished if status == "SUCCESSFUL"],
        failed=[path for path, status in finished if status == "FAILED"],
        emails=_read_emails(mail_dir),
    )
