"""Issue 13 on the large base: the full analytics recompute against the bare SQL aggregate over the same lines,
an incremental recompute after a day of invoices and payments, and the head's dashboard from the stored results.

    .venv/bin/python -m bench.analytics --database orbit_bench                 # ~5 min; bench/results_analytics.md

Load the accounts (`bench.generate`) and the ledger (`bench.revenue`) first. Each measure is a ratio taken in the
same run, interleaved, because the machine is shared:

- **Full recompute** (`compute.run_now`, every account, one transaction of writes) against the bare aggregate
  over the window's invoice lines (`SUM(net), SUM(cost) GROUP BY account_id` over 20M lines, every row fetched),
  and against the bare aggregate the computation needs over the invoices themselves (per account: money, first
  and last day, purchase days), fetched too. Timed per step from the run's own progress stamps. The first run
  of a base inserts every row; the nightly one (the second) updates them: both are reported.
- **Incremental recompute** after a day of `--day-invoices` invoices and as many payments made through the
  ledger services (the real write path), target ≤ 1 s.
- **Head's dashboard** (`/analytics/`, the stored department figures), p95 of `--iterations` requests, target
  ≤ 300 ms; and a team lead's (his teams' figures computed from their stored rows).
The invoices and payments of the day are left in the base (a later run of this benchmark adds another day).
"""

import argparse
import datetime as dt
import os
import random
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg

from bench.run import machine, pct, use_bench_database

HERE = Path(__file__).resolve().parent
FULL_RATIO_TARGET = 1.5
INCREMENTAL_TARGET_S = 1.0
DASHBOARD_TARGET_MS = 300.0


def bare_lines(cur, start: dt.date, end: dt.date) -> float:
    t = time.perf_counter()
    cur.execute(
        "SELECT account_id, SUM(net_amount_base), SUM(cost_amount_base) FROM revenue_invoiceline "
        "WHERE issued_on >= %s AND issued_on < %s GROUP BY account_id",
        (start, end),
    )
    cur.fetchall()
    return time.perf_counter() - t


def bare_invoices(cur, as_of: dt.date) -> float:
    t = time.perf_counter()
    cur.execute(
        "SELECT account_id, SUM(net_total_base), SUM(net_total_base - cost_total_base), MIN(issued_on), "
        "MAX(issued_on), COUNT(DISTINCT issued_on) FROM revenue_invoice WHERE issued_on <= %s GROUP BY account_id",
        (as_of,),
    )
    cur.fetchall()
    return time.perf_counter() - t


def timed_run(kind: str, as_of: dt.date) -> tuple[float, dict, object]:
    """The run and the seconds of each step, from the stamps it writes as it goes."""
    from orbit.analytics import compute

    stamps: list[tuple[str, float]] = []
    progress = compute._progress

    def stamping(run, step):
        stamps.append((step, time.perf_counter()))
        progress(run, step)

    compute._progress = stamping
    t = time.perf_counter()
    try:
        run = compute.run_now(kind=kind, as_of=as_of)
    finally:
        compute._progress = progress
    total = time.perf_counter() - t
    stamps.append(("end", t + total))
    steps = {name: stamps[i + 1][1] - at for i, (name, at) in enumerate(stamps[:-1])}
    return total, steps, run


def a_day_of_business(as_of: dt.date, invoices: int, seed: int) -> float:
    """`invoices` invoices on as many accounts and as many payments, through the ledger services."""
    from orbit.accounts.models import Account
    from orbit.revenue import invoicing, payments
    from orbit.revenue.invoicing import LineInput
    from orbit.revenue.models import Product

    rng = random.Random(seed)
    products = list(Product.objects.filter(is_active=True)[:50])
    accounts = list(
        Account.objects.filter(archived_at__isnull=True, status="active", responsible_manager__isnull=False)
        .select_related("responsible_manager")
        .order_by("?")[:invoices]
    )
    t = time.perf_counter()
    for account in accounts:
        manager = account.responsible_manager
        invoice = invoicing.invoice_issue(
            by=manager,
            account=account,
            issued_on=as_of,
            currency="RUB",
            lines=[LineInput(product=rng.choice(products), quantity=Decimal(rng.randint(1, 5)))],
        )
        payments.payment_record(
            by=manager, account=account, received_on=as_of, amount=invoice.total, currency="RUB"
        )
    return time.perf_counter() - t


def dashboard(users: list, iterations: int) -> dict[str, list[float]]:
    from django.test import Client

    clients = {}
    for label, user in users:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        client.get("/analytics/")  # warm
        clients[label] = client
    times: dict[str, list[float]] = {label: [] for label in clients}
    for _ in range(iterations):
        for label, client in clients.items():
            t = time.perf_counter()
            response = client.get("/analytics/")
            times[label].append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (label, response.status_code)
    return times


