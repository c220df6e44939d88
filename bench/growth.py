"""Issue 12 on the large base: the whitespace page and the pipeline (board and list) as AM, lead and head.

    .venv/bin/python -m bench.growth --database orbit_bench --generate      # the opportunities (set-based SQL)
    .venv/bin/python -m bench.growth --database orbit_bench                 # measure, write bench/results_growth.md

Load the accounts (`bench.generate`) and the ledger (`bench.revenue`) first. `--generate` replaces every
opportunity (and the projects hanging off them) with ~`--opportunities` rows made inside PostgreSQL, set-based
like `bench.revenue`: a seeded `hashint8extended` per row picks the accounts (live, with a responsible
manager), 1–3 opportunities each, the kind by the account's status (prospects: new business in the hunters'
pipeline; dormant and churned: reactivation; others: upsell, cross-sell or renewal in account growth), the stage
(60 % open, spread over the open stages; 25 % won; 15 % lost with a reason), the owner = the account's
responsible manager, a product line for 85 % of them, a Pareto amount, expected close dates ahead for open
ones and behind for closed ones; one stage-history row each.

Each case goes through the real stack (`django.test.Client`, as `bench.run`: its personas, `measure`, `table`
and verdicts are reused) next to the hand-written SQL returning the same rows, interleaved in the same run. A
page that does not exist in this checkout (the pipeline part's board and list are written in parallel) is
measured at the query level instead: the ORM querysets a board and a list need, against their bare SQL, and
the report says so.
"""

import argparse
import datetime as dt
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.run import (
    Case,
    Persona,
    machine,
    measure,
    pct,
    pick_personas,
    table,
    use_bench_database,
)

HERE = Path(__file__).resolve().parent
TARGET_MS = 300.0  # issue 12: p95 of the whitespace page and the pipeline at 1M accounts
PAGE = 25


# --------------------------------------------------------------------------------------------------------
# Data: opportunities, set-based.


def u(key: str, salt: int) -> str:
    from bench.revenue import u as uniform

    return uniform(key, salt)


