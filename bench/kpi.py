"""Issue 14 on the large base: the managers' KPI page (`/managers/kpi/`) for the head, a team lead and a manager,
against the bare SQL it needs.

    .venv/bin/python -m bench.kpi --database orbit_bench                        # ~5 min; bench/results_kpi.md

Load the accounts (`bench.generate`), the ledger (`bench.revenue`) and the touches (`bench.touches`) first.
*ours* is the whole request through `django.test.Client` (session, middleware, view, every figure of every
manager — the peers' medians need all of them — template); *bare* replays with psycopg exactly the SQL
statements the page issued (captured once), fetching every row, interleaved with ours in the same run. The
ratio shows what Django, Python's arithmetic and the template add to the database's own work; the slowest
statements are listed with their share. Target: the head's page p95 ≤ 500 ms.
"""

import argparse
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.run import machine, pct, use_bench_database

HERE = Path(__file__).resolve().parent
TARGET_MS = 500.0


def captured(client, url: str) -> list[tuple[str, float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [(q["sql"], float(q["time"])) for q in queries.captured_queries]


def bare(cur, statements: list[str]) -> float:
    t = time.perf_counter()
    for sql in statements:
        cur.execute(sql)
        if cur.description is not None:
            cur.fetchall()
    return (time.perf_counter() - t) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="orbit_bench")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument(
        "--periods",
        default="",
        help="comma-separated period codes (default: this month, last month, this quarter)",
    )
    parser.add_argument("--out", default=str(HERE / "results_kpi.md"))
    args = parser.parse_args(argv)
    dsn = use_bench_database(args.server, args.database)
    from django.test import Client
    from django.utils import timezone

    from orbit.kpi import periods
    from orbit.org.models import Role, User

    today = timezone.localdate()
    codes = [c for c in args.periods.split(",") if c] or [
        periods.of(periods.MONTH, today).code,
        periods.of(periods.MONTH, today).previous().code,
        periods.of(periods.QUARTER, today).code,
    ]
    head = User.objects.filter(roles__role=Role.HEAD, is_active=True).first()
    lead = User.objects.filter(led_teams__isnull=False, is_active=True).distinct().first()
    manager = (
        User.objects.filter(roles__role=Role.ACCOUNT_MANAGER, is_active=True, led_teams__isnull=True)
        .order_by("pk")
        .first()
    )
    readers = [("head", head), ("team lead", lead), ("manager", manager)]
    conn = psycopg.connect(dsn, autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM accounts_account")
    accounts = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM org_user WHERE is_active")
    people = cur.fetchone()[0]
    cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'revenue_invoice'")
    invoices = cur.fetchone()[0]
    cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'activities_touch'")
    touches = cur.fetchone()[0]
    lines = [
        "# Managers' KPI page at scale (issue 14)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average at start "
        f"{os.getloadavg()[0]:.1f}. Base: {accounts:,} accounts, {people:,} active people, ~{invoices:,} invoices, "
        f"~{touches:,} touches; today {today}. {args.iterations} requests per case after a warm-up, interleaved "
        "with the bare replay.",
        "",
        "| reader | period | queries | ours p50 ms | ours p95 ms | bare p50 ms | bare p95 ms | ratio p50 | target |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    from orbit.kpi.models import KpiSnapshot

    KpiSnapshot.objects.all().delete()
    cold: dict[str, tuple[float, list[tuple[str, float]]]] = {}
    for code in codes:  # the first request of a period computes every manager's figures and stores them
        client = Client(SERVER_NAME="localhost")
        client.force_login(head)
        t = time.perf_counter()
        statements = captured(client, f"/managers/kpi/?period={code}")
        cold[code] = ((time.perf_counter() - t) * 1000, statements)
        print(f"cold {code}: {cold[code][0]:.0f} ms, {len(statements)} queries", flush=True)
    for code in codes:
        for label, user in readers:
            if user is None:
                continue
            client = Client(SERVER_NAME="localhost")
            client.force_login(user)
            url = f"/managers/kpi/?period={code}"
            statements = captured(client, url)  # warm-up, and the statements to replay
            sqls = [s for s, _t in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]
            ours, theirs = [], []
            for _ in range(args.iterations):
                t = time.perf_counter()
                response = client.get(url)
                ours.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200
                theirs.append(bare(cur, sqls))
            p95 = pct(ours, 95)
            target = f"{'✓' if p95 <= TARGET_MS else '✗'} ≤ {TARGET_MS:.0f}" if label == "head" else ""
            lines.append(
                f"| {label} | {code} | {len(statements)} | {pct(ours, 50):.0f} | {p95:.0f} | {pct(theirs, 50):.0f} "
                f"| {pct(theirs, 95):.0f} | {pct(ours, 50) / max(pct(theirs, 50), 0.001):.2f}× | {target} |"
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        "## Computing the figures (the first request of a period, or the nightly refresh)",
        "",
        "Every manager's figures of the period computed and stored (`orbit/kpi/snapshots.py`); the requests above "
        "read them. The slowest statements of that computation:",
        "",
        "| period | ms | queries | slowest statements |",
        "|---|--:|--:|---|",
    ]
    for code, (ms, statements) in cold.items():
        top = sorted(statements, key=lambda s: -s[1])[:4]
        lines.append(
            f"| {code} | {ms:.0f} | {len(statements)} | "
            + "; ".join(f"{t * 1000:.0f} ms `{' '.join(s.split())[:70].replace('|', '/')}…`" for s, t in top)
            + " |"
        )
    lines.append("")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
