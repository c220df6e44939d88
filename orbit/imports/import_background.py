"""Large files are imported in the background (issue 15): the check (a dry run) and the import itself.

Over `ORBIT_IMPORT_BACKGROUND_BYTES` (Orbit's default: 5 MB, some 60,000 rows of a CRM's accounts export) the
request would run for minutes: the view queues the work (`queue`) and shows a progress page polled by htmx; the
worker (`run`, through tasks.run_import) runs the same `import_file`, all or nothing, on the queued
`ImportBatch`. While the import's transaction is open its rows are invisible to the page, so the live figures
(rows read, bytes read of the file) go to the "progress" cache, as the portfolio moves' do; the batch keeps them
when it ends. A check ends "checked" (not in the import history: its page is the preview), an import
"committed" or "refused" with its report, exactly as in the foreground.
"""

from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orbit.imports.engine import import_file
from orbit.imports.kinds import KINDS
from orbit.imports.models import ImportBatch, ImportStatus
from orbit.imports.reading import FileProblem, open_table
from orbit.org.models import User


def is_large(path: Path) -> bool:
    return path.stat().st_size > settings.ORBIT_IMPORT_BACKGROUND_BYTES


def queue(
    *, by: User, kind: str, path: Path, name: str, token: str, mapping: dict, options: dict, dry_run: bool
) -> ImportBatch:
    """Record the import as queued and hand it to the worker once the record is committed."""
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=name[:255],
        status=ImportStatus.QUEUED,
        by=by,
        dry_run=dry_run,
        options={**options, "token": token, "mapping": mapping, "path": str(path)},
        bytes_total=path.stat().st_size,
    )
    from orbit.imports.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(batch.pk))
    return batch


def _key(batch: ImportBatch) -> str:
    return f"import:{batch.pk}"


def progress_of(batch: ImportBatch) -> tuple[int, int]:
    """(rows read, bytes read) so far: from the cache while it runs, from the batch once it is done."""
    if batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return caches["progress"].get(_key(batch), (0, 0))
    return batch.rows_done, batch.bytes_read


def run(batch: ImportBatch) -> ImportBatch:
    """Do a queued import in its author's language; the batch says how it ended."""
    if batch.status != ImportStatus.QUEUED:
        return batch  # a second delivery of the same task
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    batch.status = ImportStatus.RUNNING
    kind, options, cache = KINDS[batch.kind], batch.options, caches["progress"]
    with (
        translation.override(batch.by.language or settings.LANGUAGE_CODE),
        Path(options["path"]).open("rb") as f,
    ):
        done = [0, 0]  # rows, bytes

        def progress(rows: int) -> None:
            # The reader closes the file after its last row: all of it is read then.
            done[:] = [rows, batch.bytes_total if f.closed else min(f.tell(), batch.bytes_total)]
            cache.set(_key(batch), tuple(done), timeout=24 * 3600)

        header: list[str] = []
        try:
            table = open_table(f, batch.file_name)
            header = list(table.header)
            report = import_file(
                kind,
                by=batch.by,
                table=table,
                file_name=batch.file_name,
                mapping=options.get("mapping") or None,
                preset=options.get("preset", ""),
                on_duplicate=options["on_duplicate"],
                dry_run=batch.dry_run,
                batch=batch,
                progress=progress,
            )
            columns = report.columns
        except FileProblem as problem:
            _refuse(batch, problem.message)
            columns = {}
        except Exception:
            # Nothing was written (the import's transaction rolled back): say so rather than stay "running".
            _refuse(batch, _("The import stopped on an unexpected error: nothing was imported. Try again."))
            raise
        finally:
            cache.delete(_key(batch))
    batch.rows_done, batch.bytes_read = done
    batch.options = {**batch.options, "header": header, "columns": {str(i): k for i, k in columns.items()}}
    batch.save()
    return batch


def _refuse(batch: ImportBatch, message: str) -> None:
    batch.status = ImportStatus.REFUSED
    batch.errors = [{"row": 0, "column": "", "value": "", "message": message}]
    batch.save()
