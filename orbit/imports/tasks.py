from django_tasks import task

from orbit.imports import background
from orbit.imports.lists import EXPORTS
from orbit.imports.models import ExportLog


@task()
def run_export(log_id: int) -> str:
    log = ExportLog.objects.select_related("by").filter(pk=log_id).first()
    if log is None or log.list_name not in EXPORTS:
        return "missing"
    return background.run(log, EXPORTS[log.list_name]).status
