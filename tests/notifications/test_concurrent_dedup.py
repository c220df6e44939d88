"""Two escalation runs at the same moment tell a person once (PostgreSQL, real transactions)."""

import threading
import time

import pytest
from django.db import connection, transaction

from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.services import notify
from tests.factories import make_user


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tell_once(postgres_only):
    lead = make_user("lead", "team_lead")
    first_told, release = threading.Event(), threading.Event()
    results = {}

    def run(name, hold):
        try:
            with transaction.atomic():
                results[name] = notify(
                    recipients=[lead], kind=Kind.SLA_BREACHED, title="SLA", url="/requests/9/"
                )
                if hold:
                    first_told.set()
                    release.wait(10)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first", True))
    first.start()
    assert first_told.wait(10)
    second = threading.Thread(target=run, args=("second", False))
    second.start()
    time.sleep(0.5)
    assert "second" not in results  # waiting for the first run's transaction to end
    release.set()
    first.join(10)
    second.join(10)
    assert len(results["first"]) == 1 and results["second"] == []
    assert Notification.objects.filter(recipient=lead).count() == 1
