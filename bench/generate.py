"""Load a large, realistic Orbit base into PostgreSQL with COPY.

    .venv/bin/python -m bench.generate --accounts 1000000 --database orbit_bench

Steps: (re)create the database, run Django's migrations into it, drop the secondary indexes, the foreign
keys and the exclusion constraint of the three big tables and disable their constraint triggers, stream
generated rows with COPY ... FREEZE (one process per table, rows built in plain Python, no ORM), rebuild
every index and constraint exactly as the migrations defined them (foreign keys added NOT VALID, then
validated), re-enable the triggers, check the ownership invariant and the other guarantees set-based in
SQL, and ANALYZE. Everything is seeded: the same arguments give the same data.
"""

import argparse
import concurrent.futures as cf
import multiprocessing as mp
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as time_of_day
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

import psycopg

from bench import django_env, words
from orbit.accounts.models import Account, sort_name_of
from orbit.common.validators import inn_is_valid, inn_with_control

assert django_env  # configures Django before the models above are imported

ROOT = Path(__file__).resolve().parent.parent
BIG_TABLES = ("accounts_account", "accounts_contact", "accounts_ownershipperiod")
CHUNK = 10_000

STATUSES = ["prospect", "handoff", "active", "dormant", "churned", "reactivated"]
STATUS_CUM = list(accumulate([18, 1, 40, 17, 20, 4]))
TIERS = ["key", "A", "B", "C"]
TIER_CUM = list(accumulate([1, 7, 27, 65]))
CONTACTS_PER_ACCOUNT = list(range(9))
CONTACTS_CUM = list(accumulate([4, 15, 22, 22, 15, 10, 6, 4, 2]))  # mean 3.15
BUYING_ROLES = ["decision_maker", "influencer", "buyer", "user", "gatekeeper", ""]
BUYING_CUM = list(accumulate([15, 20, 15, 25, 10, 15]))


def weighted_table(pairs: list[tuple[str, int]]) -> list[str]:
    """A 100-entry lookup table: table[int(random() * 100)] draws with the given percentages."""
    table = [value for value, weight in pairs for _ in range(weight)]
    if len(table) != 100:
        raise ValueError("weights must add up to 100")
    return table


LATER_REASONS = weighted_table(
    [("reassignment", 45), ("vacation", 10), ("overload", 20), ("departure", 15), ("reversal", 10)]
)
OWNER_ROLES = ("account_manager", "key_account_manager", "sales_manager")
MOSCOW = timezone(timedelta(hours=3))
N_SLOTS = 40  # quarter hours of the working day, 9:00-18:45

ACCOUNT_COLUMNS = (
    "id, created_at, updated_at, version, archived_at, legal_name, short_name, inn, kpp, tier, status, "
    "status_changed_at, goals, strategy, investment_plans, financial_indicators, agreed_budget, "
    "budget_currency, competitors, switching_barriers, search_text, created_by_id, parent_id, "
    "responsible_manager_id, industry_id, region_id, segment_id, sort_name, phone, address, website, director"
)
CONTACT_COLUMNS = (
    "id, created_at, updated_at, version, archived_at, full_name, position, phone, email, buying_role, "
    "consent_given, consent_date, consent_source, account_id, created_by_id, visibility_keys"
)
PERIOD_COLUMNS = (
    "id, started_at, ended_at, reason, comment, created_at, account_id, changed_by_id, manager_id"
)


# --------------------------------------------------------------------------------------------------------
# Configuration shared with the loader processes (small, pickled once per process).


