"""Load five years of touches and the open tasks of a slice of the department into the large base.

    .venv/bin/python -m bench.touches --database orbit_bench

The base of `bench.generate` predates the activities app. This brings its schema up to date (Django's
`migrate`) and then, for every account of the managers measured by the agenda benchmark — the 100 account
managers whose portfolios are nearest 300 accounts, the persona AM of `bench.run` and every member of the
team the persona lead leads — loads with COPY:

- done touches at each account's cadence by tier (key 14, A 30, B 60, C 90 days; dormant accounts half as
  often; none after an account churned or was archived), with jitter and, for the sloppier managers, longer
  gaps; each with a kind, duration in minutes, a subject, an outcome, the account's manager as owner, and
  for about a third of them the contacts spoken to (`activities_touch_contacts`);
- a few touches done today;
- one planned touch per account: overdue (more for sloppy managers), today, or within its cadence;
- about ten open tasks per manager (some overdue, some due today) and a history of done tasks.

Ids follow time, as in a live base: the rows are sorted by creation before they get their ids. Everything
is seeded: the same arguments (and the same `--as-of`, by default today) give the same rows. It is
idempotent: one transaction truncates the touch and task tables, drops the touch tables' secondary indexes
and foreign keys, streams the rows with COPY ... FREEZE, rebuilds the indexes and foreign keys exactly as
migrated (checked against the catalogue), and commits; then ANALYZE. Accounts and ownership are untouched.
"""

import argparse
import os
import random
import time
from datetime import date, datetime, timedelta, timezone

import psycopg

from bench.run import people_of, pick_personas, use_bench_database

CADENCE = {"key": 14, "A": 30, "B": 60, "C": 90}
WORKED = ("handoff", "active", "dormant", "reactivated")  # orbit.activities.services.WORKED_STATUSES
MOSCOW = timezone(timedelta(hours=3))
TOUCH_TABLES = ("activities_touch", "activities_touch_contacts")
ALL_TABLES = ("activities_touch_contacts", "activities_touch", "activities_task")

TOUCH_COLUMNS = (
    "id, created_at, updated_at, version, archived_at, kind, status, source, planned_for, happened_at, "
    "duration_minutes, subject, outcome, next_step, account_id, created_by_id, owner_id"
)
TASK_COLUMNS = (
    "id, created_at, updated_at, version, archived_at, title, description, due_on, remind_at, status, "
    "completed_at, account_id, assignee_id, contact_id, created_by_id"
)

# kind, weight for big (key/A) accounts, weight for the others, duration range in minutes
KINDS = [
    ("call", 40, 55, (5, 40)),
    ("email", 15, 20, (5, 20)),
    ("message", 8, 12, (2, 10)),
    ("meeting", 22, 9, (30, 120)),
    ("visit", 15, 4, (60, 240)),
]
SUBJECTS = {
    "call": ["Плановый звонок", "Сверка потребностей", "Звонок по оплате", "Уточнение заказа", ""],
    "email": ["Коммерческое предложение", "Акт сверки", "Новый прайс-лист", "Ответ на запрос", ""],
    "message": ["Напоминание об оплате", "Согласование времени встречи", ""],
    "meeting": ["Квартальная встреча", "Обсуждение бюджета", "Презентация новой линейки", "Стратсессия"],
    "visit": ["Визит в офис клиента", "Визит на производство", "Знакомство с новым руководством"],
}
OUTCOMES = [
    "Договорились о следующем заказе в начале месяца.",
    "Клиент доволен, вопросов нет.",
    "Запросили коммерческое предложение на расширение поставки.",
    "Есть претензия по срокам последней отгрузки, передал в логистику.",
    "Бюджет на следующий год пока не утверждён, вернуться через месяц.",
    "Сменился закупщик, познакомились, отправил презентацию.",
    "Обсудили условия продления договора, ждут проект.",
    "Не дозвонился, оставил сообщение секретарю.",
    "Клиент рассматривает предложение конкурента, нужна встреча с руководителем.",
    "Подтвердили оплату просроченного счёта до конца недели.",
    "Согласовали график поставок на квартал.",
    "Интерес к новой линейке, готовим расчёт.",
    "Жалоба на качество закрыта, клиент удовлетворён.",
    "Обсудили объёмы на следующий квартал, рост около 10 %.",
    "Передали контакты технического специалиста.",
]
NEXT_STEPS = ["Отправить КП", "Назначить встречу", "Выслать договор", "Перезвонить после согласования", ""]
TASKS = [
    "Подготовить коммерческое предложение",
    "Отправить акт сверки",
    "Согласовать проект договора",
    "Проверить оплату счёта",
    "Подготовить отчёт по клиенту",
    "Собрать обратную связь после поставки",
    "Обновить контакты клиента",
    "Подготовить презентацию к встрече",
    "Выставить счёт",
    "Передать претензию в отдел качества",
]


