from django_tasks import task

from orbit.analytics import compute
from orbit.analytics.models import AnalyticsRun, RunStatus


@task()
def run_analytics(run_id: int) -> str:
    run = AnalyticsRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).first()
    return compute.execute(run).status if run is not None else "not queued"
