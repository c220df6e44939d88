"""`orbit serve [--bind HOST:PORT] [--workers N] [--threads N]`: Orbit behind a production server (gunicorn).

Threads in a few processes (gunicorn's gthread worker): Orbit's requests wait on PostgreSQL far more than they
compute, so threads serve the waiting cheaply, and processes use the cores. Defaults are Orbit's (2 processes ×
4 threads, set by ORBIT_WEB_WORKERS / ORBIT_WEB_THREADS); the deployment guide says how to size them. Processes
are not recycled after N requests by default: a recycling gthread process resets the connections it accepted but
had not served (gunicorn issue #3038, open), which the database-restart check (bench/db_restart.py) caught as
dropped requests; ORBIT_WEB_MAX_REQUESTS turns it on against a leak. The access log carries each request's id
(X-Request-ID), as the application's own log lines do.
"""

import os

from django.core.management.base import BaseCommand
from django.db import connections
from gunicorn.app.base import BaseApplication

from orbit.ops import heap, metrics
from orbit.wsgi import application

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return application


class Command(BaseCommand):
    help = "Serve Orbit with a production web server (gunicorn, threads in a few processes)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ORBIT_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ORBIT_WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ORBIT_WEB_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=int(os.environ.get("ORBIT_WEB_TIMEOUT", "60")))

    def handle(self, *args, **options):
        connections.close_all()  # no connection opened here may be shared by the forked processes
        _Server(
            {
                "bind": options["bind"],
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "timeout": options["timeout"],
                "graceful_timeout": 30,
                "keepalive": 5,
                "max_requests": int(os.environ.get("ORBIT_WEB_MAX_REQUESTS", "0")),
                "max_requests_jitter": 200,
                "accesslog": "-",
                "errorlog": "-",
                "access_log_format": ACCESS_LOG_FORMAT,
                # Prometheus: one set of counts across the processes (see orbit/ops/metrics.py).
                "on_starting": lambda _server: metrics.clear_directory(),
                "child_exit": lambda _server, worker: metrics.process_exited(worker.pid),
                # Each process, once it has loaded Orbit (orbit/ops/heap.py).
                "post_worker_init": lambda _worker: heap.settle(),
                "forwarded_allow_ips": os.environ.get("ORBIT_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            }
        ).run()