def stamp(day: date, minute_of_day: int) -> datetime:
    return datetime(day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60, tzinfo=MOSCOW)


def workday(day: date) -> date:
    """Touches are made on working days: a weekend moves to Monday."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def pick_managers(conn, count: int) -> tuple[list[int], dict]:
    """The `count` account managers whose portfolios are nearest 300, the persona AM, the persona lead's
    team (and the lead)."""
    personas = {p.key: p for p in pick_personas(conn)}
    nearest = [
        row[0]
        for row in conn.execute(
            """WITH p AS (SELECT responsible_manager_id AS u, count(*) AS n FROM accounts_account
                           WHERE responsible_manager_id IS NOT NULL AND archived_at IS NULL GROUP BY 1)
               SELECT u FROM p
                WHERE EXISTS (SELECT 1 FROM org_userrole r WHERE r.user_id = p.u
                                 AND r.role IN ('account_manager', 'key_account_manager'))
                ORDER BY abs(n - 300), u LIMIT %s""",
            [count],
        )
    ]
    team = people_of(conn, personas["lead"].user_id)
    return sorted({*nearest, personas["am"].user_id, *team}), personas


def touch_rows(plan: dict, account: tuple, contacts: list[int], trait: dict, out: list) -> None:
    """Append the touches of one account as (created_at, row without id, contact ids)."""
    today, first_day = plan["today"], plan["first_day"]
    account_id, tier, status, owner, created_at, changed_at, archived_at = account
    rng = random.Random(f"{plan['seed']}:touch:{account_id}")
    rnd = rng.random
    interval = CADENCE.get(tier, 90) * (2 if status == "dormant" else 1)
    big = tier in ("key", "A")
    weights = [k[1] if big else k[2] for k in KINDS]
    sloppy = trait["sloppy"]
    end = today
    if status == "churned" and changed_at is not None:
        end = min(end, changed_at.astimezone(MOSCOW).date())
    if archived_at is not None:
        end = min(end, archived_at.astimezone(MOSCOW).date())
    day = max(created_at.astimezone(MOSCOW).date(), first_day) + timedelta(days=rng.randrange(interval))
    last = None
    while True:
        day = workday(day)
        if day >= end:
            break
        kind, _bw, _sw, (lo, hi) = rng.choices(KINDS, weights=weights)[0]
        happened = stamp(day, 9 * 60 + 15 * rng.randrange(36))
        who = [c for c in contacts if rnd() < 0.5][:2] if contacts and rnd() < 0.35 else []
        minutes = rng.randrange(lo, hi + 1)
        logged = happened + timedelta(minutes=minutes + rng.randrange(120))
        out.append(
            (
                logged,
                (
                    logged,
                    logged,
                    1,
                    None,
                    kind,
                    "done",
                    "cadence" if rnd() < 0.6 else "manual",
                    day if rnd() < 0.7 else None,
                    happened,
                    minutes,
                    rng.choice(SUBJECTS[kind]),
                    rng.choice(OUTCOMES),
                    rng.choice(NEXT_STEPS),
                    account_id,
                    owner,
                    owner,
                ),
                who,
            )
        )
        last = day
        gap = interval * (0.75 + 0.4 * rnd())
        if rnd() < sloppy * 0.5:
            gap *= 1.3 + 1.2 * rnd()
        day = day + timedelta(days=round(gap))
    live = archived_at is None and status != "churned"
    if live and rnd() < 0.012:  # done this morning
        happened = stamp(today, 9 * 60 + 15 * rng.randrange(12))
        minutes = rng.randrange(5, 60)
        out.append(
            (
                happened + timedelta(minutes=minutes),
                (
                    happened + timedelta(minutes=minutes),
                    happened + timedelta(minutes=minutes),
                    1,
                    None,
                    "call",
                    "done",
                    "manual",
                    today,
                    happened,
                    minutes,
                    rng.choice(SUBJECTS["call"]),
                    rng.choice(OUTCOMES),
                    "",
                    account_id,
                    owner,
                    owner,
                ),
                [],
            )
        )
    if status not in WORKED:
        return  # the cadence plans no next touch for a churned account
    # The next touch: overdue (sloppier managers leave more), today, or within the cadence.
    u = rnd()
    if u < trait["overdue"]:
        planned = today - timedelta(days=1 + rng.randrange(2 * interval))
    elif u < trait["overdue"] + 0.02:
        planned = today
    else:
        planned = today + timedelta(days=1 + rng.randrange(interval))
    base = last or planned - timedelta(days=interval)
    created = stamp(min(base, today), 18 * 60 + rng.randrange(60))
    out.append(
        (
            created,
            (
                created,
                created,
                1,
                None,
                "meeting" if big and rnd() < 0.3 else "call",
                "planned",
                "cadence" if rnd() < 0.7 else "manual",
                planned,
                None,
                None,
                "",
                "",
                "",
                account_id,
                owner,
                owner,
            ),
            [],
        )
    )


def task_rows(plan: dict, manager: int, accounts: list[int], out: list) -> None:
    """About ten open tasks (some overdue, some due today) and the done tasks of five years."""
    today, first_day = plan["today"], plan["first_day"]
    rng = random.Random(f"{plan['seed']}:tasks:{manager}")
    rnd = rng.random

    def row(due: date, created: datetime, status: str, completed: datetime | None) -> tuple:
        account = rng.choice(accounts) if accounts and rnd() < 0.8 else None
        return (
            created,
            (
                created,
                completed or created,
                1,
                None,
                rng.choice(TASKS),
                "",
                due,
                None,
                status,
                completed,
                account,
                manager,
                None,
                manager if rnd() < 0.7 else None,
            ),
        )

    day = first_day + timedelta(days=rng.randrange(7))
    while day < today - timedelta(days=30):  # about two a week, done or cancelled
        due = workday(day + timedelta(days=rng.randrange(1, 15)))
        created = stamp(day, 9 * 60 + rng.randrange(9 * 60))
        done = stamp(due - timedelta(days=rng.randrange(3)), 10 * 60 + rng.randrange(8 * 60))
        out.append(row(due, created, "done" if rnd() < 0.93 else "cancelled", max(done, created)))
        day += timedelta(days=1 + rng.randrange(6))
    for _ in range(rng.randrange(7, 14)):
        u = rnd()
        if u < 0.2:
            due = today - timedelta(days=1 + rng.randrange(20))
        elif u < 0.35:
            due = today
        else:
            due = today + timedelta(days=1 + rng.randrange(30))
        created = stamp(min(due, today) - timedelta(days=1 + rng.randrange(14)), 9 * 60 + rng.randrange(540))
        out.append(row(due, created, "open", None))


# --------------------------------------------------------------------------------------------------------
# Schema: the touch tables' secondary indexes and foreign keys, dropped before the load and rebuilt after.


def inventory_of(conn) -> dict:
    from bench import generate  # imported late: it sets Django up, which must see this run's DATABASE_URL

    return generate.inventory_of(conn, TOUCH_TABLES)


def drop_secondary(conn) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Drop the secondary (non-constraint) indexes and the foreign keys of the touch tables; return the
    index definitions and (table, name, definition) of the foreign keys, as the catalogue has them."""
    tables = list(TOUCH_TABLES)
    indexes = conn.execute(
        """SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                                                              AND k.conrelid = i.indrelid)
            ORDER BY 1""",
        [tables],
    ).fetchall()
    fks = conn.execute(
        """SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k
             JOIN pg_class t ON t.oid = k.conrelid
            WHERE k.contype = 'f' AND t.relname = ANY(%s) ORDER BY 1, 2""",
        [tables],
    ).fetchall()
    for table, name, _definition in fks:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        conn.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes], fks


