"""Fill the receivables summary (`AccountReceivable`) of the bench database from its open invoices, with the
code the morning run uses (`orbit.revenue.balances.rebuild_receivables`: one DELETE, one INSERT ... SELECT ...
GROUP BY), and time it. `bench.revenue` runs it after loading the ledger; run it alone after changing the
ledger by hand or on a later day (the buckets are aged on `--as-of`).

    .venv/bin/python -m bench.receivables --database orbit_bench
"""

import argparse
import os
import time
from datetime import date

from bench.run import use_bench_database


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="orbit_bench")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
        help="server URL without the database name",
    )
    parser.add_argument(
        "--as-of", default="", help="the day the buckets are aged at (default: today in Moscow)"
    )
    args = parser.parse_args(argv)
    use_bench_database(args.server, args.database)

    from django.db import connection
    from django.utils import timezone

    from orbit.revenue.balances import rebuild_receivables

    today = date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
    t = time.perf_counter()
    rows = rebuild_receivables(today=today)
    took = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE revenue_accountreceivable")
    print(f"receivables summary as of {today}: {rows:,} accounts owing, rebuilt in {took:.1f}s", flush=True)


if __name__ == "__main__":
    main()
