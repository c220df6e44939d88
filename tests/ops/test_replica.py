"""The replica router (orbit/ops/replica.py): which database each kind of request reads from.

The suite's `replica` alias is a TEST MIRROR of the default test database (tests/settings.py): a second
connection to the same database, so each connection's query log tells where a request's reads went. The
router and the middleware are switched on per test, as DATABASE_REPLICA_URL does in production.
"""

import datetime as dt
import subprocess
import sys

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from orbit.accounts.models import Account
from orbit.ops import replica
from tests.factories import make_account

ROOT = replica.__file__.rsplit("/orbit/", 1)[0]
both = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, replica.REPLICA])


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["orbit.ops.replica.ReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.middleware.common.CommonMiddleware"),
        "orbit.ops.replica.PinAfterWriteMiddleware",
    )
    settings.MIDDLEWARE = middleware
    settings.ORBIT_REPLICA_PIN_SECONDS = 5
    replica.forget_state()
    yield
    replica.forget_state()


class Reads:
    """The SQL each connection ran while the block was open."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections[replica.REPLICA])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def on(self, which: str, table: str) -> int:
        log = self.primary if which == "primary" else self.replica
        return sum(f'"{table}"' in q["sql"] for q in log.captured_queries)


@pytest.fixture
def manager_client(org, client):
    make_account(org.am_a, legal_name="ООО «Первый»")
    client.force_login(org.am_a)
    return client


@both
def test_a_list_that_tolerates_lag_reads_accounts_from_the_replica(routed, manager_client):
    with Reads() as reads:
        response = manager_client.get(reverse("accounts:list"))
    assert response.status_code == 200 and "ООО «Первый»" in response.content.decode()
    assert reads.on("replica", "accounts_account") >= 1
    assert reads.on("primary", "accounts_account") == 0
    # the session and the signed-in user are read before the view, from the primary
    assert reads.on("primary", "django_session") == 1
    assert reads.on("replica", "django_session") == 0


@both
def test_a_streamed_export_reads_its_rows_from_the_replica(routed, manager_client):
    with Reads() as reads:
        response = manager_client.get(reverse("imports:accounts_export"), {"format": "csv"})
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and "ООО «Первый»" in body
    assert reads.on("replica", "accounts_account") >= 1
    assert reads.on("primary", "accounts_account") == 0
    assert reads.on("primary", "imports_exportlog") == 1  # the export's log is a write: on the primary
    assert replica._reads_from_replica.get() is False


@both
def test_a_page_not_declared_reads_only_from_the_primary(routed, manager_client):
    account = Account.objects.get()
    with Reads() as reads:
        response = manager_client.get(reverse("accounts:detail", args=[account.pk]))
    assert response.status_code == 200
    assert reads.on("primary", "accounts_account") >= 1
    assert len(reads.replica.captured_queries) == 0


@both
def test_after_a_write_the_writer_reads_from_the_primary_for_the_pin_time(routed, manager_client):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC), tick=False) as clock:
        with Reads() as reads:
            written = manager_client.post(reverse("notifications:read_all"))
        assert written.status_code < 400
        assert len(reads.replica.captured_queries) == 0  # a write's own reads: primary
        cookie = written.cookies[replica.PIN_COOKIE]
        assert cookie["max-age"] == 5 and cookie["httponly"]

        clock.shift(4)
        with Reads() as reads:
            assert manager_client.get(reverse("accounts:list")).status_code == 200
        assert reads.on("primary", "accounts_account") >= 1
        assert len(reads.replica.captured_queries) == 0

        clock.shift(2)  # 6 s after the write: the pin has run out
        with Reads() as reads:
            assert manager_client.get(reverse("accounts:list")).status_code == 200
        assert reads.on("replica", "accounts_account") >= 1
        assert reads.on("primary", "accounts_account") == 0


@both
def test_a_refused_write_does_not_pin(routed, org, manager_client):
    # a write refused with a 4xx changed nothing: nothing to read back (a re-rendered form, 200, does pin)
    foreign = make_account(org.am_b)
    response = manager_client.post(reverse("accounts:archive", args=[foreign.pk]))
    assert 400 <= response.status_code < 500
    assert replica.PIN_COOKIE not in response.cookies


@both
def test_a_forged_pin_cookie_is_ignored(routed, manager_client):
    manager_client.cookies[replica.PIN_COOKIE] = "1"  # unsigned
    with Reads() as reads:
        manager_client.get(reverse("accounts:list"))
    assert reads.on("replica", "accounts_account") >= 1


@both
def test_another_users_write_does_not_pin_this_user(routed, org, manager_client, client_factory):
    other = client_factory()
    other.force_login(org.am_b)
    assert other.post(reverse("notifications:read_all")).status_code < 400
    with Reads() as reads:
        manager_client.get(reverse("accounts:list"))
    assert reads.on("replica", "accounts_account") >= 1


@pytest.fixture
def replica_down():
    """The replica's address points at a port nobody listens on, as when its server is stopped."""
    connection = connections[replica.REPLICA]
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_free_port())
    replica.forget_state()
    yield
    connection.close()
    connection.settings_dict["PORT"] = saved
    replica.forget_state()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@both