@dataclass
class Plan:
    seed: int
    accounts: int
    as_of: date
    years: int
    first_day: date = date(2000, 1, 1)
    days: int = 0
    day_cum: list[float] = field(default_factory=list)
    am_ids: list[int] = field(default_factory=list)
    am_cum: list[float] = field(default_factory=list)
    kam_ids: list[int] = field(default_factory=list)
    kam_cum: list[float] = field(default_factory=list)
    sm_ids: list[int] = field(default_factory=list)
    past_owner_ids: list[int] = field(default_factory=list)
    changer_of: dict[int, int] = field(default_factory=dict)  # manager -> who reassigns his accounts
    industry_ids: list[int] = field(default_factory=list)
    segment_of_tier: dict[str, list[int]] = field(default_factory=dict)
    region_of_code: dict[str, int] = field(default_factory=dict)
    # Account.manager_sort (the responsible manager's name in lower case), when the model has it.
    manager_sort: dict[int, str] | None = None

    @property
    def chunks(self) -> int:
        return (self.accounts + CHUNK - 1) // CHUNK

    @property
    def holdings(self) -> int:
        return max(0, (self.accounts - 7 + 99) // 100)


def make_plan(seed: int, accounts: int, as_of: date, years: int) -> Plan:
    plan = Plan(seed=seed, accounts=accounts, as_of=as_of, years=years)
    plan.first_day = as_of - timedelta(days=round(365.25 * years))
    plan.days = (as_of - plan.first_day).days
    # The base grows: a client is three times likelier to have come this year than ten years ago.
    n = plan.days
    plan.day_cum = list(accumulate(1.0 + 2.0 * d / n for d in range(n)))
    return plan


_CALENDAR: dict[str, list] = {}


def calendar(plan: Plan) -> tuple[list[date], list[list[datetime]]]:
    """Every day of the history and every quarter hour of its working day, built once per process."""
    if "days" not in _CALENDAR:
        days = [plan.first_day + timedelta(days=d) for d in range(plan.days)]
        _CALENDAR["days"] = days
        _CALENDAR["stamps"] = [
            [
                datetime(d.year, d.month, d.day, 9 + s // 4, 15 * (s % 4), tzinfo=MOSCOW)
                for s in range(N_SLOTS)
            ]
            for d in days
        ]
    return _CALENDAR["days"], _CALENDAR["stamps"]


@dataclass
class Core:
    """What every table needs to know about a chunk of accounts, drawn from one seeded stream."""

    lo: int
    status: list[str]
    tier: list[str]
    owner: list[int | None]  # None for prospects
    creator: list[int]
    day: list[int]
    archived: list[bool]
    is_ip: list[bool]
    parent: list[int | None]


def core(plan: Plan, chunk: int) -> Core:
    lo = chunk * CHUNK
    n = min(plan.accounts, lo + CHUNK) - lo
    rng = random.Random(f"{plan.seed}:core:{chunk}")
    rnd = rng.random
    status = rng.choices(STATUSES, cum_weights=STATUS_CUM, k=n)
    tier = rng.choices(TIERS, cum_weights=TIER_CUM, k=n)
    am = rng.choices(plan.am_ids, cum_weights=plan.am_cum, k=n)
    kam = rng.choices(plan.kam_ids, cum_weights=plan.kam_cum, k=n)
    sm = rng.choices(plan.sm_ids, k=n)
    day = rng.choices(range(plan.days), cum_weights=plan.day_cum, k=n)
    u_creator = [rnd() for _ in range(n)]
    u_flags = [rnd() for _ in range(n)]
    u_parent = [rnd() for _ in range(n)]
    owner: list[int | None] = []
    creator: list[int] = []
    parent: list[int | None] = []
    for j in range(n):
        st = status[j]
        if st == "prospect":
            owner.append(None)
            creator.append(sm[j])
            continue
        tr = tier[j]
        if st == "handoff":
            own = sm[j]  # the hunter owns a won client until the handoff is accepted
        elif tr == "key" or tr == "A":
            own = kam[j]
        else:
            own = am[j]
        owner.append(own)
        creator.append(sm[j] if u_creator[j] < 0.6 else own)
    archived = [u < 0.015 for u in u_flags]
    # One in ten small (tier C) clients is an entrepreneur with a 12-digit INN.
    is_ip = [t == "C" and 0.5 < u < 0.65 for t, u in zip(tier, u_flags, strict=True)]
    # Holdings are the accounts with index 100k + 7 (id 100k + 8); 6% of the others belong to one, and
    # one holding in ten belongs to a bigger (older) one.
    holdings = plan.holdings
    for j in range(n):
        i = lo + j
        u = u_parent[j]
        if i % 100 == 7:
            parent.append(int(u * 10 * (i // 100)) * 100 + 8 if i >= 107 and u < 0.1 else None)
        elif holdings and u < 0.06:
            parent.append(int(u / 0.06 * holdings) * 100 + 8)
        else:
            parent.append(None)
    return Core(lo, status, tier, owner, creator, day, archived, is_ip, parent)


# --------------------------------------------------------------------------------------------------------
# INN: ten digits for organisations (tax office, serial, one control digit), twelve for entrepreneurs.

_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_OFFICE_SUM10 = [sum(int(d) * w for d, w in zip(code, _W10[:4], strict=True)) for code in words.TAX_OFFICES]
_SERIAL_SUM10: list[int] = []


def _serial_sums() -> list[int]:
    if not _SERIAL_SUM10:
        w = _W10[4:]
        _SERIAL_SUM10.extend(
            sum(int(d) * wd for d, wd in zip(f"{s:05d}", w, strict=True)) for s in range(100_000)
        )
    return _SERIAL_SUM10


def inn_for(i: int, entrepreneur: bool) -> str:
    """A unique valid INN for account index i: the same checksum as orbit.common.validators, with the
    ten-digit case from precomputed partial sums (the checks run the real validator and the SQL one)."""
    offices = words.TAX_OFFICES
    k, o = divmod(i, len(offices))
    if entrepreneur:
        return inn_with_control(f"{offices[o]}{(k * 48271 + 777) % 1_000_000:06d}")
    serial = (k * 48271 + 12345) % 100_000
    control = (_OFFICE_SUM10[o] + _serial_sums()[serial]) % 11 % 10
    return f"{offices[o]}{serial:05d}{control}"


# --------------------------------------------------------------------------------------------------------
# Names of companies and people.

_FEMALE_SURNAME = {
    s: (s + "а" if s.endswith(("ов", "ев", "ин", "ын")) else s[:-2] + "ая" if s.endswith("ий") else s)
    for s in words.SURNAMES
}
_PATRONYMIC_M = [p if p.endswith("ич") else p + "ич" for p in words.PATRONYMIC_ROOTS]
_PATRONYMIC_F = [p[:-2] + "инична" if p.endswith("ич") else p + "на" for p in words.PATRONYMIC_ROOTS]


_TRANSLIT = str.maketrans(words.TRANSLIT)


def translit(text: str) -> str:
    return text.lower().translate(_TRANSLIT)


def person(rng: random.Random) -> tuple[str, str, str]:
    """(surname, first name, patronymic) of one gender."""
    surname = rng.choice(words.SURNAMES)
    if rng.random() < 0.5:
        return _FEMALE_SURNAME[surname], rng.choice(words.FEMALE_FIRST), rng.choice(_PATRONYMIC_F)
    return surname, rng.choice(words.MALE_FIRST), rng.choice(_PATRONYMIC_M)


_POOLS: dict[str, list] = {}


def people_pool(seed: int) -> list[tuple[str, str, str, str]]:
    """2**18 people: (full name, surname, initials, e-mail local part)."""
    if "people" not in _POOLS:
        rng = random.Random(f"{seed}:people")
        pool = []
        for _ in range(1 << 18):
            surname, first, patronymic = person(rng)
            pool.append(
                (
                    f"{surname} {first} {patronymic}",
                    surname,
                    f"{first[0]}.{patronymic[0]}.",
                    f"{translit(first)[0]}.{translit(surname)}",
                )
            )
        _POOLS["people"] = pool
    return _POOLS["people"]


def brand_pool() -> list[list[tuple[str, str, str]]]:
    """Company names by pattern: (name, its lower case, its sort name). The sort name of «ООО «X»» and
    of «X» are the same: sort_name_of drops the legal form and the quotes."""
    if "brands" not in _POOLS:
        patterns = [
            [f"{a} {n}" for a in words.ADJECTIVES for n in words.COMPANY_NOUNS],
            [r + t for r in words.NAME_ROOTS for t in words.NAME_TAILS if t],
            [f"{r}-{s.capitalize()}" for r in words.NAME_ROOTS for s in words.NAME_SUFFIXES],
            [r + s + t for r in words.NAME_ROOTS for s in words.NAME_SUFFIXES for t in words.NAME_TAILS],
        ]
        _POOLS["brands"] = [[(b, b.lower(), sort_name_of(b)) for b in names] for names in patterns]
    return _POOLS["brands"]


BRAND_PATTERN = [int(p) for p in weighted_table([("0", 12), ("1", 8), ("2", 15), ("3", 65)])]
LEGAL_FORM = weighted_table(
    [("ООО", 76), ("АО", 10), ("ПАО", 2), ("ЗАО", 5), ("ОАО", 3), ("ФГУП", 2), ("МУП", 1), ("АНО", 1)]
)


# --------------------------------------------------------------------------------------------------------
# Rows, generated chunk by chunk and handed to COPY (binary format) one tuple at a time.


def account_rows(plan: Plan, chunk: int, emit, first_id: int = 0) -> int:
    c = core(plan, chunk)
    rng = random.Random(f"{plan.seed}:account:{chunk}")
    rnd = rng.random
    days = plan.days
    _dates, stamps = calendar(plan)
    n = len(c.status)
    brands = brand_pool()
    people = people_pool(plan.seed)
    industries = rng.choices(plan.industry_ids, k=n)
    seg_big = plan.segment_of_tier["big"]
    seg_smb = plan.segment_of_tier["smb"][0]
    seg_other = plan.segment_of_tier["other"]
    region_of = plan.region_of_code
    goals, strategies, competitors = words.GOALS, words.STRATEGIES, words.COMPETITORS
    manager_sort = plan.manager_sort
    for j in range(n):
        i = c.lo + j
        tier = c.tier[j]
        status = c.status[j]
        u = rnd()
        if c.is_ip[j]:
            inn = inn_for(i, True)
            full, surname, initials, _email = people[int(u * len(people))]
            legal = "ИП " + full
            short = f"ИП {surname} {initials}" if rnd() < 0.5 else ""
            # What Account.build_search_text and build_sort_name compute for these fields.
            search = f"{legal} {short} {inn}".lower() if short else f"{legal} {inn}".lower()
            sort = sort_name_of(short or legal)
            kpp = ""
            segment = seg_smb
        else:
            inn = inn_for(i, False)
            names = brands[BRAND_PATTERN[int(u * 100)]]
            brand, brand_lower, sort = names[int(rnd() * len(names))]
            form = LEGAL_FORM[int(rnd() * 100)]
            legal = f"{form} «{brand}»"
            if rnd() < 0.65:
                short = brand
                search = f"{form.lower()} «{brand_lower}» {brand_lower} {inn}"
            else:
                short = ""
                search = f"{form.lower()} «{brand_lower}» {inn}"
            kpp = inn[:4] + "01001"
            segment = seg_big[int(u * 4)] if tier == "key" or tier == "A" else seg_other[int(u * 5)]
        day = c.day[j]
        slot = j % N_SLOTS
        created = stamps[day][slot]
        updated = stamps[day + int(rnd() * (days - day))][slot]
        u = rnd()
        if u < 0.05:
            goal, strategy, competitor = goals[j % 6], strategies[j % 4], competitors[j % 4]
        else:
            goal = strategy = competitor = ""
        row = (
            i + 1,
            created,
            updated,
            1,
            updated if c.archived[j] else None,
            legal,
            short,
            inn,
            kpp,
            tier,
            status,
            None if status == "prospect" else updated,
            goal,
            strategy,
            "",
            "",
            Decimal(int(u * 50_000) * 1000 + 100_000) if status == "active" and u > 0.75 else None,
            "RUB",
            competitor,
            "",
            search,
            c.creator[j],
            c.parent[j],
            c.owner[j],
            industries[j],
            region_of[inn[:2]],
            segment,
            sort,
            "",  # the company's own phone, address, website and director: none generated
            "",
            "",
            "",
        )
        emit(row if manager_sort is None else (*row, manager_sort.get(c.owner[j], "")))
    return n


def contact_rows(plan: Plan, chunk: int, emit, first_id: int = 1) -> int:
    c = core(plan, chunk)
    rng = random.Random(f"{plan.seed}:contact:{chunk}")
    rnd = rng.random
    days = plan.days
    dates, stamps = calendar(plan)
    n = len(c.status)
    counts = rng.choices(CONTACTS_PER_ACCOUNT, cum_weights=CONTACTS_CUM, k=n)
    m = sum(counts)
    people = rng.choices(people_pool(plan.seed), k=m)
    positions = rng.choices(words.POSITIONS, k=m)
    codes = rng.choices(words.MOBILE_CODES, k=m)
    domains = rng.choices(words.EMAIL_DOMAINS, k=m)
    roles = rng.choices(BUYING_ROLES, cum_weights=BUYING_CUM, k=m)
    sources = rng.choices(words.CONSENT_SOURCES, k=m)
    x = 0
    for j in range(n):
        account_id = c.lo + j + 1
        creator = c.owner[j] or c.creator[j]
        # The copy of the account's visibility keys (accounts migration 0016; its trigger, like every user
        # trigger, is off during the load): accounts_visibility_keys(id, manager, status, creator).
        keys = [f"a{account_id}"]
        keys += [f"m{c.owner[j]}"] if c.owner[j] else []
        keys += [f"p{c.creator[j]}"] if c.status[j] == "prospect" and c.creator[j] else []
        day0 = c.day[j]
        for k in range(counts[j]):
            full, _surname, _initials, email = people[x]
            day = day0 + int(rnd() * (days - day0))
            created = stamps[day][k]
            u = rnd()
            consent = u < 0.6
            emit(
                (
                    first_id + x,
                    created,
                    created,
                    1,
                    created if u > 0.97 else None,
                    full,
                    positions[x],
                    f"+7{codes[x]}{int(rnd() * 10_000_000):07d}",
                    f"{email}@{domains[x]}" if u < 0.85 else "",
                    roles[x],
                    consent,
                    dates[day] if consent else None,
                    sources[x] if consent else "",
                    account_id,
                    creator,
                    keys,
                )
            )
            x += 1
    return m


def period_rows(plan: Plan, chunk: int, emit, first_id: int = 1) -> int:
    """Contiguous ownership periods from the account's first day; the last one is open and its manager
    is the account's responsible manager. Prospects have none."""
    c = core(plan, chunk)
    rng = random.Random(f"{plan.seed}:period:{chunk}")
    rnd = rng.random
    _dates, stamps = calendar(plan)
    past = plan.past_owner_ids
    n_past = len(past)
    changer_of = plan.changer_of
    x = first_id
    for j, owner in enumerate(c.owner):
        if owner is None:
            continue
        account_id = c.lo + j + 1
        day0 = c.day[j]
        span = plan.days - day0 - 1
        # A change every 1.6 years on average: reassignments, vacations, departures, handoffs.
        extra = int(span / 600.0 * 2.0 * rnd())
        starts = [stamps[day0][j % N_SLOTS]]
        if extra:
            for b in sorted({day0 + 1 + int(rnd() * span) for _ in range(extra)}):
                starts.append(stamps[b][int(rnd() * N_SLOTS)])
        last = len(starts) - 1
        managers = [past[int(rnd() * n_past)] for _ in range(last)]
        managers.append(owner)
        for k in range(last - 1, -1, -1):  # a change always moves the account to someone else
            if managers[k] == managers[k + 1]:
                managers[k] = past[(past.index(managers[k]) + 1) % n_past]
        for k in range(last + 1):
            started = starts[k]
            manager = managers[k]
            if k == 0:
                reason, changer = "initial", None
            else:
                reason = "handoff" if k == 1 and rnd() < 0.35 else LATER_REASONS[int(rnd() * 100)]
                changer = changer_of.get(manager, 1)
            emit(
                (
                    x,
                    started,
                    None if k == last else starts[k + 1],
                    reason,
                    "",
                    started,
                    account_id,
                    changer,
                    manager,
                )
            )
            x += 1
    return x - first_id


ROWS = {
    "accounts_account": (ACCOUNT_COLUMNS, account_rows),
    "accounts_contact": (CONTACT_COLUMNS, contact_rows),
    "accounts_ownershipperiod": (PERIOD_COLUMNS, period_rows),
}


def load_table(dsn: str, plan: Plan, table: str) -> tuple[int, float, float]:
    """One process per table: TRUNCATE and COPY ... (FORMAT BINARY, FREEZE) in one transaction, so the
    rows arrive frozen and all-visible (no VACUUM needed) and PostgreSQL parses no text.
    Returns the rows and the CPU seconds of this process and of its server backend."""
    cpu0 = time.process_time()
    columns, make = ROWS[table]
    if table == "accounts_account" and plan.manager_sort is not None:
        columns += ", manager_sort"
    rows = 0
    with psycopg.connect(dsn) as conn:
        conn.execute("SET synchronous_commit = off")
        types = [
            conn.execute(
                "SELECT atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
                [table, name.strip()],
            ).fetchone()[0]
            for name in columns.split(",")
        ]
        conn.execute(f"TRUNCATE {table}")
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY, FREEZE)") as copy,
        ):
            copy.set_types(types)
            for chunk in range(plan.chunks):
                rows += make(plan, chunk, copy.write_row, rows + 1)
        conn.commit()
        pg_cpu = backend_cpu(conn)
    return rows, time.process_time() - cpu0, pg_cpu


# --------------------------------------------------------------------------------------------------------
# Small tables: reference data and the organisation (500 people in a team tree).


def copy_rows(conn, table: str, columns: str, rows: list[tuple]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load_small_tables(conn, plan: Plan, managers: int) -> dict:
    rng = random.Random(f"{plan.seed}:org")
    for table, items in (
        ("accounts_industry", words.INDUSTRIES),
        ("accounts_segment", words.SEGMENTS),
        ("accounts_region", words.REGIONS),
    ):
        copy_rows(conn, table, "id, code, name_ru, name_en", [(k + 1, *item) for k, item in enumerate(items)])
    plan.industry_ids = list(range(1, len(words.INDUSTRIES) + 1))
    seg = {code: k + 1 for k, (code, _ru, _en) in enumerate(words.SEGMENTS)}
    plan.segment_of_tier = {
        "big": [seg["enterprise"], seg["enterprise"], seg["public"], seg["mid"]],
        "smb": [seg["smb"]],
        "other": [seg["mid"], seg["smb"], seg["smb"], seg["partner"], seg["public"]],
    }
    plan.region_of_code = {code: k + 1 for k, (code, _ru, _en) in enumerate(words.REGIONS)}

    # Teams: the department (led by the head) -> divisions -> ten teams each.
    teams: list[tuple] = [(1, "Клиентский департамент", None, None)]
    divisions = []
    leaf_teams = []
    for d, name in enumerate(words.DIVISIONS):
        div_id = len(teams) + 1
        teams.append((div_id, f"Дивизион «{name}»", 1, None))
        divisions.append(div_id)
        for k in range(10):
            team_id = len(teams) + 1
            teams.append((team_id, f"{name}: команда {k + 1}", div_id, None))
            leaf_teams.append(team_id)
        del d

    users: list[dict] = []
    roles: list[tuple[int, str]] = []

    def add_user(team: int | None, position: str, user_roles: list[str], active: bool = True) -> int:
        uid = len(users) + 1
        surname, first, _patronymic = person(rng)
        users.append(
            {
                "id": uid,
                "username": f"{translit(first)[0]}.{translit(surname)}.{uid}",
                "first_name": first,
                "last_name": surname,
                "display_name": f"{first} {surname}",
                "position": position,
                "team": team,
                "active": active,
                "joined": plan.first_day + timedelta(days=rng.randrange(plan.days)),
            }
        )
        roles.extend((uid, r) for r in user_roles)
        return uid

    head = add_user(1, "Руководитель клиентского департамента", ["head"])
    team_lead = {1: head}
    for div_id in divisions:
        team_lead[div_id] = add_user(div_id, "Руководитель дивизиона", ["team_lead"])
    for team_id in leaf_teams:
        team_lead[team_id] = add_user(team_id, "Руководитель группы", ["team_lead", "account_manager"])
    members_left = managers - len(users)
    departed = max(0, members_left // 20)
    active_members = members_left - departed
    # 5-7 people a team, spread so that every team gets its share.
    sizes = [active_members // len(leaf_teams)] * len(leaf_teams)
    for k in range(active_members - sum(sizes)):
        sizes[k % len(sizes)] += 1
    for k in range(0, len(sizes) - 1, 2):
        if sizes[k] > 5 and rng.random() < 0.5:
            sizes[k] -= 1
            sizes[k + 1] += 1
    member_roles = [
        (["account_manager"], "Менеджер по работе с клиентами", 75),
        (["key_account_manager"], "Менеджер по ключевым клиентам", 10),
        (["sales_manager"], "Менеджер по продажам", 12),
        (["project_manager"], "Руководитель проектов", 3),
    ]
    role_cum = list(accumulate(w for _r, _p, w in member_roles))
    for team_id, size in zip(leaf_teams, sizes, strict=True):
        for _ in range(size):
            user_roles, position, _w = rng.choices(member_roles, cum_weights=role_cum)[0]
            add_user(team_id, position, user_roles)
    for _ in range(departed):
        user_roles, position, _w = rng.choices(member_roles[:3], cum_weights=role_cum[:3])[0]
        add_user(None, position, user_roles, active=False)
    teams = [(tid, name, parent, team_lead.get(tid)) for tid, name, parent, _lead in teams]

    copy_rows(conn, "org_team", "id, name, parent_id, lead_id", teams)
    copy_rows(
        conn,
        "org_user",
        "id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
        "date_joined, display_name, position, language, monthly_capacity_hours, team_id",
        [
            (
                u["id"],
                "!bench-no-password",  # unusable: set one with `manage.py changepassword` to look around
                False,
                u["username"],
                u["first_name"],
                u["last_name"],
                f"{u['username']}@orbit.example",
                False,
                u["active"],
                datetime.combine(u["joined"], time_of_day(9), tzinfo=MOSCOW),
                u["display_name"],
                u["position"],
                "ru",
                140,
                u["team"],
            )
            for u in users
        ],
    )
    copy_rows(
        conn, "org_userrole", "id, user_id, role", [(k + 1, uid, r) for k, (uid, r) in enumerate(roles)]
    )
    for table in (
        "org_team",
        "org_user",
        "org_userrole",
        "accounts_industry",
        "accounts_segment",
        "accounts_region",
    ):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")

    # Who owns what: an account manager's book varies a lot (log-normal), key account managers hold
    # few large clients, hunters hold won clients until the handoff.
    by_role: dict[str, list[int]] = {}
    for uid, role in roles:
        by_role.setdefault(role, []).append(uid)
    active = {u["id"] for u in users if u["active"]}
    plan.am_ids = [u for u in by_role["account_manager"] if u in active]
    plan.am_cum = list(accumulate(rng.lognormvariate(0, 1.0) for _ in plan.am_ids))
    plan.kam_ids = [u for u in by_role["key_account_manager"] if u in active]
    plan.kam_cum = list(accumulate(rng.lognormvariate(0, 0.5) for _ in plan.kam_ids))
    plan.sm_ids = [u for u in by_role["sales_manager"] if u in active]
    plan.past_owner_ids = sorted({u for r in OWNER_ROLES for u in by_role.get(r, [])})
    lead_of_team = dict(team_lead)
    plan.changer_of = {u["id"]: lead_of_team.get(u["team"], head) for u in users if u["team"]}
    if any(f.name == "manager_sort" for f in Account._meta.get_fields()):
        # What Account.build_manager_sort computes from the responsible manager.
        plan.manager_sort = {u["id"]: u["display_name"].lower() for u in users}
    return {"teams": len(teams), "users": len(users), "roles": len(roles), "departed": departed}


# --------------------------------------------------------------------------------------------------------
# Indexes and constraints: drop what slows the load, rebuild it exactly afterwards.


@dataclass
class Task:
    name: str
    sql: list[str]
    locks: dict[str, str]  # table -> lock mode taken
    deps: set[str] = field(default_factory=set)
    cost: float = 1.0  # rough size, bigger starts first
    kind: str = "sql"
    table: str = ""


def capture_and_drop(conn) -> tuple[list[Task], dict]:
    """Drop secondary indexes, exclusion constraints and foreign keys touching the big tables; return the
    tasks that recreate them and an inventory to compare against afterwards."""
    big = list(BIG_TABLES)
    indexes = conn.execute(
        """SELECT ic.relname, pg_get_indexdef(i.indexrelid), t.relname, pg_relation_size(t.oid)
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                                                              AND k.conrelid = i.indrelid)""",
        [big],
    ).fetchall()
    constraints = conn.execute(
        """SELECT k.conname, k.contype, t.relname, f.relname, pg_get_constraintdef(k.oid)
             FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid LEFT JOIN pg_class f ON f.oid = k.confrelid
            WHERE (k.contype = 'f' AND (t.relname = ANY(%s) OR f.relname = ANY(%s)))
               OR (k.contype = 'x' AND t.relname = ANY(%s))""",
        [big, big, big],
    ).fetchall()
    inventory = inventory_of(conn)
    tasks: list[Task] = []
    for name, _contype, table, _ref, _definition in constraints:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, definition, table, _size in indexes:
        conn.execute(f"DROP INDEX {name}")
        heavy = 6.0 if " gin " in definition or "gin_trgm_ops" in definition else 1.0
        tasks.append(
            Task(f"index {name}", [definition], {table: "share"}, {f"load {table}"}, heavy, table=table)
        )
    for name, contype, table, _ref, definition in constraints:
        if contype == "x":
            tasks.append(
                Task(
                    f"exclusion {name}",
                    [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"],
                    {table: "access_exclusive"},
                    {f"load {table}"},
                    5.0,
                    table=table,
                )
            )
    for name, contype, table, ref, definition in constraints:
        if contype == "f":
            deps = {f"load {t}" for t in (table, ref) if t in BIG_TABLES}
            add = Task(
                f"fk add {name}",
                [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID"],
                {table: "share_row_exclusive", ref: "share_row_exclusive"},
                deps,
                0.1,
                table=table,
            )
            validate = Task(
                f"fk validate {name}",
                [f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}"],
                {table: "share_update_exclusive"} | ({} if ref == table else {ref: "row_share"}),
                {add.name},
                0.5,
                table=table,
            )
            tasks.extend([add, validate])
    for table in BIG_TABLES:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    return tasks, inventory


def inventory_of(conn, tables=BIG_TABLES) -> dict:
    """The tables' indexes, constraints (theirs and those pointing at them) and user triggers, as PostgreSQL
    defines them: compared before the drop and after the rebuild."""
    big = list(tables)
    return {
        "indexes": sorted(
            conn.execute(
                """SELECT ic.relname, pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i
                     JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
                    WHERE t.relname = ANY(%s)""",
                [big],
            ).fetchall()
        ),
        "constraints": sorted(
            conn.execute(
                """SELECT k.conname, pg_get_constraintdef(k.oid), k.convalidated FROM pg_constraint k
                     JOIN pg_class t ON t.oid = k.conrelid LEFT JOIN pg_class f ON f.oid = k.confrelid
                    WHERE t.relname = ANY(%s) OR f.relname = ANY(%s)""",
                [big, big],
            ).fetchall()
        ),
        "triggers": sorted(
            conn.execute(
                """SELECT tg.tgname, tg.tgenabled FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid
                    WHERE t.relname = ANY(%s) AND NOT tg.tgisinternal""",
                [big],
            ).fetchall()
        ),
    }


_CONFLICTS = {
    "row_share": {"access_exclusive"},
    "share": {"share_update_exclusive", "share_row_exclusive", "access_exclusive", "row_exclusive"},
    "share_update_exclusive": {
        "share_update_exclusive",
        "share",
        "share_row_exclusive",
        "access_exclusive",
        "row_exclusive",
    },
    "share_row_exclusive": {
        "share_update_exclusive",
        "share",
        "share_row_exclusive",
        "access_exclusive",
        "row_exclusive",
    },
    "row_exclusive": {"share", "share_update_exclusive", "share_row_exclusive", "access_exclusive"},
    "access_exclusive": {
        "row_share",
        "share",
        "share_update_exclusive",
        "share_row_exclusive",
        "access_exclusive",
        "row_exclusive",
    },
}


def conflicts(a: Task, b: Task) -> bool:
    return any(t in b.locks and b.locks[t] in _CONFLICTS[mode] for t, mode in a.locks.items())


class Runner:
    """Runs tasks with dependencies on `jobs` parallel slots, never two whose table locks would collide."""

    def __init__(self, dsn: str, plan: Plan, jobs: int, settings: list[str]):
        self.dsn = dsn
        self.plan = plan
        self.jobs = jobs
        self.settings = settings
        self.timings: dict[str, tuple[float, float]] = {}
        self.rows: dict[str, int] = {}
        self.cpu: dict[str, tuple[float, float]] = {}
        self.t0 = time.perf_counter()
        self._lock = threading.Lock()

    def run(self, tasks: list[Task]) -> None:
        pending = sorted(tasks, key=lambda t: -t.cost)
        done: set[str] = set()
        running: dict[cf.Future, Task] = {}
        procs = cf.ProcessPoolExecutor(max_workers=len(BIG_TABLES), mp_context=mp.get_context("fork"))
        try:
            with cf.ThreadPoolExecutor(max_workers=self.jobs) as pool:
                while pending or running:
                    for task in list(pending):
                        if len(running) >= self.jobs:
                            break
                        if task.deps <= done and not any(conflicts(task, r) for r in running.values()):
                            pending.remove(task)
                            running[pool.submit(self._execute, task, procs)] = task
                    if not running:
                        missing = {d for t in pending for d in t.deps} - done
                        raise RuntimeError(f"tasks wait for something that never runs: {sorted(missing)}")
                    finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                    for future in finished:
                        task = running.pop(future)
                        future.result()
                        done.add(task.name)
        finally:
            procs.shutdown(cancel_futures=True)

    def _execute(self, task: Task, procs: cf.ProcessPoolExecutor) -> None:
        start = time.perf_counter() - self.t0
        if task.kind == "load":
            rows, py_cpu, pg_cpu = procs.submit(load_table, self.dsn, self.plan, task.table).result()
            self.rows[task.table] = rows
        else:
            py_cpu = 0.0
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                for statement in self.settings:
                    conn.execute(statement)
                for statement in task.sql:
                    conn.execute(statement)
                pg_cpu = backend_cpu(conn)
        end = time.perf_counter() - self.t0
        with self._lock:
            self.timings[task.name] = (start, end)
            self.cpu[task.name] = (py_cpu, pg_cpu)
        print(f"  {end:6.1f}s  {end - start:6.1f}s  {py_cpu + pg_cpu:6.1f}s  {task.name}", flush=True)


def backend_cpu(conn) -> float:
    """CPU seconds the connection's server process has used (PostgreSQL on this machine; 0 otherwise)."""
    try:
        with open(f"/proc/{conn.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# --------------------------------------------------------------------------------------------------------
# Checks after the load.


def _digit(k: int) -> str:
    return f"substr(inn, {k}, 1)::int"


def _inn_sum(control_position: int) -> str:
    """The weighted digit sum the control digit at that position is computed from (FNS algorithm)."""
    weights = {10: _W10, 11: (7, 2, 4, 10, 3, 5, 9, 4, 6, 8), 12: (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)}
    return "(" + " + ".join(f"{w} * {_digit(k + 1)}" for k, w in enumerate(weights[control_position])) + ")"


CHECKS = [
    (
        "non-prospect accounts without exactly one open period",
        """WITH open AS (SELECT account_id, count(*) AS n FROM accounts_ownershipperiod
                          WHERE ended_at IS NULL GROUP BY account_id)
           SELECT count(*) FROM accounts_account a LEFT JOIN open o ON o.account_id = a.id
            WHERE a.status <> 'prospect' AND coalesce(o.n, 0) <> 1""",
    ),
    (
        "accounts whose responsible manager differs from the open period's",
        """SELECT count(*) FROM accounts_account a JOIN accounts_ownershipperiod p
               ON p.account_id = a.id AND p.ended_at IS NULL
            WHERE a.responsible_manager_id IS DISTINCT FROM p.manager_id""",
    ),
    (
        "gaps or overlaps between consecutive periods of an account",
        """SELECT count(*) FROM (
             SELECT started_at, lag(ended_at) OVER w AS prev_end, row_number() OVER w AS n
               FROM accounts_ownershipperiod WINDOW w AS (PARTITION BY account_id ORDER BY started_at)) p
            WHERE n > 1 AND prev_end IS DISTINCT FROM started_at""",
    ),
    (
        "prospects with ownership periods",
        """SELECT count(*) FROM accounts_account a
            WHERE a.status = 'prospect' AND EXISTS (SELECT 1 FROM accounts_ownershipperiod p
                                                     WHERE p.account_id = a.id)""",
    ),
    (
        "INN with a wrong control digit (FNS algorithm in SQL)",
        f"""SELECT count(*) FROM accounts_account WHERE
             (length(inn) = 10 AND {_inn_sum(10)} % 11 % 10 <> {_digit(10)})
          OR (length(inn) = 12 AND ({_inn_sum(11)} % 11 % 10 <> {_digit(11)}
                                 OR {_inn_sum(12)} % 11 % 10 <> {_digit(12)}))
          OR length(inn) NOT IN (10, 12) OR inn !~ '^[0-9]+$'""",
    ),
    (
        "search_text different from lower(legal_name || ' ' || short_name || ' ' || inn)",
        """SELECT count(*) FROM accounts_account
            WHERE search_text <> lower(concat_ws(' ', legal_name, nullif(short_name, ''), inn))""",
    ),
    (
        "contacts whose visibility keys differ from their account's (accounts migration 0016)",
        """SELECT count(*) FROM accounts_contact c JOIN accounts_account a ON a.id = c.account_id
            WHERE c.visibility_keys IS DISTINCT FROM
                  accounts_visibility_keys(a.id, a.responsible_manager_id, a.status, a.created_by_id)""",
    ),
]


MANAGER_SORT_CHECK = (
    "manager_sort different from lower(responsible manager's display_name)",
    """SELECT count(*) FROM accounts_account a LEFT JOIN org_user m ON m.id = a.responsible_manager_id
        WHERE a.manager_sort <> coalesce(lower(m.display_name), '')""",
)


def run_checks(dsn: str, jobs: int, manager_sort: bool) -> list[tuple[str, int, float]]:
    def one(check):
        label, sql = check
        t = time.perf_counter()
        with psycopg.connect(dsn) as conn:
            conn.execute("SET work_mem = '256MB'")
            value = conn.execute(sql).fetchone()[0]
        return label, value, time.perf_counter() - t

    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, CHECKS + ([MANAGER_SORT_CHECK] if manager_sort else [])))


def python_sample_check(dsn: str, sample: int) -> tuple[int, int]:
    """The model's own methods on a random sample: search_text, sort_name and the INN validator."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT legal_name, short_name, inn, search_text, sort_name FROM accounts_account "
            "ORDER BY id %% 9973, id LIMIT %s",
            [sample],
        ).fetchall()
    bad = 0
    for legal, short, inn, search_text, sort_name in rows:
        account = Account(legal_name=legal, short_name=short, inn=inn)
        if (
            account.build_search_text() != search_text
            or account.build_sort_name() != sort_name
            or not inn_is_valid(inn)
        ):
            bad += 1
    return len(rows), bad


# --------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--managers", type=int, default=500)
    parser.add_argument("--years", type=int, default=10, help="ownership history depth")
    parser.add_argument("--as-of", default="2026-11-01", help="the data's today (fixed for reproducibility)")
    parser.add_argument("--database", default="orbit_bench")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
        help="server URL without the database name",
    )
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--jobs", type=int, default=3, help="parallel loads / index builds")
    parser.add_argument("--maintenance-work-mem", default="1GB")
    parser.add_argument("--parallel-maintenance-workers", type=int, default=0)
    args = parser.parse_args(argv)

    if args.managers < 100:
        parser.error("--managers must be at least 100 (78 leads and the head, plus their people)")
    dsn = f"{args.server.rstrip('/')}/{args.database}"
    timings: list[tuple[str, float]] = []
    t_all = time.perf_counter()

    t = time.perf_counter()
    with psycopg.connect(f"{args.server.rstrip('/')}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    timings.append(("create database", time.perf_counter() - t))

    t = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": dsn, "DEBUG": "false"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    timings.append(("django migrate", time.perf_counter() - t))

    plan = make_plan(args.seed, args.accounts, date.fromisoformat(args.as_of), args.years)
    t_load = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        org = load_small_tables(conn, plan, args.managers)
        conn.commit()
        tasks, before = capture_and_drop(conn)
    timings.append(("org + reference data, drop indexes/constraints", time.perf_counter() - t_load))
    print(
        f"organisation: {org['users']} people ({org['departed']} departed), {org['teams']} teams, "
        f"{org['roles']} roles; {len(tasks)} index/constraint tasks to rebuild after the load",
        flush=True,
    )
    # The ownership periods load first: their exclusion constraint is the longest single build.
    priority = {"accounts_ownershipperiod": 12.0, "accounts_account": 11.0, "accounts_contact": 10.0}
    loads = [
        Task(f"load {t}", [], {t: "access_exclusive"}, set(), priority[t], "load", t) for t in BIG_TABLES
    ]
    settings = [
        f"SET maintenance_work_mem = '{args.maintenance_work_mem}'",
        f"SET max_parallel_maintenance_workers = {args.parallel_maintenance_workers}",
        "SET work_mem = '256MB'",
        "SET synchronous_commit = off",
    ]
    print(
        "   done   took    CPU  task  (done: seconds since the load started; CPU: client + server)",
        flush=True,
    )
    runner = Runner(dsn, plan, args.jobs, settings)
    t = time.perf_counter()
    busy0 = machine_busy()
    runner.run(loads + tasks)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in BIG_TABLES:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        after = inventory_of(conn)
    busy1 = machine_busy()
    timings.append(("COPY + rebuild indexes and constraints", time.perf_counter() - t))
    load_total = time.perf_counter() - t_load

    t = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(lambda tb: _analyze(dsn, tb), sorted(tables, key=lambda tb: tb not in BIG_TABLES)))
    timings.append(("ANALYZE", time.perf_counter() - t))
    total_with_analyze = time.perf_counter() - t_load

    t = (
        time.perf_counter()
    )  # the account list's pulse: a row per account (the insert trigger was off for COPY)
    subprocess.run([sys.executable, "manage.py", "rebuild_pulse"], cwd=ROOT, env=env, check=True)
    timings.append(("the accounts' pulse (rebuild_pulse)", time.perf_counter() - t))

    t = time.perf_counter()
    checks = run_checks(dsn, args.jobs, plan.manager_sort is not None)
    sample, sample_bad = python_sample_check(dsn, 20_000)
    timings.append(("verification (not part of the load)", time.perf_counter() - t))

    print(
        "\nper table (seconds; CPU = generator process + PostgreSQL backend; ready = since the load started):"
    )
    table_of = {task.name: task.table for task in loads + tasks}
    for table in BIG_TABLES:
        names = [n for n in runner.timings if table_of[n] == table]
        load = f"load {table}"
        copy_wall = runner.timings[load][1] - runner.timings[load][0]
        py_cpu, pg_cpu = runner.cpu[load]
        rebuild_cpu = sum(sum(runner.cpu[n]) for n in names if n != load)
        print(
            f"  {table:26s} {runner.rows.get(table, 0):>10,} rows  COPY {copy_wall:5.1f}s wall, CPU "
            f"{py_cpu:4.1f}s generator + {pg_cpu:4.1f}s server;  indexes+constraints CPU {rebuild_cpu:5.1f}s;"
            f"  ready at {max(runner.timings[n][1] for n in names):5.1f}s"
        )
    cpu_total = sum(sum(v) for v in runner.cpu.values())
    wall = runner.timings and max(e for _s, e in runner.timings.values())
    ncpu = os.cpu_count() or 1
    machine = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
    print(
        f"\nCPU used by the load: {cpu_total:.1f}s on {ncpu} cores = at least {cpu_total / ncpu:.1f}s of wall time "
        f"if it had the machine to itself; the machine was {machine:.0%} busy during the load, "
        f"{max(0.0, machine - cpu_total / ncpu / max(wall, 1e-9)):.0%} of it other people's work."
    )
    print("\nsteps:")
    for label, seconds in timings:
        print(f"  {label:50s} {seconds:6.1f}s")
    print(f"  {'LOAD TOTAL (data, indexes, constraints)':50s} {load_total:6.1f}s")
    print(f"  {'LOAD TOTAL incl. ANALYZE':50s} {total_with_analyze:6.1f}s")
    print(f"  {'everything incl. database, migrate, checks':50s} {time.perf_counter() - t_all:6.1f}s")

    print("\nchecks (expected 0):")
    failed = False
    for label, value, seconds in checks:
        failed |= value != 0
        print(f"  {value:>8}  {label}  ({seconds:.1f}s)")
    failed |= sample_bad != 0
    print(
        f"  {sample_bad:>8}  of {sample} sampled rows differ from Account.build_search_text/build_sort_name/INN"
    )
    same = before == after
    failed |= not same
    print(
        f"  {'ok' if same else 'DIFF':>8}  indexes, constraints (all validated) and triggers identical to the "
        f"migrated schema ({len(after['indexes'])} indexes, {len(after['constraints'])} constraints, "
        f"{len(after['triggers'])} triggers enabled)"
    )
    if not same:
        for key in before:
            for item in sorted(set(before[key]) ^ set(after[key])):
                print(f"           {key}: {'before' if item in before[key] else 'after'}: {item}")
    with psycopg.connect(dsn) as conn:
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("org_user", "org_team", "org_userrole", *BIG_TABLES)
        }
    print(f"\ndatabase {args.database}: {size}; " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    if failed:
        sys.exit("verification failed")


def _analyze(dsn: str, table: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"ANALYZE {table}")


if __name__ == "__main__":
    main()