def generate(dsn: str, target: int, seed: int, as_of: dt.date) -> None:
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        eligible = conn.execute(
            "SELECT count(*) FROM accounts_account WHERE archived_at IS NULL AND responsible_manager_id IS NOT NULL"
        ).fetchone()[0]
        share = min(1.0, target / (eligible * 2.0))  # 1–3 opportunities an account: 2 on average
        print(f"{eligible:,} live accounts with a manager; {share:.1%} of them get opportunities", flush=True)
        conn.execute("SET work_mem = '256MB'")
        with conn.transaction():
            conn.execute(
                "TRUNCATE growth_plannedwork, growth_projectstage, growth_project, "
                "growth_opportunitystagechange, growth_opportunity"
            )
            conn.execute(
                f"""
                INSERT INTO growth_opportunity (
                    created_at, updated_at, version, archived_at, kind, title, status, amount, currency, rate,
                    amount_base, probability, expected_close_on, next_step, next_step_on, lost_note, closed_on,
                    stage_changed_at, description, account_id, created_by_id, lost_reason_id, owner_id,
                    product_line_id, pipeline_id, stage_id)
                WITH picked AS (
                    SELECT a.id, a.status, a.responsible_manager_id AS owner, n
                      FROM accounts_account a
                     CROSS JOIN LATERAL generate_series(1, 1 + floor({u("a.id", seed + 1)} * 3)::int) n
                     WHERE a.archived_at IS NULL AND a.responsible_manager_id IS NOT NULL
                       AND {u("a.id", seed)} < {share}
                ), drawn AS (
                    SELECT p.*, p.id * 4 + p.n AS k,
                           CASE WHEN p.status = 'prospect' THEN 'new'
                                WHEN p.status IN ('dormant', 'churned') THEN 'reactivation'
                                ELSE (ARRAY['upsell', 'cross_sell', 'renewal'])[1 + floor({u("p.id * 4 + p.n", seed + 2)} * 3)::int]
                           END AS kind,
                           {u("p.id * 4 + p.n", seed + 3)} AS r_stage,
                           {u("p.id * 4 + p.n", seed + 4)} AS r_open,
                           {u("p.id * 4 + p.n", seed + 5)} AS r_line,
                           {u("p.id * 4 + p.n", seed + 6)} AS r_amount,
                           {u("p.id * 4 + p.n", seed + 7)} AS r_day
                      FROM picked p
                ), staged AS (
                    SELECT d.*, pl.id AS pipeline_id,
                           CASE WHEN d.r_stage < 0.60 THEN floor(d.r_open * 4)::int
                                WHEN d.r_stage < 0.85 THEN 4 ELSE 5 END AS position
                      FROM drawn d
                      JOIN growth_pipeline pl
                        ON pl.code = CASE WHEN d.kind = 'new' THEN 'new_business' ELSE 'account_growth' END
                ), priced AS (
                    SELECT s.*, st.id AS stage_id, st.outcome, st.probability,
                           least(round((20000 * power(1 - s.r_amount, -1 / 1.3))::numeric, -2), 50000000) AS amount,
                           (%(as_of)s::date - floor(s.r_day * 400)::int) AS created_on,
                           CASE WHEN st.outcome = 'open' THEN %(as_of)s::date + floor(s.r_day * 180)::int
                                ELSE %(as_of)s::date - floor(s.r_day * 360)::int END AS close_on
                      FROM staged s
                      JOIN growth_stage st ON st.pipeline_id = s.pipeline_id AND st.position = s.position
                )
                SELECT created_on::timestamptz, created_on::timestamptz, 1, NULL, kind,
                       initcap(replace(kind, '_', '-')) || ' #' || k, outcome, amount, 'RUB', 1,
                       amount, probability, close_on, '', NULL, '', CASE WHEN outcome = 'open' THEN NULL ELSE close_on END,
                       created_on::timestamptz, '', id, owner,
                       CASE WHEN outcome = 'lost' THEN (SELECT min(id) FROM growth_lostreason) + (k %% 7) END,
                       owner,
                       CASE WHEN r_line < 0.85 THEN (SELECT min(id) FROM revenue_productline)
                                                    + floor(r_line / 0.85 * (SELECT count(*) FROM revenue_productline))::int
                       END,
                       pipeline_id, stage_id
                  FROM priced
                 ORDER BY created_on, k
                """,
                {"as_of": as_of},
            )
            conn.execute(
                """INSERT INTO growth_opportunitystagechange (opportunity_id, from_stage_id, to_stage_id,
                                                              changed_at, changed_by_id)
                   SELECT id, NULL, stage_id, created_at, owner_id FROM growth_opportunity"""
            )
        conn.execute("VACUUM ANALYZE growth_opportunity")
        conn.execute("VACUUM ANALYZE growth_opportunitystagechange")
        rows = conn.execute(
            "SELECT status, count(*), sum(amount_base)::bigint FROM growth_opportunity GROUP BY 1 ORDER BY 1"
        ).fetchall()
        wrong_owner = conn.execute(
            """SELECT count(*) FROM growth_opportunity o JOIN accounts_account a ON a.id = o.account_id
                WHERE o.status = 'open' AND o.owner_id IS DISTINCT FROM a.responsible_manager_id"""
        ).fetchone()[0]
    print(f"opportunities: {rows}; open ones not owned by the account's manager: {wrong_owner}")
    print(f"generated in {time.perf_counter() - t0:.0f} s", flush=True)


# --------------------------------------------------------------------------------------------------------
# Whitespace: the page and its bare SQL.


def scope_sql(persona: Persona) -> tuple[str, dict]:
    scope, params = persona.scope("a")
    return f"a.archived_at IS NULL AND {scope}", params


