"""django-tasks' `db_worker`, beating a heartbeat while it runs (orbit/ops/heartbeat.py). It takes the place of
django_tasks_db's own command because orbit.ops comes before it in INSTALLED_APPS."""

from django_tasks_db.management.commands.db_worker import Command as TasksDbWorker

from orbit.ops import heartbeat


class Command(TasksDbWorker):
    def handle(self, *args, **options) -> None:
        with heartbeat.beating(options["worker_id"]):
            super().handle(*args, **options)