def full_and_incremental(cur, window, window_end: dt.date, as_of: dt.date, args) -> list[str]:
    from orbit.analytics import compute

    lines = [
        "## Full recompute vs the bare SQL aggregate, interleaved",
        "",
        "| # | ours s | " + " | ".join(compute.STEPS) + " | bare lines s | ratio to lines | "
        "bare invoices s | ratio to invoices | accounts | changes | load |",
        "|--:|--:|" + "--:|" * len(compute.STEPS) + "--:|--:|--:|--:|--:|--:|--:|",
    ]
    ratios = []
    for i in range(args.repeats):
        b_lines = bare_lines(cur, window.start, window_end)
        total, steps, run = timed_run("full", as_of)
        b_inv = bare_invoices(cur, as_of)
        ratios.append(total / b_lines)
        lines.append(
            f"| {i + 1} | {total:.1f} | "
            + " | ".join(f"{steps.get(s, 0):.1f}" for s in compute.STEPS)
            + f" | {b_lines:.1f} | {total / b_lines:.2f}× | {b_inv:.1f} | {total / b_inv:.2f}× | {run.accounts:,} "
            f"| {run.changes:,} | {os.getloadavg()[0]:.1f} |"
        )
        print(lines[-1], flush=True)
    fitted = {
        k: {p: round(float(v), 4) for p, v in params.items()} for k, params in run.params["ltv"].items()
    }
    lines += [
        "",
        f"Median ratio to the bare lines aggregate: **{sorted(ratios)[len(ratios) // 2]:.2f}×** "
        f"(target ≤ {FULL_RATIO_TARGET}×). Run 1 of a fresh base inserts every account's row; later runs update.",
        f"LTV fitted in the run: {fitted}",
        "",
        "## Incremental recompute after a day of business",
        "",
    ]
    spent = a_day_of_business(as_of, args.day_invoices, args.seed)
    total, steps, run = timed_run("incremental", as_of)
    lines += [
        f"{args.day_invoices:,} invoices and {args.day_invoices:,} payments through the ledger services "
        f"({spent:.0f} s), then the incremental run: **{total:.2f} s** for {run.accounts:,} accounts, "
        f"{run.changes:,} changes (target ≤ {INCREMENTAL_TARGET_S:.0f} s); steps: "
        + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()),
        "",
    ]
    print(lines[-2], flush=True)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="orbit_bench")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--as-of", default="", help="the data's today (default: today in Moscow)")
    parser.add_argument("--repeats", type=int, default=3, help="full runs (and bare pairs) measured")
    parser.add_argument("--day-invoices", type=int, default=3000)
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--dashboard-only", action="store_true", help="measure the dashboard only")
    parser.add_argument("--out", default=str(HERE / "results_analytics.md"))
    args = parser.parse_args(argv)
    dsn = use_bench_database(args.server, args.database)
    from django.utils import timezone

    from orbit.analytics import compute
    from orbit.analytics.models import AnalyticsSettings
    from orbit.org.models import Role, User

    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
    window = compute.Window.of(as_of, AnalyticsSettings.current().window_months)
    window_end = window.end + dt.timedelta(days=32)
    window_end = window_end.replace(day=1)
    bare = psycopg.connect(dsn, autocommit=True)
    cur = bare.cursor()
    lines = ["# Analytics at scale (issue 13)", ""]
    with bare.cursor() as c:
        c.execute("SELECT count(*) FROM accounts_account")
        accounts = c.fetchone()[0]
        c.execute("SELECT count(*) FROM revenue_invoice")
        invoices = c.fetchone()[0]
        c.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'revenue_invoiceline'")
        invoice_lines = c.fetchone()[0]
    lines += [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average at start "
        f"{os.getloadavg()[0]:.1f}. Base: {accounts:,} accounts, {invoices:,} invoices, ~{invoice_lines:,} "
        f"invoice lines; as of {as_of}, window {window.start} – {window.end:%Y-%m}.",
        "",
    ]
    if not args.dashboard_only:
        lines += full_and_incremental(cur, window, window_end, as_of, args)
    head = User.objects.filter(roles__role=Role.HEAD, is_active=True).first()
    lead = User.objects.filter(led_teams__isnull=False, is_active=True).distinct().first()
    readers = [("head", head)] + ([("lead", lead)] if lead else [])
    try:
        times = dashboard(readers, args.iterations)
    except Exception as error:  # say so in the report rather than lose the runs measured above
        lines += [f"Dashboard not measured: {type(error).__name__}: {error}", ""]
    else:
        lines += [
            "## The dashboard (`/analytics/`)",
            "",
            "| reader | n | p50 ms | p95 ms | target |",
            "|---|--:|--:|--:|---|",
        ]
        for label, values in times.items():
            p95 = pct(values, 95)
            lines.append(
                f"| {label} | {len(values)} | {pct(values, 50):.0f} | {p95:.0f} | "
                f"{'✓' if p95 <= DASHBOARD_TARGET_MS else '✗'} ≤ {DASHBOARD_TARGET_MS:.0f} |"
            )
        lines.append("")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