def bare_whitespace(persona: Persona, params: dict, today: dt.date, cap: int, offset: int = 0) -> Callable:
    """The capped count, the page of accounts (with manager and segment), the window's net per account and
    line, the open opportunities per account and line. Returns (account ids, bought cells, cells with an open
    opportunity) for the row comparison."""
    from orbit.growth.whitespace import window_of

    window = window_of(today, params.get("months", 12))
    where, values = scope_sql(persona)
    values = values | {
        "start": window.start,
        "last": window.last_month,
        "cap": cap + 1,
        "limit": PAGE,
        "offset": offset,
    }
    if "tier" in params:
        where += " AND a.tier = %(tier)s"
        values["tier"] = params["tier"]
    if "gaps_in" in params:
        where += """ AND NOT EXISTS (SELECT 1 FROM revenue_accountrevenuemonth r
                                      WHERE r.account_id = a.id AND r.product_line_id = %(line)s
                                        AND r.month >= %(start)s AND r.month <= %(last)s
                                      GROUP BY r.account_id HAVING sum(r.net_base) > 0)"""
        values["line"] = params["gaps_in"]
    count_sql = f"SELECT count(*) FROM (SELECT 1 FROM accounts_account a WHERE {where} LIMIT %(cap)s) x"
    page_sql = f"""SELECT a.*, m.*, s.* FROM accounts_account a
                     LEFT JOIN org_user m ON m.id = a.responsible_manager_id
                     LEFT JOIN accounts_segment s ON s.id = a.segment_id
                    WHERE {where} ORDER BY a.sort_name, a.id LIMIT %(limit)s OFFSET %(offset)s"""
    nets_sql = """SELECT account_id, product_line_id, sum(net_base) FROM revenue_accountrevenuemonth
                   WHERE account_id = ANY(%(ids)s) AND product_line_id IS NOT NULL
                     AND month >= %(start)s AND month <= %(last)s GROUP BY 1, 2"""
    opps_sql = """SELECT account_id, product_line_id, min(id) FROM growth_opportunity
                   WHERE account_id = ANY(%(ids)s) AND status = 'open' AND product_line_id IS NOT NULL
                   GROUP BY 1, 2"""
    lines_sql = "SELECT id FROM revenue_productline"

    def run(cur):
        cur.execute(count_sql, values)
        cur.fetchall()
        cur.execute(page_sql, values)
        ids = [row[0] for row in cur.fetchall()]
        cur.execute(lines_sql)
        lines = {row[0] for row in cur.fetchall()}
        cur.execute(nets_sql, values | {"ids": ids})
        bought = {(a, line) for a, line, net in cur.fetchall() if net > 0}
        cur.execute(opps_sql, values | {"ids": ids})
        opened = {(a, line) for a, line, _first in cur.fetchall() if line in lines}
        return ids, len(bought), len(opened - bought)

    return run


def whitespace_shown(response) -> tuple[list[int], int, int]:
    html = response.content.decode()
    body = html.split("<tbody>", 1)[1] if "<tbody>" in html else ""
    ids = [int(x) for x in re.findall(r'<th scope="row"><a href="/accounts/(\d+)/"', body)]
    return ids, body.count("ws-cell ws-bought"), body.count("ws-cell ws-gap_open")


def whitespace_cases(personas: list[Persona], lines: dict[str, int]) -> list[Case]:
    cases = []
    service = lines.get("service") or next(iter(lines.values()))
    for p in personas:
        variants = [("whitespace, 12 months", {})]
        variants.append(("whitespace, gaps in service", {"gaps_in": service}))
        if p.key == "head":
            variants.append(
                ("whitespace, key accounts, gaps in service", {"tier": "key", "gaps_in": service})
            )
            variants.append(("whitespace, 36 months, page 3", {"months": 36, "page": 3}))
        for name, params in variants:
            query = "&".join(f"{k}={v}" for k, v in params.items())
            cases.append(
                Case(
                    p,
                    "whitespace",
                    name,
                    [f"/growth/whitespace/{'?' + query if query else ''}"],
                    params=params,
                )
            )
    return cases


def prepare_whitespace(case: Case, cur, today: dt.date) -> None:
    from django.conf import settings

    params = dict(case.params)
    page = params.pop("page", 1)
    bare = bare_whitespace(case.persona, params, today, settings.ORBIT_COUNT_CAP, (page - 1) * PAGE)
    case.bare = bare
    shown = whitespace_shown(case.persona.client.get(case.urls[0]))
    expected = bare(cur)
    case.rows_match = "yes" if shown == expected else f"NO ({shown[1:]} vs {expected[1:]})"
    case.note = f"{len(shown[0])} accounts, {shown[1]} bought cells, {shown[2]} gaps with an opportunity"
    case.target = TARGET_MS


# --------------------------------------------------------------------------------------------------------
# The pipeline: list and board (the pipeline part's pages), and their bare SQL.

OPP_JOINS = """JOIN accounts_account a ON a.id = o.account_id
                 JOIN org_user u ON u.id = o.owner_id
                 JOIN growth_stage s ON s.id = o.stage_id
                 JOIN growth_pipeline pl ON pl.id = o.pipeline_id"""


def account_join(persona: Persona) -> str:
    """The sums need the account only for its visibility condition: none for the head, who sees every one."""
    return "" if persona.people is None else "JOIN accounts_account a ON a.id = o.account_id"


def bare_list(persona: Persona) -> Callable:
    """The default list (open, by expected close): the totals over every matching row and the first page."""
    scope, values = persona.scope("a")
    totals_sql = f"""SELECT count(o.id), coalesce(sum(o.amount_base), 0), coalesce(sum(o.amount_base * o.probability), 0)
                       FROM growth_opportunity o {account_join(persona)}
                      WHERE o.status = 'open' AND {scope}"""
    page_sql = f"""SELECT o.*, a.*, u.*, s.*, pl.* FROM growth_opportunity o {OPP_JOINS}
                    WHERE o.status = 'open' AND {scope} ORDER BY o.expected_close_on, o.id LIMIT {PAGE}"""

    def run(cur):
        cur.execute(totals_sql, values)
        cur.fetchall()
        cur.execute(page_sql, values)
        return [row[0] for row in cur.fetchall()]

    return run


