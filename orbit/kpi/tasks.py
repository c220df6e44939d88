from django_tasks import task

from orbit.kpi import snapshots


@task()
def refresh_kpi_snapshots() -> str:
    """The nightly refresh of the stored KPI figures (enqueue it after the analytics run)."""
    return ", ".join(snapshots.refresh())
