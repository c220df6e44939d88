import time

from django.core.management.base import BaseCommand
from django.db import transaction

from orbit.accounts import pulse


class Command(BaseCommand):
    help = (
        "Recompute every account's pulse (last touch, next planned touch, open requests) that the account "
        "list sorts by: what the morning run does; for a base loaded around the services (a COPY, a restore)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            corrected = pulse.rebuild()
        self.stdout.write(f"Pulses corrected: {corrected} in {time.monotonic() - started:.1f} s")
