"""EXPLAIN ANALYZE of the duplicates report (orbit/accounts/duplicates.py) on a base of a million accounts, as the
head sees it (every account): the count of groups and a page, for both kinds, and the worst case (fewer groups
than a page: no early stop, every live account's index entry read).

    createdb -h 127.0.0.1 -U postgres orbit_dedup_bench
    .venv/bin/python -m bench.duplicates --database orbit_dedup_bench   # ~2 min the first time (the rows)

The rows, added once (set-based INSERT ... SELECT, prospects without a manager): accounts i = 1..N with the INN
i / 2 (pairs: a company and its branch, another KPP) and the name key "компания (i mod 0.95·N)" (pairs of
namesakes with different INNs: 5 % of the base). The numbers go to docs/imports.md, "Duplicates and merge".
"""

import argparse
import os
import time

from bench.run import use_bench_database

ROWS = """
SET session_replication_role = replica;  -- prospects only: the ownership triggers have nothing to check
INSERT INTO accounts_account (created_at, updated_at, version, legal_name, short_name, inn, kpp, tier, status,
  goals, strategy, investment_plans, financial_indicators, budget_currency, competitors, switching_barriers,
  search_text, sort_name, manager_sort, name_key)
SELECT now(), now(), 1, 'ООО «Компания ' || (i %% %(names)s) || '»', '', lpad((i / 2)::text, 10, '0'),
  CASE WHEN i %% 2 = 0 THEN '770101001' ELSE '770201' || lpad((i %% 1000)::text, 3, '0') END,
  'C', 'prospect', '', '', '', '', 'RUB', '', '', '', 'компания ' || (i %% %(names)s), '',
  'компания ' || (i %% %(names)s)
FROM generate_series(1, %(rows)s) AS i;
SET session_replication_role = origin;
"""


def _plan(cursor, sql: str, params) -> tuple[str, str]:
    cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
    plan = [row[0] for row in cursor.fetchall()]
    return plan[-1], next((line.strip() for line in plan if "Scan" in line), "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="orbit_dedup_bench")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
        help="server URL without the database name",
    )
    args = parser.parse_args(argv)
    use_bench_database(args.server, args.database)

    from django.db import connection

    from orbit.accounts import duplicates
    from orbit.org.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_account")
        if cursor.fetchone()[0] < args.accounts:
            t = time.perf_counter()
            cursor.execute(ROWS % {"rows": args.accounts, "names": int(args.accounts * 0.95)})
            cursor.execute("VACUUM ANALYZE accounts_account")
            print(f"{args.accounts:,} accounts written in {time.perf_counter() - t:.0f}s", flush=True)
    head = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-head", password=None
    )
    with connection.cursor() as cursor:
        for kind in duplicates.KINDS:
            groups = duplicates.groups(head, kind)
            for label, query in (
                ("groups counted (up to the cap)", groups.order_by()[:1001]),
                ("a page of groups", groups[:50]),
                ("worst case: every group counted", groups.order_by()),
            ):
                sql, params = query.query.sql_with_params()
                took, scan = _plan(cursor, f"SELECT count(*) FROM ({sql}) s", params)
                print(f"{kind}: {label}: {took} — {scan}", flush=True)
            t = time.perf_counter()
            duplicates.page(head, kind, 3, per_page=50)
            print(f"{kind}: page 3 with its accounts: {(time.perf_counter() - t) * 1000:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
