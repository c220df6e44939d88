"""Reads that tolerate lag go to a PostgreSQL streaming replica; everything else stays on the primary.

On only when DATABASE_REPLICA_URL is set (orbit/settings.py then adds the `replica` alias, this router and
the middleware). Without it Orbit has one database and none of this runs.

The rule, per request:
- a GET/HEAD of a page named in LAG_TOLERANT_ROUTES (lists, analytics, reports, exports: pages where a
  figure a few seconds old is acceptable) reads from the replica;
- everything else reads from the primary, and every write, transaction, select_for_update and migration
  is on the primary;
- a replica that cannot be reached, or lags more than ORBIT_REPLICA_MAX_LAG_SECONDS (Orbit's default 30 s),
  is left alone: those pages read from the primary until it is back (`replica_state`, asked at most every
  ORBIT_REPLICA_CHECK_SECONDS per process, Orbit's default 5 s; /health/ready reports it);
- read-your-own-writes: a write (a non-safe method not refused with a 4xx/5xx; a form shown again with its
  errors is a 200 and pins too, which costs only reads on the primary) sets a signed cookie for
  ORBIT_REPLICA_PIN_SECONDS (Orbit's default 5 s, longer than a healthy replica's lag on a LAN); while it is
  valid, that browser's requests read from the primary too.

django-multidb-router (jbalogh) was the model for the cookie pinning; it is not used because it sends every
read to a replica unless pinned, while Orbit's pages must opt in.
"""

import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
PIN_COOKIE = "orbit_primary"
_PIN_SALT = "orbit.ops.replica.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# URL names of the pages that tolerate replication lag: they only read, and show lists or aggregates where a
# row written a few seconds ago by someone else may be missing until the next refresh. A page that the user
# lands on right after his own write is covered by the pin. Checked against the URLconf by a test.
LAG_TOLERANT_ROUTES = frozenset(
    {
        "accounts:list",
        "accounts:reassignments",
        "accounts:duplicates",
        "handoffs:list",
        "requests:list",
        "revenue:invoices",
        "revenue:receivables",
        "growth:opportunities",
        "growth:forecast",
        "growth:plans",
        "growth:whitespace",
        "analytics:dashboard",
        "analytics:accounts",
        "analytics:rfm",
        "analytics:retention",
        "analytics:shares",
        "analytics:reactivation",
        "analytics:reactivation_lost",
        "analytics:changes",
        "kpi:page",
        "kpi:ranking",
        "workload:index",
        "imports:accounts_export",
        "imports:requests_export",
        "imports:contacts_export",
        "imports:touches_export",
        "imports:tasks_export",
        "imports:opportunities_export",
        "imports:invoice_lines_export",
        "imports:analytics_export",
        "imports:kpi_export",
        "imports:bonus_statements_export",
    }
)

# Set for the length of one view by the middleware; a context variable, so gunicorn's threads do not share it.
_reads_from_replica: ContextVar[bool] = ContextVar("orbit_reads_from_replica", default=False)


def pin_seconds() -> int:
    return settings.ORBIT_REPLICA_PIN_SECONDS


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def routing_on() -> bool:
    """DATABASE_REPLICA_URL adds the alias and this router together (the suite has the alias alone)."""
    return replica_configured() and f"{__name__}.ReplicaRouter" in settings.DATABASE_ROUTERS


@dataclass(frozen=True)
class ReplicaState:
    usable: bool  # lag-tolerant pages may read from it
    standby: bool  # it is in recovery, fed by the primary (a promoted or stray server is not)
    lag_seconds: float | None  # None: not reached
    detail: str


# How far behind the replica is: nothing when it has replayed all it received (an idle primary sends nothing,
# and the last replayed commit's age would grow without any lag); otherwise the age of that commit.
_LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""


def probe() -> ReplicaState:
    """Ask the replica itself (one query on its own connection)."""
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            standby, lag = cursor.fetchone()
    except DatabaseError as exc:
        connection.close()  # a broken connection is not reused by the next probe
        return ReplicaState(False, False, None, f"unreachable ({exc.__class__.__name__})")
    lag = float(lag or 0)
    if lag > settings.ORBIT_REPLICA_MAX_LAG_SECONDS:
        return ReplicaState(False, bool(standby), lag, f"{lag:.0f} s behind the primary: not used")
    if not standby:
        # Used (the suite's replica is a second connection to the primary), but /health/ready flags it: a
        # promoted ex-replica gets no more changes and would serve ever older figures.
        return ReplicaState(True, False, lag, "not a standby: it receives no replication")
    return ReplicaState(True, True, lag, f"{lag:.1f} s behind the primary")


_state: tuple[float, ReplicaState] | None = None
_probing = threading.Lock()


def replica_state() -> ReplicaState:
    """The replica's state, asked again when the last answer is older than ORBIT_REPLICA_CHECK_SECONDS.

    One thread of a process asks; the others keep the last answer meanwhile, so a replica that hangs holds up
    at most one request (for the connect timeout), not every request of the process.
    """
    global _state
    now = time.monotonic()
    if _state is not None and now - _state[0] < settings.ORBIT_REPLICA_CHECK_SECONDS:
        return _state[1]
    if not _probing.acquire(blocking=_state is None):
        return _state[1]  # type: ignore[index]  # another thread is asking; None only before the first answer
    try:
        state = probe()
        _state = (time.monotonic(), state)
        return state
    finally:
        _probing.release()


def forget_state() -> None:
    """The next request asks the replica again (tests, and after settings change)."""
    global _state
    _state = None


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        if not _reads_from_replica.get() or not replica_configured():
            return DEFAULT_DB_ALIAS
        # A transaction opened on the primary keeps its reads there: it must see its own rows and its locks.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica is read-only: it gets the schema by replication


class PinAfterWriteMiddleware:
    """Decides where a request's reads go (see the module's docstring) and pins a writer to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.orbit_pinned = request.method not in SAFE_METHODS or self._has_pin(request)
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_orbit_replica_token", None)
            if token is not None:
                _reads_from_replica.reset(token)
        if getattr(request, "_orbit_replica_token", None) is not None and response.streaming:
            response.streaming_content = _chunks_from_replica(response.streaming_content)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=pin_seconds(),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        tolerant = match is not None and match.view_name in LAG_TOLERANT_ROUTES
        if tolerant and not request.orbit_pinned and replica_state().usable:
            request._orbit_replica_token = _reads_from_replica.set(True)
        return None

    @staticmethod
    def _has_pin(request) -> bool:
        value = request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=pin_seconds())
        return value == "1"


def _chunks_from_replica(chunks):
    """A streamed body (a CSV export) reads its rows after the view has returned: on the replica too."""
    iterator = iter(chunks)
    while True:
        _reads_from_replica.set(True)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _reads_from_replica.set(False)
        yield chunk
