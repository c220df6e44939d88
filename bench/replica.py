"""Issue 16: Orbit on a real PostgreSQL primary and a streaming replica, both on loopback ports.

    .venv/bin/python -m bench.replica                 # as root (runs PostgreSQL as the `postgres` OS user)
    .venv/bin/python -m bench.replica --out FILE.md   # also writes the report there

What it does, end to end, and then stops both servers and removes their folders under /tmp:
1. initdb a primary, start it; create the `orbit` database;
2. pg_basebackup -R a replica from it and start it (hot standby, streaming);
3. migrate Orbit on the primary — the schema reaches the replica by streaming replication alone;
4. run Orbit in this process (Django's test Client, DATABASE_URL on the primary, DATABASE_REPLICA_URL on the
   replica): write accounts, read a lag-tolerant list and a card, and count where the reads went — Django's query
   log per connection and PostgreSQL's own counters (pg_stat_user_tables) on each server;
5. lag: pause replay on the replica, let a manager create an account through the form, and show that he sees
   it at once (pinned to the primary), a colleague does not until replay resumes, and after the pin the writer
   reads from the replica again;
6. too far behind: with replay still paused and ORBIT_REPLICA_MAX_LAG_SECONDS lowered to 1 s, the colleague's
   list is read from the primary (and shows the new account) until replay resumes;
7. a write sent to the replica is refused by PostgreSQL (read-only);
8. the replica stopped: the lag-tolerant list is served from the primary, and /health/ready says why.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("ORBIT_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"  # the OS user that owns the clusters (initdb refuses root)
PIN_SECONDS = 5  # Orbit's default ORBIT_REPLICA_PIN_SECONDS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)


class Cluster:
    def __init__(self, base: Path, name: str, port: int):
        self.data, self.port, self.log = base / name, port, base / f"{name}.log"
        self.socket_dir = base

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, db: str = "orbit") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, query: str, db: str = "orbit"):
        with psycopg.connect(self.url(db), autocommit=True) as conn:
            cursor = conn.execute(query)
            return cursor.fetchall() if cursor.description else []


def wait_for_replay(primary: Cluster, replica: Cluster, timeout: float = 30) -> float:
    """Seconds until the replica has replayed everything the primary had written when asked."""
    target = primary.sql("SELECT pg_current_wal_lsn()")[0][0]
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0][0]:
            return time.monotonic() - start
        time.sleep(0.05)
    raise RuntimeError("the replica did not catch up")


def scans(clusters: dict, table: str) -> dict:
    """Sequential plus index scans of a table counted by each server (each counts its own). Django's connections
    are closed first: a backend flushes its counters when it exits (otherwise at most once a second when idle)."""
    time.sleep(0.3)  # the backends' exit, after the client closed
    query = f"SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = '{table}'"
    return {name: cluster.sql(query)[0][0] for name, cluster in clusters.items()}


class Report:
    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)


def run(report: Report, base: Path) -> None:
    primary = Cluster(base, "primary", free_port())
    replica = Cluster(base, "replica", free_port())
    began = time.monotonic()
    try:
        as_postgres(str(PG_BIN / "initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        primary.start()
        primary.sql("CREATE DATABASE orbit", db="postgres")
        as_postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                    "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        replica.start()
        report(f"primary on 127.0.0.1:{primary.port}, replica on 127.0.0.1:{replica.port} "
               f"(pg_basebackup -R, hot standby), ready in {time.monotonic() - began:.1f} s")  # fmt: skip
        state = primary.sql("SELECT state, sync_state FROM pg_stat_replication", db="postgres")
        report(f"pg_stat_replication on the primary: {state}")
        assert replica.sql("SELECT pg_is_in_recovery()")[0][0] is True

        env = {
            "DATABASE_URL": primary.url(),
            "DATABASE_REPLICA_URL": replica.url(),
            "DEBUG": "false",
            "SECRET_KEY": "orbit-bench-only-not-a-production-key-0123456789abcdef",
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "orbit.settings",
            "ORBIT_DATA_DIR": str(base / "orbit"),
        }
        os.environ.update(env)
        (base / "orbit" / "static").mkdir(
            parents=True
        )  # WhiteNoise's folder (nothing collected: no pages' assets needed)
        started = time.monotonic()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, check=True,
                       capture_output=True, text=True, env={**os.environ, **env})  # fmt: skip
        caught_up = wait_for_replay(primary, replica)
        tables = replica.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0][0]
        report(f"migrate on the primary: {time.monotonic() - started:.1f} s; the replica had all {tables} tables "
               f"{caught_up:.2f} s later, by streaming alone")  # fmt: skip
        exercise(report, primary, replica)
        report(f"whole run: {time.monotonic() - began:.1f} s")
    finally:
        for cluster in (replica, primary):
            try:
                cluster.stop()
            except subprocess.CalledProcessError as stop_failed:
                report(f"could not stop {cluster.data.name}: {stop_failed.stderr}")
        shutil.rmtree(base, ignore_errors=True)
        report(f"stopped both servers, removed {base}")


def exercise(report: Report, primary: Cluster, replica: Cluster) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from orbit.accounts.models import Account
    from orbit.ops import replica as routing
    from orbit.org.models import Role, User, UserRole
    from tests.factories import make_account

    settings.ORBIT_REPLICA_CHECK_SECONDS = 0  # each request asks the replica's state afresh: the run is short

    head = User.objects.create_user(username="head", password="x" * 12, display_name="Head")
    manager = User.objects.create_user(username="am", password="x" * 12, display_name="Manager")
    UserRole.objects.bulk_create(
        [UserRole(user=head, role=Role.HEAD), UserRole(user=manager, role=Role.ACCOUNT_MANAGER)]
    )
    for number in range(30):
        make_account(manager, legal_name=f"ООО «Реплика {number:02d}»")
    wait_for_replay(primary, replica)
    accounts_table = Account._meta.db_table
    report(f"wrote 2 users and 30 accounts through Orbit's services: {primary.sql(f'SELECT count(*) FROM {accounts_table}')[0][0]} "
           f"rows on the primary, {replica.sql(f'SELECT count(*) FROM {accounts_table}')[0][0]} on the replica")  # fmt: skip

    servers = {"primary": primary, "replica": replica}

    def visit(client, url, method="get", data=None):
        connections.close_all()  # counters of earlier work are flushed before the count starts
        before = scans(servers, accounts_table)
        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            response = getattr(client, method)(url, data or {})
        connections.close_all()  # each backend goes idle and flushes its counters
        after = scans(servers, accounts_table)
        return (
            response,
            len(on_primary),
            len(on_replica),
            after["primary"] - before["primary"],
            after["replica"] - before["replica"],
        )

    def visit_primary_only(client, url):
        """A request while the replica's server is down (counting on it would need a connection to it)."""
        connections.close_all()
        return client.get(url)

    report()
    report(
        "| request | status | Django queries primary / replica | scans of accounts primary / replica (pg_stat) |"
    )
    report("|---|---|---|---|")

    def row(label, result):
        response, q_primary, q_replica, s_primary, s_replica = result
        report(
            f"| {label} | {response.status_code} | {q_primary} / {q_replica} | {s_primary} / {s_replica} |"
        )
        return result

    writer, colleague = Client(), Client()
    writer.force_login(manager)
    colleague.force_login(head)
    first = Account.objects.order_by("pk").first()
    listed = row("manager: GET accounts list (tolerates lag)", visit(writer, reverse("accounts:list")))
    assert listed[2] > 0 and listed[4] > 0 and listed[3] == 0
    card = row(
        "manager: GET an account's card (not declared)",
        visit(writer, reverse("accounts:detail", args=[first.pk])),
    )
    assert card[2] == 0 and card[4] == 0
    row("head: GET analytics dashboard (tolerates lag)", visit(colleague, reverse("analytics:dashboard")))

    replica.sql("SELECT pg_wal_replay_pause()")
    report("| *replay paused on the replica: it lags behind from here* | | | |")
    form = {"legal_name": "ООО «Записано только что»", "inn": "7736207543", "kpp": "770401001", "tier": "C",
            "budget_currency": "RUB", "status": "active", "responsible_manager": manager.pk}  # fmt: skip
    created = row(
        "manager: POST a new account (form)", visit(writer, reverse("accounts:create"), "post", form)
    )
    assert created[0].status_code == 302, created[0].content[:2000]
    assert "orbit_primary" in created[0].cookies
    written_at = time.monotonic()
    pinned = row(
        "manager, pinned: GET accounts list", visit(writer, reverse("accounts:list", query={"q": "Записано"}))
    )
    assert pinned[4] == 0 and "Записано только что" in pinned[0].content.decode()
    lagging = row(
        "head, not pinned: GET accounts list",
        visit(colleague, reverse("accounts:list", query={"q": "Записано"})),
    )
    assert lagging[4] > 0 and "Записано только что" not in lagging[0].content.decode()
    behind = primary.sql("SELECT pg_current_wal_lsn()")[0][0]
    behind = replica.sql(f"SELECT pg_wal_lsn_diff('{behind}', pg_last_wal_replay_lsn())")[0][0]
    report(f"| *the replica is {int(behind)} bytes of WAL behind the primary* | | | |")
    settings.ORBIT_REPLICA_MAX_LAG_SECONDS = 1.0  # from Orbit's default 30 s, so the run need not wait 30 s
    while (state := routing.probe()).usable:
        time.sleep(0.2)
    report(f"| *ORBIT_REPLICA_MAX_LAG_SECONDS lowered to 1 s: the replica is {state.detail}* | | | |")
    too_far = row(
        "head, not pinned, replica too far behind: GET accounts list",
        visit(colleague, reverse("accounts:list", query={"q": "Записано"})),
    )
    assert too_far[4] == 0 and too_far[3] > 0 and "Записано только что" in too_far[0].content.decode()
    settings.ORBIT_REPLICA_MAX_LAG_SECONDS = 30.0
    replica.sql("SELECT pg_wal_replay_resume()")
    wait_for_replay(primary, replica)
    report("| *replay resumed, the replica caught up* | | | |")
    seen = row("head: GET accounts list", visit(colleague, reverse("accounts:list", query={"q": "Записано"})))
    assert seen[4] > 0 and "Записано только что" in seen[0].content.decode()
    time.sleep(max(0.0, PIN_SECONDS + 0.5 - (time.monotonic() - written_at)))
    unpinned = row(
        f"manager, {PIN_SECONDS} s after his write: GET accounts list",
        visit(writer, reverse("accounts:list")),
    )
    assert unpinned[4] > 0 and unpinned[2] > 0
    report()
    report(
        "Query counts include the session and the signed-in user, read from the primary before any view, and"
    )
    report(
        "on the replica the one query that asks its state (here before every request; every 5 s by default)."
    )

    try:
        replica.sql(f"UPDATE {accounts_table} SET legal_name = legal_name WHERE id = {first.pk}")
        report("a write on the replica was accepted (unexpected)")
        raise AssertionError("the replica accepted a write")
    except psycopg.errors.ReadOnlySqlTransaction as refused:
        report(
            f"a write sent to the replica directly: refused by PostgreSQL ({refused.diag.message_primary})"
        )
    inserted = primary.sql(f"SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = '{accounts_table}'")[
        0
    ][0]
    on_replica = replica.sql(f"SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = '{accounts_table}'")[
        0
    ][0]
    report(
        f"rows inserted into {accounts_table} as counted by each server: primary {inserted}, replica {on_replica}"
    )

    connections.close_all()
    replica.stop()
    report()
    report("the replica's server stopped:")
    down = visit_primary_only(colleague, reverse("accounts:list"))
    assert down.status_code == 200 and "Реплика 00" in down.content.decode()
    report(
        f"- head: GET accounts list: {down.status_code}, read from the primary ({routing.replica_state().detail})"
    )
    ready = colleague.get(reverse("ops:ready"))
    assert ready.status_code == 200 and ready.json()["checks"]["replica"]["ok"] is False
    report(f"- GET /health/ready: {ready.status_code}, replica check {ready.json()['checks']['replica']}")
    connections.close_all()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="also write the report (markdown) to this file")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="orbit-replica-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(base, user=PG_USER)
    base.chmod(0o755)
    report = Report()
    run(report, base)
    if args.out:
        args.out.write_text("\n".join(report.lines) + "\n")


if __name__ == "__main__":
    main()
