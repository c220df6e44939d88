"""Recompute the stored KPI figures of the periods people look at (run nightly after the analytics run)."""

from django.core.management.base import BaseCommand

from orbit.kpi import snapshots


class Command(BaseCommand):
    help = "Recompute the managers' KPI snapshots (this and last month, this and last quarter, this year)."

    def handle(self, *args, **options):
        done = snapshots.refresh()
        self.stdout.write("KPI snapshots refreshed: " + ", ".join(done))
