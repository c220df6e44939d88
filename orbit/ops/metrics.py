"""Prometheus metrics (issue 16): requests, latency, database and cache from django-prometheus, and the
background queue from Orbit's own collector, read at scrape time from the worker's table.

Several gunicorn processes each count their own requests; with PROMETHEUS_MULTIPROC_DIR set (before Python
starts: the systemd unit does it) they write to that directory and a scrape adds them up (`orbit serve` clears
it at start and tells it when a process exits). The endpoint answers the loopback and anyone presenting
ORBIT_METRICS_TOKEN as a bearer token: the figures are not secret but are nobody else's business.
"""

import hmac
import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily


class QueueCollector:
    """Tasks by status (queued, running, failed… as the worker's table keeps them) and the oldest queued one's age."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        by_status = GaugeMetricFamily("orbit_tasks", "Background tasks by status", labels=["status"])
        for status, count in DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by():
            by_status.add_metric([status.lower()], count)
        yield by_status
        oldest = DBTaskResult.objects.ready().aggregate(at=Min("enqueued_at"))["at"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "orbit_queue_oldest_seconds",
            "How long the oldest queued task has waited for the worker",
            value=age,
        )
        from orbit.ops import heartbeat

        alive, ago = heartbeat.last_seen()
        yield GaugeMetricFamily("orbit_workers", "Background workers that beat lately", value=alive)
        if ago is not None:
            yield GaugeMetricFamily(
                "orbit_worker_seen_seconds", "Since the freshest worker heartbeat", value=ago.total_seconds()
            )


def _allowed(request) -> bool:
    token = settings.ORBIT_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        raise PermissionDenied("metrics: loopback or ORBIT_METRICS_TOKEN only")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = prometheus_client.REGISTRY
    queue = CollectorRegistry()
    queue.register(QueueCollector())
    body = prometheus_client.generate_latest(requests) + prometheus_client.generate_latest(queue)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


def clear_directory() -> None:
    """At the server's start: counts of an earlier run must not be added to this one's."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder and os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.unlink(os.path.join(folder, name))


def process_exited(pid: int) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
