from django_tasks import task

from orbit.imports import export_background, import_background
from orbit.imports.lists import EXPORTS
from orbit.imports.models import ExportLog, ImportBatch


@task()
def run_import(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("by").filter(pk=batch_id).first()
    return import_background.run(batch).status if batch is not None else "missing"


@task()
def run_export(log_id: int) -> str:
    log = ExportLog.objects.select_related("by").filter(pk=log_id).first()
    if log is None or log.list_name not in EXPORTS:
        return "missing"
    return export_background.run(log, EXPORTS[log.list_name]).status