def bare_board(persona: Persona, pipeline_id: int, stage_ids: list[int], limit: int) -> Callable:
    """The board of the first pipeline: count, amount and weighted amount per open stage (one grouped query)
    and each open stage's first cards by expected close."""
    scope, values = persona.scope("a")
    values = values | {"pipeline": pipeline_id}
    sums_sql = f"""SELECT o.stage_id, count(o.id), sum(o.amount_base), sum(o.amount_base * o.probability)
                     FROM growth_opportunity o {account_join(persona)}
                    WHERE o.pipeline_id = %(pipeline)s AND o.status = 'open' AND {scope} GROUP BY o.stage_id"""
    cards_sql = f"""SELECT o.*, a.*, u.* FROM growth_opportunity o
                      JOIN accounts_account a ON a.id = o.account_id JOIN org_user u ON u.id = o.owner_id
                     WHERE o.pipeline_id = %(pipeline)s AND o.stage_id = %(stage)s AND o.status = 'open' AND {scope}
                     ORDER BY o.expected_close_on, o.id LIMIT {limit}"""

    def run(cur):
        cur.execute(sums_sql, values)
        cur.fetchall()
        ids = []
        for stage in stage_ids:
            cur.execute(cards_sql, values | {"stage": stage})
            ids += [row[0] for row in cur.fetchall()]
        return ids

    return run


def opportunity_ids(response) -> list[int]:
    found = re.findall(r'href="/growth/opportunities/(\d+)/"', response.content.decode())
    return list(dict.fromkeys(int(x) for x in found))


def pipeline_cases(personas: list[Persona], conn) -> tuple[list[Case], str]:
    from django.urls import NoReverseMatch, reverse

    try:
        urls = {"list": reverse("growth:opportunities"), "board": reverse("growth:board")}
    except NoReverseMatch:
        return [], "the pipeline's board and list are not in this checkout: not measured"
    from orbit.growth.pipeline import BOARD_CARDS, board_pipeline
    from orbit.org.models import User

    cases = []
    for p in personas:
        # The board shows the person's default pipeline (account growth for a manager, a lead, the head).
        pipeline = board_pipeline(User.objects.get(pk=p.user_id), None)
        stages = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM growth_stage WHERE pipeline_id = %s AND outcome = 'open' ORDER BY position",
                [pipeline.pk],
            )
        ]
        cases.append(
            Case(p, "pipeline", "opportunity list (open, by close date)", [urls["list"]], bare=bare_list(p))
        )
        cases.append(
            Case(
                p,
                "pipeline",
                f"board ({pipeline.code}: {len(stages)} open stages × {BOARD_CARDS} cards)",
                [urls["board"]],
                bare=bare_board(p, pipeline.pk, stages, BOARD_CARDS),
            )
        )
    return cases, ""


def prepare_pipeline(case: Case, cur) -> None:
    shown = opportunity_ids(case.persona.client.get(case.urls[0]))
    expected = case.bare(cur)
    same = shown == expected if "list" in case.name else set(shown) == set(expected)
    case.rows_match = "yes" if same else f"NO ({len(shown)} vs {len(expected)})"
    case.note = f"{len(shown)} opportunities shown"
    case.target = TARGET_MS


# --------------------------------------------------------------------------------------------------------
# Run and report.


