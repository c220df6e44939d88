"""Tasks whose worker died (issue 16, faults): found for certain, retried once, then marked failed.

django-tasks' database worker marks a task RUNNING when it claims it and SUCCESSFUL/FAILED when it ends; a worker
killed in between (OOM, SIGKILL, the host lost) leaves it RUNNING forever. So each worker holds a PostgreSQL
session advisory lock on the task it runs (taken when the task starts, let go when it ends). PostgreSQL releases a
session's locks the moment the session ends, so a RUNNING task whose lock can be taken has no live worker: no
guessing from how long a task "should" take (an analytics run over a million accounts takes many minutes).

`reap()` gives such a task back to the queue once (Orbit's default: ORBIT_TASK_RETRIES = 1) and marks it failed
after that. Re-running is safe: every task body is all-or-nothing (the imports and the analytics run write in one
transaction; notification e-mails carry a mark committed before the send, see notifications/tasks.py). A
background import or export the dead task was running goes back to "queued" with it, or ends refused/failed
with the reason, never "running" forever. It runs when a worker starts (the unit's ExecStartPre: `orbit
reap_tasks`), before every task a live worker starts, and in the morning run.
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus

logger = logging.getLogger(__name__)

# A task claimed this recently may not hold its lock yet (claim and start are two steps): left alone.
CLAIM_GRACE_SECONDS = 60  # Orbit's default


class WorkerDied(Exception):
    """Recorded as the failure of a task whose worker stopped in the middle of it."""


def _lock_key_sql() -> str:
    return "hashtextextended(%s, 20261206)"  # a bigint key from the task's id; the seed keeps it Orbit's own


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def hold(task_id: str) -> None:
    """The running worker's mark on its task: a session lock that dies with the worker's connection."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_lock({_lock_key_sql()})", [str(task_id)])


def release(task_id: str) -> None:
    if _postgres() and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_unlock({_lock_key_sql()})", [str(task_id)])


def _nobody_runs(task_id: str) -> bool:
    """True when no session holds the task's lock (taken for this transaction only, to look)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_xact_lock({_lock_key_sql()})", [str(task_id)])
        return cursor.fetchone()[0]


def reap() -> dict[str, list[str]]:
    """Re-queue or fail the RUNNING tasks whose worker is gone. Returns their ids by what was done."""
    from django_tasks_db.models import DBTaskResult

    done: dict[str, list[str]] = {"requeued": [], "failed": []}
    if not _postgres():
        return done  # SQLite (the demo) runs one worker in-line with nothing to reap
    grace = timezone.now() - dt.timedelta(seconds=CLAIM_GRACE_SECONDS)
    candidates = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=grace).values_list(
            "id", flat=True
        )
    )
    for task_id in candidates:
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=task_id, status=TaskResultStatus.RUNNING)
                .first()
            )
            if task is None or not _nobody_runs(str(task.pk)):
                continue
            if len(task.worker_ids) <= settings.ORBIT_TASK_RETRIES:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                _background_work_requeued(task)
                done["requeued"].append(str(task.pk))
            else:
                died = WorkerDied(f"the worker {task.worker_ids[-1]} stopped during the task")
                task.set_failed(died)
                _background_work_failed(task)
                done["failed"].append(str(task.pk))
            logger.warning("Task %s (%s) of a dead worker: %s", task.pk, task.task_path, task.status)
    return done


def _work_of(task, model):
    """The import batch / export log (of `model`) a run_import / run_export task works on, as a queryset."""
    from orbit.imports.models import ExportLog, ImportBatch

    paths = {ImportBatch: "orbit.imports.tasks.run_import", ExportLog: "orbit.imports.tasks.run_export"}
    args = task.args_kwargs.get("args") or []
    if task.task_path != paths[model] or not args:
        return model.objects.none()
    return model.objects.filter(pk=args[0])


def _background_work_requeued(task) -> None:
    from orbit.imports.models import ExportLog, ExportStatus, ImportBatch, ImportStatus

    # The import's transaction died with the worker: nothing of it was written; it starts again.
    _work_of(task, ImportBatch).filter(status=ImportStatus.RUNNING).update(status=ImportStatus.QUEUED)
    logs = _work_of(task, ExportLog).filter(status=ExportStatus.RUNNING)
    for log in logs:
        _remove_partial_export(log)
    logs.update(status=ExportStatus.QUEUED, rows=0)


def _background_work_failed(task) -> None:
    from orbit.imports.models import ExportLog, ExportStatus, ImportBatch, ImportStatus

    message = _(
        "The background worker stopped in the middle of this work: nothing was written. Start it again."
    )
    for batch in _work_of(task, ImportBatch).filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]):
        batch.status = ImportStatus.REFUSED
        batch.errors = [{"row": 0, "column": "", "value": "", "message": message}]
        batch.save(update_fields=["status", "errors"])
    logs = _work_of(task, ExportLog).filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
    for log in logs:
        _remove_partial_export(log)
    logs.update(status=ExportStatus.FAILED, error=message[:500], finished_at=timezone.now())


def _remove_partial_export(log) -> None:
    """The file a dead export was writing (named exports/<pk>-<random>.<format>, see export_background)."""
    for path in (Path(settings.MEDIA_ROOT) / "exports").glob(f"{log.pk}-*.{log.format}"):
        path.unlink(missing_ok=True)


def on_task_started(sender, task_result, **kwargs) -> None:
    """The database worker starts a task: reap the dead workers' tasks, then mark this one as run."""
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(sender, DatabaseBackend) and not (
        isinstance(sender, type) and issubclass(sender, DatabaseBackend)
    ):
        return
    try:
        reap()
    except Exception:  # reaping is housekeeping: never the reason a task does not run
        logger.exception("Reaping the tasks of dead workers failed")
    hold(task_result.id)


def on_task_finished(sender, task_result, **kwargs) -> None:
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(sender, DatabaseBackend) or (
        isinstance(sender, type) and issubclass(sender, DatabaseBackend)
    ):
        release(task_result.id)
