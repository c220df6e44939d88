"""Background workers' heartbeats (issue 16): each `db_worker` process beats every HEARTBEAT_SECONDS from a
thread of its own (management/commands/db_worker.py), so a worker idle with an empty queue is told from one
that died — the queue's age alone shows a dead worker only once work waits.

/health/ready reports the freshest heartbeat but does not turn unready over it: a web process can serve with the
worker down, and taking every web process out of the load balancer would make a dead worker a full outage. The
queue check (work waiting longer than ORBIT_READY_QUEUE_AGE_MINUTES) is the one that turns it unready; the
metric orbit_worker_seen_seconds is for alerting.
"""

import datetime as dt
import os
import socket
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from orbit.ops.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 30  # Orbit's default: a beat costs one UPDATE
FORGET_AFTER = dt.timedelta(days=1)  # a worker gone for a day is forgotten


def beat(worker_id: str, started_at: dt.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


@contextmanager
def beating(worker_id: str, every: float = HEARTBEAT_SECONDS):
    """Beat for this worker while the block runs (its own thread and database connection); stop at the end."""
    stopped = threading.Event()
    started_at = timezone.now()

    def run():
        try:
            while True:
                try:
                    close_old_connections()
                    beat(worker_id, started_at)
                except DatabaseError:
                    pass  # the database is away: the next beat tries again, the worker goes on
                if stopped.wait(every):
                    return
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="orbit-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join(timeout=5)
        WorkerHeartbeat.objects.filter(worker_id=worker_id[:64]).delete()  # stopped on purpose: not missing


def last_seen(now: dt.datetime | None = None) -> tuple[int, dt.timedelta | None]:
    """Workers seen within the silence limit, and how long ago the freshest one beat (None: never)."""
    now = now or timezone.now()
    freshest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    limit = now - dt.timedelta(minutes=settings.ORBIT_WORKER_SILENCE_MINUTES)
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=limit).count()
    return alive, (now - freshest) if freshest else None
