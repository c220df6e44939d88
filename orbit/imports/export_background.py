"""Large exports in the background: a list longer than ORBIT_EXPORT_BACKGROUND_ROWS (Orbit's default 20,000) is
not streamed during the request but written by the background worker into a file under MEDIA_ROOT/exports.

The ExportLog row is the audit record and the job at once: `rows` of `total` (counted by the worker, not in the
request) is the progress the page polls
(written outside any transaction, so the web process sees it), `file` the result. Only the person who asked may
download it (the page and the file answer 404 to anyone else); `expire` removes files older than
ORBIT_EXPORT_KEEP_DAYS (Orbit's default 7), run daily by `manage.py expire_exports`.
"""

import datetime as dt
import pathlib
import secrets
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from orbit.imports.exporting import ListExport, count, each, write_csv, write_xlsx
from orbit.imports.models import ExportLog, ExportStatus
from orbit.notifications.kinds import Kind
from orbit.notifications.services import notify

PROGRESS_EVERY = 1000  # rows between two progress reports: one UPDATE per thousand rows


def folder() -> pathlib.Path:
    return pathlib.Path(settings.MEDIA_ROOT) / "exports"


def start(*, by, export: ListExport, query: str, fmt: str) -> ExportLog:
    """Record the export and hand it to the background worker once the record is committed."""
    log = ExportLog.objects.create(
        by=by,
        list_name=export.name,
        query=query[:2000],
        format=fmt,
        status=ExportStatus.QUEUED,
        background=True,
    )
    from orbit.imports.tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(log.pk))
    return log


def run(log: ExportLog, export: ListExport) -> ExportLog:
    """Write the file in the asker's language, through his visibility, reporting progress as it goes."""
    if log.status != ExportStatus.QUEUED:
        return log  # a second delivery of the same task
    folder().mkdir(parents=True, exist_ok=True)
    # A name nobody can guess, although only the download view ever serves it.
    name = f"exports/{log.pk}-{secrets.token_hex(8)}.{log.format}"
    path = pathlib.Path(settings.MEDIA_ROOT) / name
    with translation.override(log.by.language or settings.LANGUAGE_CODE):
        try:
            found = export.rows(log.by, QueryDict(log.query))
            log.total = count(found)  # counted here, not in the request: a million rows take a while
            ExportLog.objects.filter(pk=log.pk).update(status=ExportStatus.RUNNING, total=log.total)
            rows = _reporting(log, each(found))
            with path.open("wb") as target:
                if log.format == "xlsx":
                    written = write_xlsx(target, export.columns, rows, str(export.title))
                else:
                    written = write_csv(target, export.columns, rows)
        except Exception:
            path.unlink(missing_ok=True)
            _finish(
                log, status=ExportStatus.FAILED, error=str(_("The export stopped on an unexpected error."))
            )
            raise
        if not _finish(log, status=ExportStatus.DONE, rows=written, file=name, only_if=ExportStatus.RUNNING):
            path.unlink(missing_ok=True)  # stopped meanwhile (a personal-data erasure): its file is not kept
            return log
        notify(
            recipients=[log.by],
            kind=Kind.EXPORT_READY,
            title=_("Your export is ready: %(list)s, %(rows)s rows")
            % {"list": export.title, "rows": written},
            url=reverse("imports:export", args=[log.pk]),
            dedup_window=dt.timedelta(0),
        )
    return log


def _reporting(log: ExportLog, rows: Iterable) -> Iterator:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            ExportLog.objects.filter(pk=log.pk).update(rows=done)


def _finish(log: ExportLog, only_if: str | None = None, **fields) -> bool:
    fields["finished_at"] = timezone.now()
    rows = ExportLog.objects.filter(pk=log.pk)
    if only_if is not None:
        rows = rows.filter(status=only_if)
    if not rows.update(**fields):
        return False
    for key, value in fields.items():
        setattr(log, key, value)
    return True


def path_of(log: ExportLog) -> pathlib.Path | None:
    """The finished file, if it is still there."""
    if log.status != ExportStatus.DONE or not log.file:
        return None
    path = pathlib.Path(settings.MEDIA_ROOT) / log.file
    return path if path.is_file() else None


def expire(*, now: dt.datetime | None = None) -> int:
    """Remove the files of background exports older than ORBIT_EXPORT_KEEP_DAYS; the audit rows stay."""
    before = (now or timezone.now()) - dt.timedelta(days=settings.ORBIT_EXPORT_KEEP_DAYS)
    old = ExportLog.objects.filter(status=ExportStatus.DONE, finished_at__lt=before).exclude(file="")
    removed = 0
    for log in old.only("pk", "file"):
        (pathlib.Path(settings.MEDIA_ROOT) / log.file).unlink(missing_ok=True)
        removed += ExportLog.objects.filter(pk=log.pk).update(status=ExportStatus.EXPIRED, file="")
    return removed
