from django.core.management.base import BaseCommand

from orbit.notifications.reminders import send_reminders, send_reminders_task


class Command(BaseCommand):
    help = "The morning run: handoff steps due, covers begun and ended, touches planned by cadence and overdue, contracts renewed or expired, receivables aged, the account list's pulse checked, the analytics and the managers' KPI figures queued. Once a day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the work to the task worker instead."
        )

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = send_reminders_task.enqueue()
            self.stdout.write(f"Enqueued {result.id}")
            return
        count = send_reminders()
        self.stdout.write(
            f"Handoff steps: {count.handoff_steps}; covers: {count.covers}; covers ended: {count.covers_ended}; "
            f"touches planned: {count.touches_planned}; managers told of overdue touches: {count.overdue_touches}; "
            f"contracts renewed: {count.contracts_renewed}; contracts expired: {count.contracts_expired}; "
            f"notice deadlines told: {count.contract_notices}; receivables aged: {count.receivables}; "
            f"pulses corrected: {count.pulses_corrected}; "
            f"analytics run queued: {count.analytics_run}; KPI refresh queued: {count.kpi_refresh}"
        )