def test_a_replica_that_cannot_be_reached_leaves_the_pages_to_the_primary(
    routed, replica_down, manager_client
):
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:  # the replica has no connection
        response = manager_client.get(reverse("accounts:list"))
    assert response.status_code == 200 and "ООО «Первый»" in response.content.decode()
    assert any('"accounts_account"' in q["sql"] for q in on_primary.captured_queries)
    state = replica.replica_state()
    assert not state.usable and state.lag_seconds is None and state.detail.startswith("unreachable")


@both
def test_a_replica_too_far_behind_is_not_read_from(routed, manager_client, settings):
    settings.ORBIT_REPLICA_MAX_LAG_SECONDS = (
        -1
    )  # any replica is "too far behind": the same branch as 31 s of 30
    with Reads() as reads:
        assert manager_client.get(reverse("accounts:list")).status_code == 200
    assert reads.on("primary", "accounts_account") >= 1 and reads.on("replica", "accounts_account") == 0
    assert "behind the primary: not used" in replica.replica_state().detail


@both
def test_the_replica_is_asked_at_most_once_per_check_interval(routed, manager_client, settings):
    settings.ORBIT_REPLICA_CHECK_SECONDS = 60
    with Reads() as reads:
        for _ in range(3):
            assert manager_client.get(reverse("accounts:list")).status_code == 200
    asked = [q for q in reads.replica.captured_queries if "pg_is_in_recovery" in q["sql"]]
    assert len(asked) == 1
    settings.ORBIT_REPLICA_CHECK_SECONDS = 0  # every request asks again
    with Reads() as reads:
        for _ in range(2):
            manager_client.get(reverse("accounts:list"))
    assert len([q for q in reads.replica.captured_queries if "pg_is_in_recovery" in q["sql"]]) == 2


@both
def test_ready_reports_the_replica_without_requiring_it(routed, client, replica_down):
    checks = client.get(reverse("ops:ready")).json()["checks"]
    assert checks["replica"]["required"] is False and checks["replica"]["ok"] is False
    assert checks["replica"]["detail"] == "unreachable (OperationalError)"


@both
def test_ready_flags_a_replica_that_is_not_a_standby(routed, client):
    response = client.get(reverse("ops:ready"))
    assert response.status_code == 200  # not required: the primary serves meanwhile
    # the suite's replica is a second connection to the primary itself: used, but flagged
    assert response.json()["checks"]["replica"] == {
        "ok": False,
        "detail": "not a standby: it receives no replication",
        "required": False,
    }


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


@both
def test_transactions_and_locks_stay_on_the_primary(routed, org):
    make_account(org.am_a)
    router = replica.ReplicaRouter()
    token = replica._reads_from_replica.set(True)
    try:
        assert router.db_for_read(Account) == replica.REPLICA
        with Reads() as reads, transaction.atomic():
            assert router.db_for_read(Account) == DEFAULT_DB_ALIAS
            list(Account.objects.select_for_update().all())
            Account.objects.count()
        assert reads.on("primary", "accounts_account") == 2
        assert len(reads.replica.captured_queries) == 0
        assert router.db_for_write(Account) == DEFAULT_DB_ALIAS
    finally:
        replica._reads_from_replica.reset(token)
    assert router.db_for_read(Account) == DEFAULT_DB_ALIAS  # outside a tolerant view


def test_migrations_run_only_on_the_primary():
    router = replica.ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "accounts")
    assert not router.allow_migrate(replica.REPLICA, "accounts")


def test_every_lag_tolerant_route_exists():
    names = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver())
    assert not replica.LAG_TOLERANT_ROUTES - names, "routes named but not in the URLconf"


@both
def test_without_the_router_nothing_reads_from_the_replica(manager_client):
    with Reads() as reads:
        assert manager_client.get(reverse("accounts:list")).status_code == 200
    assert len(reads.replica.captured_queries) == 0
    assert reads.on("primary", "accounts_account") >= 1


_SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
    "[m for m in settings.MIDDLEWARE if 'replica' in m], settings.DATABASES.get('replica', {}).get('HOST')]))"
)


def _settings_with(tmp_path, **env) -> list:
    import json
    import os

    base = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_REPLICA_URL", "DJANGO_SETTINGS_MODULE")
    }
    base.update(DJANGO_SETTINGS_MODULE="orbit.settings", DEBUG="true", ORBIT_DATA_DIR=str(tmp_path), **env)
    done = subprocess.run(
        [sys.executable, "-c", _SHOW], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_without_database_replica_url_orbit_has_one_database_and_no_router(tmp_path):
    assert _settings_with(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x") == [
        ["default"],
        [],
        [],
        None,
    ]


def test_database_replica_url_adds_the_replica_the_router_and_the_pin(tmp_path):
    got = _settings_with(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/x",
        DATABASE_REPLICA_URL="postgres://postgres@10.0.0.2:5432/x",
    )
    assert got == [
        ["default", "replica"],
        ["orbit.ops.replica.ReplicaRouter"],
        ["orbit.ops.replica.PinAfterWriteMiddleware"],
        "10.0.0.2",
    ]