def page_size_check(persona: Persona) -> tuple[int, int]:
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = persona.client.get("/growth/whitespace/")
        assert response.status_code == 200
        return len(captured.captured_queries)

    from django.urls import NoReverseMatch, reverse

    try:
        reverse("growth:whitespace")
    except NoReverseMatch:
        return 0, 0

    small = count()
    with override_settings(ORBIT_PAGE_SIZE=100):
        big = count()
    return small, big


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
    parser.add_argument("--generate", action="store_true", help="replace the opportunities, then stop")
    parser.add_argument("--opportunities", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=20261212)
    parser.add_argument("--as-of", default="", help="the data's today (default: today in Moscow)")
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--budget", type=float, default=40.0, help="seconds per case before it stops early")
    parser.add_argument("--only", default="", help="run only cases whose 'persona area case' contains this")
    parser.add_argument("--out", default=str(HERE / "results_growth.md"))
    args = parser.parse_args(argv)

    dsn = use_bench_database(args.server, args.database)
    from django.test import Client
    from django.utils import timezone

    from orbit.org.models import User

    today = timezone.localdate()
    if args.generate:
        generate(
            dsn, args.opportunities, args.seed, dt.date.fromisoformat(args.as_of) if args.as_of else today
        )
        return

    bare_conn = psycopg.connect(dsn, autocommit=True, cursor_factory=psycopg.ClientCursor)
    cur = bare_conn.cursor()
    with psycopg.connect(dsn) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
        settings_row = conn.execute(
            "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings "
            "WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather', "
            "'random_page_cost', 'effective_cache_size')"
        ).fetchone()[0]
        sizes = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (
                "accounts_account",
                "revenue_invoiceline",
                "revenue_accountrevenuemonth",
                "growth_opportunity",
            )
        }
        open_opps = conn.execute("SELECT count(*) FROM growth_opportunity WHERE status = 'open'").fetchone()[
            0
        ]
        personas = [p for p in pick_personas(conn) if p.key in ("am", "lead", "head")]
        for p in personas:
            scope, values = p.scope("a")
            p.open_opportunities = conn.execute(
                f"""SELECT count(*) FROM growth_opportunity o JOIN accounts_account a ON a.id = o.account_id
                     WHERE o.status = 'open' AND {scope}""",
                values,
            ).fetchone()[0]
        lines = dict(conn.execute("SELECT code, id FROM revenue_productline"))
        for p in personas:
            p.client = Client(SERVER_NAME="localhost")
            p.client.force_login(User.objects.get(pk=p.user_id))
            print(
                f"{p.key:5s} {p.label}: {p.visible:,} live accounts, {p.open_opportunities:,} open opportunities"
            )
        cases = whitespace_cases(personas, lines)
        more, not_measured = pipeline_cases(personas, conn)
        cases += more
    if args.only:
        cases = [c for c in cases if args.only in f"{c.persona.key} {c.area} {c.name}"]
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    for case in cases:
        if case.area == "whitespace":
            prepare_whitespace(case, cur, today)
        else:
            prepare_pipeline(case, cur)
        measure(case, cur, args.iterations, args.warmup, args.budget)
        print(table([case])[-1], flush=True)
    elapsed = time.perf_counter() - t0
    head = next(p for p in personas if p.key == "head")
    small, big = page_size_check(head)
    load_after = os.getloadavg()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    worst = max((pct(c.ours_ms, 95) for c in cases), default=float("nan"))
    lines_out = [
        "# Issue 12: whitespace and pipeline at 1M accounts",
        "",
        f"Run {now}: `.venv/bin/python -m bench.growth --database {args.database}"
        + (f" --only '{args.only}'" if args.only else "")
        + f"` ({args.iterations} iterations after {args.warmup} warm-up, at most ~{args.budget:.0f} s a case), "
        f"{elapsed:.0f} s in all.",
        "",
        f"- machine: {machine()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(the machine is shared)",
        f"- PostgreSQL {server}: {settings_row}",
        f"- data: {sizes['accounts_account']:,} accounts, {sizes['revenue_invoiceline']:,} invoice lines, "
        f"{sizes['revenue_accountrevenuemonth']:,} monthly revenue rows, {sizes['growth_opportunity']:,} "
        f"opportunities ({open_opps:,} open)",
        f"- today (the window's last month): {today}",
        *([f"- {not_measured}"] if not_measured else []),
        "",
        "Personas:",
        "",
        *[
            f"- **{p.key}** — {p.label}, sees {p.visible:,} live accounts and {p.open_opportunities:,} open "
            "opportunities"
            for p in personas
        ],
        "",
        "*ours* = wall time of `Client.get` through the whole stack; *bare* = the hand-written SQL returning the "
        "same rows with psycopg on one connection (whitespace: the capped count, the page of accounts with manager "
        "and segment, the window's net per account and line, the open opportunities per account and line; list: "
        "the totals over every matching opportunity and the first page with account, owner, stage and pipeline; "
        "board: the sums per open stage and each open stage's first cards). *same rows*: the accounts in order "
        "and the numbers of bought cells and of gaps with an opportunity (whitespace), the opportunity ids "
        f"(list in order, board as a set). Target: p95 ≤ {TARGET_MS:.0f} ms.",
        "",
        *table(cases),
        "",
        f"Worst p95: {worst:.1f} ms.",
        "",
        f"Queries of the head's whitespace page at 25 and 100 accounts a page: {small} and {big}.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines_out) + "\n")
    print("\n".join(lines_out))
    print(f"written: {args.out}")
    bare_conn.close()


if __name__ == "__main__":
    main()
