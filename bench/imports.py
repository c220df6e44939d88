"""Issue 15: importing accounts from CSV against a raw PostgreSQL COPY of the same file, in the same run.

    .venv/bin/python -m bench.imports                       # 100k and 1M rows; bench/results_imports.md
    .venv/bin/python -m bench.imports --sizes 50000 --profile   # cProfile of the import (top functions)

Each size runs in its own process (its peak memory is its own) against a fresh database (`orbit_bench_imports`,
dropped and migrated): a generated accounts CSV (valid INNs, Russian names, owners by display name as exports write
them, 10 % under a holding named by INN, 10 % prospects without an owner) is
(a) copied with `COPY … FROM STDIN` (psycopg's `cursor.copy`) into a plain staging table with the file's columns;
(c) loaded from there into Orbit's tables by set-based SQL with no check (`load_by_sql`: the writes any import
    keeping Orbit's guarantees must make, with their indexes, ownership check and foreign keys), then emptied;
(b) imported through `import_file` — what `orbit import accounts FILE` runs — committed into the empty tables.
Reported: the time and rows per second of each, the ratios of (b) to (a) (the issue's target ≥ 30 %) and of (b)
to (c), and the peak resident memory of the process (ru_maxrss) before and after the import.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
TARGET = 0.30
HEADER = ["Название", "ИНН", "КПП", "Ответственный", "Категория", "ИНН холдинга"]
MANAGERS = 40
FORMS = ["ООО", "АО", "ПАО", "ЗАО"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_csv(path: Path, rows: int, managers: list[str]) -> None:
    from bench import words
    from bench.generate import inn_for

    rng = random.Random(15)
    roots, tails = words.NAME_ROOTS, [t for t in words.NAME_TAILS if t]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for i in range(rows):
            entrepreneur = i % 10 == 9
            inn = inn_for(i, entrepreneur)
            if entrepreneur:
                name, kpp = f"ИП {rng.choice(words.SURNAMES)} {rng.choice('АБВГДЕИКЛМНОПРС')}.", ""
            else:
                brand = f"{rng.choice(roots)}{rng.choice(tails)}"
                name, kpp = f"{rng.choice(FORMS)} «{brand}»", f"{inn[:4]}01001"
            owner = "" if i % 10 == 3 else managers[i % len(managers)]
            tier = "ABC"[i % 3]
            # 10 % under a holding: an organisation earlier in the file.
            parent = inn_for(i - 1 - (i % 50) * 10, False) if i % 10 == 5 and i > 600 else ""
            out.write(f"{name};{inn};{kpp};{owner};{tier};{parent}\r\n")


def fresh_database(server: str, database: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    from bench.run import use_bench_database

    return use_bench_database(server, database)


def people() -> tuple:
    """The head who imports and the managers the file names ("Фамилия Имя", as exports write them)."""
    from bench import words
    from orbit.org.models import Role, User, UserRole

    head = User.objects.create(username="head", display_name="Руководитель Отдела", language="ru")
    UserRole.objects.create(user=head, role=Role.HEAD)
    names = []
    for n in range(MANAGERS):
        last, first = words.SURNAMES[n * 3], words.MALE_FIRST[n % len(words.MALE_FIRST)]
        user = User.objects.create(
            username=f"am{n}", first_name=first, last_name=last, display_name=f"{last} {first}"
        )
        UserRole.objects.create(user=user, role=Role.ACCOUNT_MANAGER)
        names.append(f"{last} {first}")
    return head, names


def copy_raw(dsn: str, path: Path) -> float:
    """(a) The file into a staging table with its columns, by COPY, committed (kept for (c))."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with psycopg.connect(dsn) as conn:
        conn.execute(
            f"DROP TABLE IF EXISTS bench_import_staging; CREATE TABLE bench_import_staging ({columns})"
        )
        conn.commit()
        t = time.perf_counter()
        with conn.cursor() as cur:
            sql = "COPY bench_import_staging FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
            with cur.copy(sql) as copy, path.open("rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - t
    return seconds


# (c) The floor: what an import that keeps Orbit's guarantees must write, written by set-based SQL from the
# staging table with no check at all: the accounts (text columns approximated: lower-cased, not normalised),
# their creation in the history, the ownership periods (their invariant checked together, as the import
# does), the holdings, the import's undo rows; committed, so the deferred foreign-key checks run too.
DERIVED = {
    "legal_name": "s.c0",
    "inn": "s.c1",
    "kpp": "coalesce(s.c2, '')",
    "tier": "coalesce(s.c4, 'C')",
    "status": "CASE WHEN u.id IS NULL THEN 'prospect' ELSE 'active' END",
    "responsible_manager_id": "u.id",
    "version": "CASE WHEN u.id IS NULL THEN 1 ELSE 2 END",
    "search_text": "lower(concat_ws(' ', s.c0, s.c1))",
    "sort_name": "lower(s.c0)",
    "name_key": "lower(s.c0)",
    "manager_sort": "coalesce(lower(u.display_name), '')",
    "created_at": "now()",
    "updated_at": "now()",
    "status_changed_at": "now()",
    "created_by_id": "%(head)s",
}


def load_by_sql(dsn: str, head_id: int) -> float:
    from orbit.accounts.ownership_bulk import BROKEN, SETTING
    from orbit.imports.accounts import _ACCOUNT_DEFAULTS, _HISTORY_COLUMNS

    constants = {c: v for c, v in _ACCOUNT_DEFAULTS.items() if c not in DERIVED}
    columns = [*DERIVED, *constants]
    select = ", ".join([*DERIVED.values(), *(f"%({c})s" for c in constants)])
    history = ", ".join(_HISTORY_COLUMNS)
    with psycopg.connect(dsn) as conn:
        t = time.perf_counter()
        conn.execute("SELECT set_config(%s, 'on', true)", [SETTING])
        conn.execute(
            f"INSERT INTO accounts_account ({', '.join(columns)}) SELECT {select} "
            "FROM bench_import_staging s LEFT JOIN org_user u ON u.display_name = s.c3",
            {"head": head_id, **{c: str(v) if hasattr(v, "label") else v for c, v in constants.items()}},
        )
        conn.execute(
            "INSERT INTO accounts_ownershipperiod (account_id, manager_id, started_at, reason, comment, "
            "changed_by_id, created_at) SELECT id, responsible_manager_id, now(), 'import', '', %s, now() "
            "FROM accounts_account WHERE responsible_manager_id IS NOT NULL",
            [head_id],
        )
        conn.execute("SELECT set_config(%s, 'off', true)", [SETTING])
        ids = [r[0] for r in conn.execute("SELECT id FROM accounts_account")]
        assert conn.execute(BROKEN, {"ids": ids}).fetchone() is None
        conn.execute(
            "UPDATE accounts_account a SET parent_id = p.id FROM bench_import_staging s "
            "JOIN accounts_account p ON p.inn = s.c5 WHERE s.c5 <> '' AND a.inn = s.c1"
        )
        conn.execute(
            f"INSERT INTO accounts_historicalaccount ({history}, history_date, history_type, history_user_id) "
            f"SELECT {history}, now(), '+', %s FROM accounts_account",
            [head_id],
        )
        batch = conn.execute(
            "INSERT INTO imports_importbatch (kind, file_name, status, by_id, at, mapping, options, counts, "
            "errors, dry_run, rows_done, bytes_read, bytes_total) VALUES ('accounts', 'bench', 'committed', %s, "
            "now(), '{}', '{}', '{}', '[]', false, 0, 0, 0) RETURNING id",
            [head_id],
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO imports_importedrow (batch_id, account_id, target, object_id, row, action, before, "
            "version_after) SELECT %s, id, 'accounts.account', id, id, 'new', '{}', version FROM accounts_account",
            [batch],
        )
        conn.commit()
        seconds = time.perf_counter() - t
        conn.execute(
            "TRUNCATE accounts_account, accounts_ownershipperiod, accounts_historicalaccount, imports_importedrow, "
            "imports_importbatch CASCADE; DROP TABLE bench_import_staging"
        )
        conn.commit()
    return seconds


def import_orbit(head, path: Path):
    """(b) What `orbit import accounts FILE` runs: the whole file, committed."""
    from django.utils import translation

    from orbit.imports.accounts import KIND
    from orbit.imports.engine import import_file
    from orbit.imports.reading import open_table

    with path.open("rb") as stream, translation.override("ru"):
        t = time.perf_counter()
        report = import_file(KIND, by=head, table=open_table(stream, path.name), file_name=path.name)
        return time.perf_counter() - t, report


def single(args) -> dict:
    fresh_database(args.server, args.database)
    from orbit.accounts.models import Account, OwnershipPeriod

    head, names = people()
    path = Path(args.dir) / f"accounts_{args.rows}.csv"
    t = time.perf_counter()
    write_csv(path, args.rows, names)
    generated = time.perf_counter() - t
    dsn = f"{args.server}/{args.database}"
    copy_s = copy_raw(dsn, path)
    sql_s = load_by_sql(dsn, head.pk)
    before = peak_mb()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    import_s, report = import_orbit(head, path)
    if args.profile:
        profiler.disable()
        profiler.dump_stats(Path(args.dir) / "imports.prof")  # for pstats: callers, per line
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(15)
        # Where the import's time goes, by step: reading, checking, writing, holdings, the commit's checks.
        stats.sort_stats("cumulative").print_stats(
            r"_read|_chunk|_write_new|_set_parents|copy_rows|next_ids|existing_by_inn|_write_parents|commit|open_table"
        )
        print(out.getvalue(), file=sys.stderr)
    assert report.committed and report.failed == 0, report.as_json()["errors"][:5]
    accounts = Account.objects.count()
    assert accounts == args.rows, accounts
    result = {
        "rows": args.rows,
        "file_mb": path.stat().st_size / 1e6,
        "generate_s": generated,
        "copy_s": copy_s,
        "import_s": import_s,
        "copy_rps": args.rows / copy_s,
        "import_rps": args.rows / import_s,
        "ratio": copy_s / import_s,
        "sql_s": sql_s,
        "sql_rps": args.rows / sql_s,
        "floor_ratio": sql_s / import_s,
        "peak_before_mb": before,
        "peak_after_mb": peak_mb(),
        "periods": OwnershipPeriod.objects.count(),
        "holdings": Account.objects.filter(parent__isnull=False).count(),
        "profile": args.profile,
    }
    path.unlink()
    return result


def write_results(out: Path, results: list[dict]) -> None:
    from bench.run import machine

    lines = [
        "# Issue 15: accounts import vs COPY (bench/imports.py)",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {machine()} · load {os.getloadavg()[0]:.1f}",
        "",
        "| rows | file | (a) COPY to staging | (c) SQL load into Orbit's tables | (b) import | import rows/s "
        "| (b)/(a) (issue's target ≥ 30 %) | (b)/(c) | peak RSS before → after import |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['file_mb']:.0f} MB | {r['copy_s']:.1f} s ({r['copy_rps']:,.0f}/s) "
            f"| {r['sql_s']:.1f} s ({r['sql_rps']:,.0f}/s) | {r['import_s']:.1f} s | {r['import_rps']:,.0f} "
            f"| {r['ratio']:.1%} | {r['floor_ratio']:.0%} | {r['peak_before_mb']:.0f} → {r['peak_after_mb']:.0f} MB |"
        )
    lines += [
        "",
        "Each: ownership periods written, accounts under a holding: "
        + ", ".join(f"{r['rows']:,}: {r['periods']:,} / {r['holdings']:,}" for r in results),
        "",
    ]
    out.write_text("\n".join(lines))
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="orbit_bench_imports")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--profile", action="store_true", help="cProfile the import (to stderr); not written")
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)  # one size, in this process
    parser.add_argument("--out", default=str(HERE / "results_imports.md"))
    args = parser.parse_args(argv)
    if args.rows:
        print(json.dumps(single(args)), flush=True)
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [
            sys.executable,
            "-m",
            "bench.imports",
            "--rows",
            str(size),
            "--database",
            args.database,
            "--server",
            args.server,
            "--dir",
            args.dir,
        ] + (["--profile"] if args.profile else [])
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    if not args.profile:
        write_results(Path(args.out), results)


if __name__ == "__main__":
    main()
