"""Background tasks of the requests area (django-tasks; the database backend in production)."""

from django_tasks import task

from orbit.requests import sla


@task()
def check_sla(request_id: int, clock: str, step: str, due: str) -> str:
    """Warn or escalate at a scheduled SLA moment, if it still applies (see orbit.requests.sla)."""
    return sla.run_check(request_id, clock, step, due)
