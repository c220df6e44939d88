"""Is this Orbit process able to serve (issue 16)? What a load balancer and an orchestrator ask.

- live: the process answers; nothing else is checked (a database outage must not get every web process
  restarted — it is not theirs to fix).
- ready: the database answers, every migration is applied (a new release's code on an old schema is not ready),
  and background work is being taken: the oldest task waiting in the queue is younger than
  ORBIT_READY_QUEUE_AGE_MINUTES (Orbit's default 15) — a dead or missing worker shows as a queue that stops
  moving. Each check reports ok and, when not, a short reason with no secrets in it.
- and, reported but not required (heartbeat.py says why): whether a background worker beat lately; with a read
  replica, whether it answers and how far behind it is (not required: the primary serves its pages meanwhile).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    required: bool = True  # a failed required check makes the process unready


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check("database", False, exc.__class__.__name__)
    return Check("database", True)


def migrations() -> Check:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return Check("migrations", False, f"{len(pending)} not applied")
    return Check("migrations", True)


def queue(now: dt.datetime | None = None) -> Check:
    from django_tasks_db.models import DBTaskResult  # the worker's queue table

    oldest = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    )
    if oldest is None:
        return Check("queue", True, "empty")
    age = (now or timezone.now()) - oldest
    limit = dt.timedelta(minutes=settings.ORBIT_READY_QUEUE_AGE_MINUTES)
    minutes = int(age.total_seconds() // 60)
    if age > limit:
        return Check("queue", False, f"oldest task waits {minutes} min: is the worker running?")
    return Check("queue", True, f"oldest task waits {minutes} min")


def worker(now: dt.datetime | None = None) -> Check:
    from orbit.ops import heartbeat

    alive, ago = heartbeat.last_seen(now)
    if alive:
        return Check("worker", True, f"{alive} running", required=False)
    seen = f"last seen {int(ago.total_seconds() // 60)} min ago" if ago is not None else "never seen"
    return Check("worker", False, f"no worker: {seen}", required=False)


def replica() -> Check:
    from orbit.ops import replica as replica_routing

    state = replica_routing.probe()  # asked afresh, not the routing's cached answer
    return Check("replica", state.usable and state.standby, state.detail, required=False)


def readiness() -> list[Check]:
    from orbit.ops.replica import routing_on

    first = database()
    if not first.ok:  # the rest would only fail the same way, slowly
        return [first]
    return [first, migrations(), queue(), worker(), *([replica()] if routing_on() else [])]
