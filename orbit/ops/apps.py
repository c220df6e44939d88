from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "orbit.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started

        from orbit.ops import stale_tasks

        # The database worker marks the task it runs, so a dead worker's task is found (issue 16, faults).
        task_started.connect(stale_tasks.on_task_started, dispatch_uid="orbit.ops.stale_tasks.started")
        task_finished.connect(stale_tasks.on_task_finished, dispatch_uid="orbit.ops.stale_tasks.finished")
