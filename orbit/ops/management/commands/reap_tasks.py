from django.core.management.base import BaseCommand

from orbit.ops.stale_tasks import reap


class Command(BaseCommand):
    help = (
        "Give the tasks of dead workers back to the queue (once), or mark them failed; their background imports "
        "and exports with them. Run before a worker starts and in the morning run."
    )

    def handle(self, *args, **options):
        done = reap()
        self.stdout.write(f"requeued {len(done['requeued'])}, failed {len(done['failed'])}")