def copy_binary(conn, table: str, columns: str, rows) -> int:
    types = [
        conn.execute(
            "SELECT atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
            [table, name.strip()],
        ).fetchone()[0]
        for name in columns.split(",")
    ]
    n = 0
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY, FREEZE)") as copy,
    ):
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def refill_pulse() -> int:
    """The account list's work columns read each account's pulse (last and next touch, open requests), which
    Orbit's services keep; a COPY bypasses them, so the morning's rebuild brings it in line here."""
    from django.db import transaction

    from orbit.accounts import pulse

    with transaction.atomic():
        return pulse.rebuild()


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
    parser.add_argument("--managers", type=int, default=100, help="managers nearest 300 accounts")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--as-of", default="", help="the agenda's today (default: today in Moscow)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--maintenance-work-mem", default="1GB")
    args = parser.parse_args(argv)

    dsn = use_bench_database(args.server, args.database)

    today = date.fromisoformat(args.as_of) if args.as_of else datetime.now(MOSCOW).date()
    plan = {
        "seed": args.seed,
        "today": today,
        "first_day": today - timedelta(days=round(365.25 * args.years)),
    }
    t_all = time.perf_counter()
    timings: list[tuple[str, float]] = []
    with psycopg.connect(dsn) as conn:
        t = time.perf_counter()
        managers, personas = pick_managers(conn, args.managers)
        accounts = conn.execute(
            """SELECT id, tier, status, responsible_manager_id, created_at, status_changed_at, archived_at
                 FROM accounts_account WHERE responsible_manager_id = ANY(%s) ORDER BY id""",
            [managers],
        ).fetchall()
        contacts: dict[int, list[int]] = {}
        for account_id, contact_id in conn.execute(
            """SELECT c.account_id, c.id FROM accounts_contact c
                 JOIN accounts_account a ON a.id = c.account_id
                WHERE a.responsible_manager_id = ANY(%s) AND c.archived_at IS NULL ORDER BY 1, 2""",
            [managers],
        ):
            contacts.setdefault(account_id, []).append(contact_id)
        timings.append(("read managers, accounts, contacts", time.perf_counter() - t))

        t = time.perf_counter()
        traits = {}
        for m in managers:
            rng = random.Random(f"{args.seed}:manager:{m}")
            sloppy = rng.betavariate(2, 5)
            traits[m] = {"sloppy": sloppy, "overdue": 0.03 + 0.45 * sloppy}
        touches: list = []
        for account in accounts:
            touch_rows(plan, account, contacts.get(account[0], []), traits[account[3]], touches)
        touches.sort(key=lambda item: (item[0], item[1][13]))
        live_of: dict[int, list[int]] = {}
        for account in accounts:
            if account[6] is None and account[2] != "churned":
                live_of.setdefault(account[3], []).append(account[0])
        tasks: list = []
        for m in managers:
            task_rows(plan, m, live_of.get(m, []), tasks)
        tasks.sort(key=lambda item: (item[0], item[1][11]))
        timings.append(("generate rows (Python)", time.perf_counter() - t))

        t_load = time.perf_counter()
        conn.execute(f"SET maintenance_work_mem = '{args.maintenance_work_mem}'")
        conn.execute("SET synchronous_commit = off")
        before = inventory_of(conn)
        index_sql, fks = drop_secondary(conn)
        conn.execute(f"TRUNCATE {', '.join(ALL_TABLES)}")
        t = time.perf_counter()
        n_touches = copy_binary(
            conn, "activities_touch", TOUCH_COLUMNS, ((k, *row) for k, (_c, row, _w) in enumerate(touches, 1))
        )
        links = (
            (touch_id, contact_id)
            for touch_id, (_c, _row, who) in enumerate(touches, 1)
            for contact_id in who
        )
        n_links = copy_binary(
            conn,
            "activities_touch_contacts",
            "id, touch_id, contact_id",
            ((k, *pair) for k, pair in enumerate(links, 1)),
        )
        n_tasks = copy_binary(
            conn, "activities_task", TASK_COLUMNS, ((k, *row) for k, (_c, row) in enumerate(tasks, 1))
        )
        timings.append(("COPY touches, contacts of touches, tasks", time.perf_counter() - t))
        t = time.perf_counter()
        for sql in index_sql:
            conn.execute(sql)
        timings.append((f"rebuild {len(index_sql)} indexes", time.perf_counter() - t))
        t = time.perf_counter()
        for table, name, definition in fks:
            conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID")
        for table, name, _definition in fks:
            conn.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
        timings.append((f"add and validate {len(fks)} foreign keys", time.perf_counter() - t))
        for table in ALL_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        after = inventory_of(conn)
        conn.commit()
        load = time.perf_counter() - t_load

    t = time.perf_counter()
    corrected = refill_pulse()
    timings.append((f"the accounts' pulse ({corrected:,} rows corrected)", time.perf_counter() - t))

    with psycopg.connect(dsn, autocommit=True) as conn:
        t = time.perf_counter()
        for table in ALL_TABLES:
            conn.execute(f"ANALYZE {table}")
        timings.append(("ANALYZE", time.perf_counter() - t))
        stats = conn.execute(
            """SELECT count(*) FILTER (WHERE status = 'done'),
                      count(*) FILTER (WHERE status = 'done' AND happened_at >= %(start)s),
                      count(*) FILTER (WHERE status = 'planned' AND planned_for < %(today)s),
                      count(*) FILTER (WHERE status = 'planned' AND planned_for = %(today)s),
                      count(*) FILTER (WHERE status = 'planned' AND planned_for > %(today)s),
                      min(happened_at)::date, count(DISTINCT owner_id), count(DISTINCT account_id)
                 FROM activities_touch""",
            {"today": today, "start": stamp(today, 0)},
        ).fetchone()
        open_tasks = conn.execute("SELECT count(*) FROM activities_task WHERE status = 'open'").fetchone()[0]
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('activities_touch'))").fetchone()[0]
        per_persona = []
        for key in ("am", "lead"):
            p = personas[key]
            row = conn.execute(
                """SELECT count(*) FILTER (WHERE status = 'done'),
                          count(*) FILTER (WHERE status = 'planned' AND planned_for < %(today)s),
                          count(*) FILTER (WHERE status = 'planned' AND planned_for = %(today)s),
                          count(DISTINCT account_id)
                     FROM activities_touch WHERE owner_id = %(u)s""",
                {"u": p.user_id, "today": today},
            ).fetchone()
            per_persona.append((p, row))

    print(
        f"as of {today}: {len(managers)} managers, {len(accounts):,} accounts ({sum(map(len, contacts.values())):,} "
        f"live contacts), {args.years} years from {plan['first_day']}"
    )
    print(
        f"activities_touch: {n_touches:,} rows ({size} with indexes) on {stats[7]:,} accounts of {stats[6]} "
        f"owners — done {stats[0]:,} (today {stats[1]:,}, first {stats[5]}), planned overdue {stats[2]:,}, "
        f"today {stats[3]:,}, later {stats[4]:,}"
    )
    print(
        f"activities_touch_contacts: {n_links:,} rows; activities_task: {n_tasks:,} rows ({open_tasks:,} open)"
    )
    for p, (done, overdue, due_today, n_accounts) in per_persona:
        print(
            f"  {p.key:5s} {p.label}: {n_accounts} accounts, {done:,} done touches, "
            f"{overdue} overdue and {due_today} planned today"
        )
    same = before == after
    print(
        f"  {'ok' if same else 'DIFF'}  indexes and constraints of the touch tables identical to the migrated "
        f"schema ({len(after['indexes'])} indexes, {len(after['constraints'])} constraints, all validated)"
    )
    if not same:
        for key in before:
            for item in sorted(set(before[key]) ^ set(after[key])):
                print(f"    {key}: {'before' if item in before[key] else 'after'}: {item}")
    print("steps:")
    for label, seconds in timings:
        print(f"  {label:45s} {seconds:6.1f}s")
    print(f"  {'LOAD (truncate, COPY, indexes, foreign keys)':45s} {load:6.1f}s")
    print(f"  {'everything after migrate':45s} {time.perf_counter() - t_all:6.1f}s")
    if not same:
        raise SystemExit("the touch tables' schema differs from the migrated one")


if __name__ == "__main__":
    main()
