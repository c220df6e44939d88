from django_tasks import task

from orbit.imports import background
from orbit.imports.models import ImportBatch


@task()
def run_import(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("by").filter(pk=batch_id).first()
    return background.run(batch).status if batch is not None else "missing"
