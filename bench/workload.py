"""Managers, workload, on the large base (`bench.generate`: 1M accounts, ~2.5M ownership periods, 500 people):
the Workload page and GET /api/workload as the head, a team lead and an account manager; and the pieces alone
(the month-end portfolio counts of 12 months, the norms read from the history, uncached).

    .venv/bin/python -m bench.workload --database orbit_bench    # writes bench/results_workload.md

Times in ms over `--iterations` after 2 warm-ups; the norms are cached for the day after the first read, as in
production (their uncached read is measured on its own).
"""

import argparse
import statistics
import time
from pathlib import Path

from bench.run import use_bench_database

HERE = Path(__file__).resolve().parent


def _timed(fn, iterations: int) -> tuple[list[float], object]:
    result = None
    times = []
    for k in range(iterations + 2):
        t = time.perf_counter()
        result = fn()
        if k >= 2:
            times.append((time.perf_counter() - t) * 1000)
    return times, result


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="orbit_bench")
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    use_bench_database(args.server, args.database)

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from orbit.org.models import Role, Team, User
    from orbit.workload import norms
    from orbit.workload.months import months_back
    from orbit.workload.portfolio import month_end_counts

    month = timezone.localdate().replace(day=1)
    head = User.objects.filter(roles__role=Role.HEAD, is_active=True).order_by("pk").first()
    lead_team = (
        Team.objects.filter(lead__isnull=False, parent__isnull=False, children__isnull=True)
        .order_by("pk")
        .first()
    )
    lead = lead_team.lead
    manager = User.objects.filter(roles__role=Role.ACCOUNT_MANAGER, is_active=True, team=lead_team).first()
    rows = []

    def record(label: str, fn, queries_of=None):
        with CaptureQueriesContext(connection) as captured:
            times, _ = _timed(fn, args.iterations)
        queries = len(captured.captured_queries) // (args.iterations + 2)
        rows.append((label, statistics.median(times), _p95(times), queries))
        print(
            f"{label}: p50 {statistics.median(times):.0f} ms, p95 {_p95(times):.0f} ms, {queries} queries",
            flush=True,
        )

    t = time.perf_counter()
    norms.compute()
    rows.append(("norms from 12 months of history, uncached", (time.perf_counter() - t) * 1000, None, None))
    print(f"norms uncached: {rows[-1][1]:.0f} ms", flush=True)
    months = months_back(month, 12)
    record("month-end portfolio counts, 12 months, everyone", lambda: month_end_counts(months))
    record("month-end portfolio counts, this month, everyone", lambda: month_end_counts([month]))
    cache.clear()
    for label, user in (("head", head), ("team lead", lead), ("account manager", manager)):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        record(f"{label}: Workload page", lambda c=client: c.get("/managers/workload/"))
        record(f"{label}: GET /api/workload", lambda c=client: c.get("/api/workload"))
    with open(HERE / "results_workload.md", "w") as out:
        out.write(
            f"# Workload on the large base ({timezone.localdate():%Y-%m-%d}, {args.iterations} iterations)\n\n"
        )
        out.write("| case | p50 ms | p95 ms | queries |\n|---|--:|--:|--:|\n")
        for label, p50, p95, queries in rows:
            out.write(f"| {label} | {p50:.0f} | {'' if p95 is None else f'{p95:.0f}'} | {queries or ''} |\n")


if __name__ == "__main__":
    main()
