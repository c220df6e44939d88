"""Benchmark the visibility-scoped account list, the account card and the API list on the large base.

    .venv/bin/python -m bench.run --database orbit_bench

Every case goes through the real stack (django.test.Client: middleware, session, view, template or
ninja schema) as a persona chosen from the data: an account manager with about 300 accounts, a team lead,
a division lead (a lead whose team has sub-teams) and the head. Next to each case, interleaved in the same
run, the hand-written SQL that returns the same rows (psycopg, client-side binding like Django's) is
timed, and the rows are compared once. Results go to stdout and to bench/results.md; EXPLAIN ANALYZE of
the slowest queries of the cases that miss a target goes to bench/explain.md.
"""

import argparse
import os
import platform
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import psycopg

HERE = Path(__file__).resolve().parent
PAGE_TARGET_MS = 50.0
PANEL_TARGET_MS = 50.0  # issue 11: the account card with its revenue panel
RECEIVABLES_TARGET_MS = 300.0  # issue 11: the receivables list
SEARCH_TARGET_MS = 100.0
RATIO_TARGET = 2.0
QUERY_TARGET = 10

ACCOUNT_JOINS = """
  LEFT JOIN org_user m ON m.id = a.responsible_manager_id
  LEFT JOIN accounts_industry i ON i.id = a.industry_id
  LEFT JOIN accounts_region r ON r.id = a.region_id
  LEFT JOIN accounts_segment s ON s.id = a.segment_id"""


@dataclass
class Persona:
    key: str
    label: str
    user_id: int
    people: list[int] | None  # whose accounts he sees (None: everything)
    visible: int
    client: object = None
    token: str = ""
    card_ids: list[int] = field(default_factory=list)
    money_ids: list[int] = field(
        default_factory=list
    )  # accounts with invoices: the biggest, then typical ones
    name_word: str = ""
    name_root: str = ""
    inn: str = ""

    def scope(self, alias: str = "a") -> tuple[str, dict]:
        if self.people is None:
            return "TRUE", {}
        return (
            f"({alias}.responsible_manager_id = ANY(%(people)s) "
            f"OR ({alias}.status = 'prospect' AND {alias}.created_by_id = ANY(%(people)s)))",
            {"people": self.people},
        )


@dataclass
class Case:
    persona: Persona
    area: str  # list | card | api
    name: str
    urls: list[str]
    params: dict = field(default_factory=dict)  # filters for the bare SQL
    headers: dict = field(default_factory=dict)
    is_search: bool = False
    bare: Callable | None = None
    ours_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)
    queries: int = 0
    query_log: list[dict] = field(default_factory=list)
    rows_match: str = ""
    note: str = ""
    # Several requests timed as one (the card, then its htmx revenue panel): (url, headers) per request.
    steps: list[list[tuple[str, dict]]] = field(default_factory=list)
    target: float | None = None

    @property
    def target_ms(self) -> float:
        if self.target is not None:
            return self.target
        return SEARCH_TARGET_MS if self.is_search else PAGE_TARGET_MS


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --------------------------------------------------------------------------------------------------------
# Personas, picked from the data with plain SQL (independent of the application's visibility code, which
# the row comparison then checks).


def people_of(conn, user_id: int) -> list[int]:
    """The user and the members of every team he leads, with their sub-teams (the default policy)."""
    policy = {"leads_see_subteams": True, "managers_see_team": False}
    if conn.execute("SELECT to_regclass('access_visibilitypolicy')").fetchone()[0]:
        row = conn.execute(
            "SELECT leads_see_subteams, managers_see_team FROM access_visibilitypolicy WHERE id = 1"
        ).fetchone()
        if row:
            policy = {"leads_see_subteams": row[0], "managers_see_team": row[1]}
    if policy["leads_see_subteams"]:
        teams_sql = """WITH RECURSIVE led(id) AS (
                         SELECT id FROM org_team WHERE lead_id = %(u)s
                         UNION SELECT t.id FROM org_team t JOIN led ON t.parent_id = led.id)
                       SELECT id FROM led"""
    else:
        teams_sql = "SELECT id FROM org_team WHERE lead_id = %(u)s"
    teams = [r[0] for r in conn.execute(teams_sql, {"u": user_id})]
    if policy["managers_see_team"]:
        own = conn.execute("SELECT team_id FROM org_user WHERE id = %s", [user_id]).fetchone()[0]
        teams += [own] if own else []
    members = [r[0] for r in conn.execute("SELECT id FROM org_user WHERE team_id = ANY(%s)", [teams])]
    return sorted({user_id, *members})


def pick_personas(conn) -> list[Persona]:
    per_user: dict[int, int] = {}
    for user_id, n in conn.execute(
        """SELECT u, count(*) FROM (
             SELECT responsible_manager_id AS u FROM accounts_account
              WHERE archived_at IS NULL AND responsible_manager_id IS NOT NULL
             UNION ALL
             SELECT created_by_id FROM accounts_account
              WHERE archived_at IS NULL AND status = 'prospect'
                AND created_by_id IS DISTINCT FROM responsible_manager_id) x
           GROUP BY u"""
    ):
        per_user[user_id] = n
    total = conn.execute("SELECT count(*) FROM accounts_account WHERE archived_at IS NULL").fetchone()[0]
    roles: dict[int, set[str]] = {}
    for user_id, role in conn.execute("SELECT user_id, role FROM org_userrole"):
        roles.setdefault(user_id, set()).add(role)
    leads = dict(conn.execute("SELECT lead_id, bool_or(has_children) FROM (SELECT t.lead_id, EXISTS ("
                              "SELECT 1 FROM org_team c WHERE c.parent_id = t.id) AS has_children "
                              "FROM org_team t WHERE t.lead_id IS NOT NULL) x GROUP BY lead_id").fetchall())  # fmt: skip
    names = dict(conn.execute("SELECT id, display_name FROM org_user"))

    def visible(user_id: int) -> tuple[list[int], int]:
        people = people_of(conn, user_id)
        return people, sum(per_user.get(p, 0) for p in people)

    head = min(u for u, r in roles.items() if "head" in r)
    managers = [
        u
        for u, r in roles.items()
        if r & {"account_manager", "key_account_manager"} and u not in leads and u in per_user
    ]
    am = min(managers, key=lambda u: (abs(per_user[u] - 300), u))
    leaf_leads = sorted((visible(u)[1], u) for u, has_children in leads.items() if not has_children)
    division_leads = sorted(
        (visible(u)[1], u) for u, has_children in leads.items() if has_children and u != head
    )
    lead = leaf_leads[len(leaf_leads) // 2][1]
    division = division_leads[len(division_leads) // 2][1]

    personas = []
    for key, label, user_id in (
        ("am", "account manager", am),
        ("lead", "team lead", lead),
        ("division", "division lead (sub-teams)", division),
        ("head", "head of department", head),
    ):
        people, n = (None, total) if key == "head" else visible(user_id)
        personas.append(Persona(key, f"{label}: {names[user_id]} (#{user_id})", user_id, people, n))
    return personas


def pick_examples(conn, persona: Persona, roots: list[str]) -> None:
    """Accounts to open and words to search for, taken from what the persona sees (deterministic)."""
    scope, params = persona.scope()
    rows = conn.execute(
        f"""SELECT a.id, a.short_name, a.sort_name, a.inn FROM accounts_account a
             WHERE a.archived_at IS NULL AND {scope}
             ORDER BY (a.id * 2654435761) %% 1000003 LIMIT 400""",
        params,
    ).fetchall()
    persona.card_ids = [r[0] for r in rows[:10]]
    for _id, short, sort, inn in rows:
        word = re.match(r"[а-яё]+", sort or "")
        root = next((r for r in sorted(roots, key=len, reverse=True) if word and word[0].startswith(r)), None)
        if short and " " not in short and word and root and len(word[0]) > len(root) + 2:
            persona.name_word, persona.name_root, persona.inn = word[0], root, inn
            break


# --------------------------------------------------------------------------------------------------------
# The bare SQL of each case.


def like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def where_of(persona: Persona, params: dict) -> tuple[str, dict]:
    scope, values = persona.scope()
    clauses = ["a.archived_at IS NULL", scope]
    if params.get("status"):
        clauses.append("a.status = ANY(%(status)s)")
        values["status"] = params["status"]
    if params.get("tier"):
        clauses.append("a.tier = ANY(%(tier)s)")
        values["tier"] = params["tier"]
    for k, word in enumerate(params.get("q", "").lower().split()):
        clauses.append(f"a.search_text LIKE %(q{k})s")
        values[f"q{k}"] = like(word)
    from orbit.accounts.search_keys import KEYS_MAX_MANAGERS

    if (
        params.get("q", "").strip()
        and persona.people is not None
        and len(persona.people) <= KEYS_MAX_MANAGERS
    ):
        # The visibility keys the list adds to a search (orbit/accounts/search_keys.py, accounts 0016).
        clauses.append(
            "accounts_visibility_keys(a.id, a.responsible_manager_id, a.status, a.created_by_id) && %(keys)s::text[]"
        )
        values["keys"] = [f"{kind}{p}" for kind in "mp" for p in persona.people]
    return " AND ".join(clauses), values


def order_by(sort: str, searched: bool, reverse: bool = False) -> str:
    """The application's sort (orbit.accounts.selectors.SORTS, read at run time) as SQL.

    With a search the first key is an expression (`key || ''`), as in the selector: the matches are sorted
    rather than found by walking the sort index.
    """
    from orbit.accounts.selectors import PULSE_SORTS, SORTS

    columns = []
    for position, name in enumerate(SORTS.get(sort, SORTS["name"])):
        field = name.lstrip("-")
        column = f"pu.{field}" if field in PULSE_SORTS else f"a.{field}"
        if (
            field == "pulse_key"
        ):  # issue 17: the work columns' tiebreaker is the pulse's key (= the account's)
            column = "pu.account_id"
        if searched and position == 0 and column != "a.updated_at":
            column = f"COALESCE({column}, {column})" if field in PULSE_SORTS else f"({column} || '')"
        columns.append(column + (" DESC" if name.startswith("-") != reverse else ""))
    return ", ".join(columns)


def bare_list(
    persona: Persona,
    params: dict,
    limit: int,
    offset: int,
    cap: int,
    pages_capped: bool,
    last: bool = False,
    pulse: bool = True,
) -> Callable:
    """COUNT stopped at cap + 1 rows and the page. `pages_capped`: the UI's pages cover only the first
    `cap` rows, so the last page holds what is left of them; the API pages on past the cap. `last`: the last
    page read from the end (keyset pagination, orbit/common/keyset.py): the order reversed, what is left of
    an exact count or a full page of a capped one."""
    where, values = where_of(persona, params)
    values |= {"limit": limit, "offset": offset}
    from orbit.accounts.selectors import PULSE_SORTS, SORT_BELOW, SORTS

    sort = params.get("sort", "name")
    # As the selector does: a work sort of a short list sorts it rather than walking the pulse's index.
    short = SORTS.get(sort, SORTS["name"])[0].lstrip("-") in PULSE_SORTS and persona.visible <= SORT_BELOW
    order = order_by(sort, bool(params.get("q")) or short, reverse=last)
    # Issue 17: the list's default columns include the work columns. A work sort joins the account's pulse; any
    # other sort reads the page's pulse rows after it (one query), as the page does.
    pulse_sorted = SORTS.get(sort, SORTS["name"])[0].lstrip("-") in PULSE_SORTS
    join = "JOIN accounts_accountpulse pu ON pu.account_id = a.id" if pulse_sorted else ""
    page_sql = f"""SELECT a.*, m.*, i.*, r.*, s.*{", pu.*" if pulse_sorted else ""}
                     FROM accounts_account a {ACCOUNT_JOINS} {join}
                    WHERE {where} ORDER BY {order}
                    LIMIT %(limit)s OFFSET %(offset)s"""
    pulse_sql = "SELECT * FROM accounts_accountpulse WHERE account_id = ANY(%(ids)s)"
    count_sql = f"SELECT count(*) FROM (SELECT 1 FROM accounts_account a WHERE {where} LIMIT {cap + 1}) t"

    def run(cur) -> list[int]:
        cur.execute(count_sql, values)
        count = cur.fetchone()[0]
        rows = max(0, min(limit, min(count, cap) - offset)) if pages_capped else limit
        if last:
            rows = limit if count > cap or count % limit == 0 else count % limit
        cur.execute(page_sql, values | {"limit": rows})
        ids = [row[0] for row in cur.fetchall()]
        if pulse and not pulse_sorted:
            cur.execute(pulse_sql, {"ids": ids})
            cur.fetchall()
        return ids[::-1] if last else ids

    run.sql = [(count_sql, values), (page_sql, values)]
    return run


def bare_card(persona: Persona) -> Callable:
    scope, values = persona.scope("a")
    account_sql = f"""SELECT a.*, m.*, i.*, r.*, s.*, p.*, c.* FROM accounts_account a {ACCOUNT_JOINS}
                        LEFT JOIN accounts_account p ON p.id = a.parent_id
                        LEFT JOIN org_user c ON c.id = a.created_by_id
                       WHERE a.id = %(id)s AND {scope}"""
    contacts_sql = "SELECT * FROM accounts_contact WHERE account_id = %(id)s ORDER BY archived_at, full_name"
    periods_sql = """SELECT p.*, m.*, c.* FROM accounts_ownershipperiod p
                       JOIN org_user m ON m.id = p.manager_id LEFT JOIN org_user c ON c.id = p.changed_by_id
                      WHERE p.account_id = %(id)s ORDER BY p.started_at DESC"""
    holding_sql = f"""WITH RECURSIVE up(id, parent_id, depth) AS (
                        SELECT id, parent_id, 0 FROM accounts_account WHERE id = %(id)s
                        UNION ALL
                        SELECT a.id, a.parent_id, up.depth + 1 FROM accounts_account a JOIN up ON a.id = up.parent_id
                         WHERE up.depth < 6 AND a.archived_at IS NULL AND {scope}),
                      root AS (SELECT id FROM up ORDER BY depth DESC LIMIT 1),
                      down(id, depth) AS (
                        SELECT id, 0 FROM root
                        UNION ALL
                        SELECT a.id, down.depth + 1 FROM accounts_account a JOIN down ON a.parent_id = down.id
                         WHERE down.depth < 6 AND a.archived_at IS NULL AND {scope})
                      SELECT a.id, a.legal_name, a.short_name, a.parent_id, a.status, a.inn
                        FROM down JOIN accounts_account a USING (id) ORDER BY down.depth, a.sort_name"""
    managers_sql = """SELECT DISTINCT u.* FROM org_user u JOIN org_userrole r ON r.user_id = u.id
                       WHERE u.is_active AND r.role IN ('account_manager', 'key_account_manager', 'sales_manager')
                       ORDER BY u.display_name"""

    def run(cur, account_id: int, with_managers: bool) -> list[int]:
        params = values | {"id": account_id}
        cur.execute(account_sql, params)
        found = [row[0] for row in cur.fetchall()]
        for sql in (contacts_sql, periods_sql, holding_sql) + ((managers_sql,) if with_managers else ()):
            cur.execute(sql, params)
            cur.fetchall()
        return found

    return run


AGENDA_TOUCHES = """SELECT t.*, a.*, u.* FROM activities_touch t
                      JOIN accounts_account a ON a.id = t.account_id JOIN org_user u ON u.id = t.owner_id
                     WHERE t.owner_id = ANY(%(owners)s) AND t.status = 'planned' AND a.archived_at IS NULL
                       AND t.planned_for {op} %(today)s"""


def bare_agenda(person_id: int, team: list[int] | None, limit: int) -> Callable:
    """The agenda's rows as hand-written SQL: whose portfolio the person covers today, overdue touches and
    today's (the first `limit` in the selector's order, counted when the section is full), tasks due within
    a week, handoff steps due, what he did today, his and his people's requests near their SLA (4 business
    hours approximated as 4 hours), and with `team` (the people of his teams) the people list with the team
    table's counts. Returns the touch ids shown, overdue then today."""
    cover_sql = """SELECT owner_id FROM handoffs_cover WHERE deputy_id = %(p)s AND whole_portfolio
                     AND cancelled_at IS NULL AND starts_on <= %(today)s AND ends_on >= %(today)s"""
    section_sql = {
        op: (
            f"{AGENDA_TOUCHES.format(op=op)} ORDER BY t.planned_for, a.sort_name, t.id LIMIT %(limit)s",
            f"SELECT count(*) FROM ({AGENDA_TOUCHES.format(op=op)}) x",
        )
        for op in ("<", "=")
    }
    task_where = """FROM activities_task k JOIN org_user u ON u.id = k.assignee_id
                    LEFT JOIN accounts_account a ON a.id = k.account_id
                   WHERE k.assignee_id = ANY(%(owners)s) AND k.status = 'open' AND k.due_on <= %(week)s"""
    tasks_sql = f"SELECT k.*, u.*, a.* {task_where} ORDER BY k.due_on, k.id LIMIT %(limit)s"
    tasks_count_sql = f"SELECT count(*) {task_where}"
    steps_sql = """SELECT s.*, h.*, a.* FROM handoffs_handoffstep s
                     JOIN handoffs_handoff h ON h.id = s.handoff_id JOIN accounts_account a ON a.id = h.account_id
                    WHERE s.owner_id = ANY(%(owners)s) AND s.done_at IS NULL
                      AND h.status IN ('draft', 'in_progress') AND s.due_date <= %(week)s
                    ORDER BY s.due_date LIMIT %(limit)s"""
    done_sql = """SELECT count(*), sum(t.duration_minutes) FROM activities_touch t
                    JOIN accounts_account a ON a.id = t.account_id
                   WHERE t.owner_id = %(p)s AND t.status = 'done' AND a.archived_at IS NULL
                     AND t.happened_at >= %(start)s AND t.happened_at < %(end)s"""
    requests_sql = """SELECT r.*, a.*, m.*, x.* FROM requests_request r
                        JOIN accounts_account a ON a.id = r.account_id JOIN org_user m ON m.id = r.manager_id
                        LEFT JOIN org_user x ON x.id = r.assignee_id
                       WHERE r.status IN ('new', 'in_progress')
                         AND (r.manager_id = ANY(%(people)s) OR r.assignee_id = ANY(%(people)s))
                         AND r.resolution_due <= now() + interval '4 hours'
                       ORDER BY r.resolution_due, r.id LIMIT 200"""
    # The people list and the team table in one query, a count subquery per person (as the selector does for
    # a small team: a grouped count over the team makes PostgreSQL start parallel workers).
    planned = """SELECT count(*) FROM activities_touch t JOIN accounts_account a ON a.id = t.account_id
                  WHERE t.owner_id = u.id AND t.status = 'planned' AND a.archived_at IS NULL"""
    team_sql = f"""SELECT u.*, ({planned} AND t.planned_for < %(today)s), ({planned} AND t.planned_for = %(today)s),
                          (SELECT count(*) FROM activities_task k WHERE k.assignee_id = u.id AND k.status = 'open'
                              AND k.due_on <= %(today)s)
                     FROM org_user u WHERE u.is_active AND u.id = ANY(%(people)s) ORDER BY u.display_name"""

    def run(cur) -> list[int]:
        from datetime import timedelta

        from django.utils import timezone

        now = timezone.localtime()
        today = now.date()
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        values = {
            "p": person_id,
            "today": today,
            "week": today + timedelta(days=7),
            "limit": limit,
            "start": start,
            "end": start + timedelta(days=1),
            "people": team or [person_id],
        }
        cur.execute(cover_sql, values)
        values["owners"] = [person_id, *(row[0] for row in cur.fetchall())]
        shown = []
        for op in ("<", "="):
            page, count = section_sql[op]
            cur.execute(page, values)
            ids = [row[0] for row in cur.fetchall()]
            if len(ids) == limit:
                cur.execute(count, values)
                cur.fetchone()
            shown += ids
        cur.execute(tasks_sql, values)
        if len(cur.fetchall()) == limit:
            cur.execute(tasks_count_sql, values)
            cur.fetchone()
        for sql in (steps_sql, done_sql, requests_sql):
            cur.execute(sql, values)
            cur.fetchall()
        if team:
            cur.execute(team_sql, values)
            run.team_rows = [(row[0], *row[-3:]) for row in cur.fetchall() if row[0] != person_id]
        return shown

    return run


def agenda_personas(conn, personas: list[Persona]) -> list[tuple[Persona, str, int, list[int] | None]]:
    """The agenda cases: (viewer, name, whose day, the viewer's people when the page has the team table).

    The AM's own day; the lead's own day with the team table; the day of the lead's team member whose
    portfolio is nearest 300 accounts, opened by the lead; and the persona AM's day opened by his own team
    lead (the persona lead does not lead him), a viewer of these cases only."""
    am = next(p for p in personas if p.key == "am")
    lead = next(p for p in personas if p.key == "lead")
    names = dict(conn.execute("SELECT id, display_name FROM org_user"))
    member = conn.execute(
        """SELECT u.id FROM org_user u LEFT JOIN accounts_account a
                ON a.responsible_manager_id = u.id AND a.archived_at IS NULL
            WHERE u.id = ANY(%s) AND u.id <> %s AND u.is_active
            GROUP BY u.id ORDER BY abs(count(a.id) - 300), u.id LIMIT 1""",
        [lead.people, lead.user_id],
    ).fetchone()[0]
    am_lead = conn.execute(
        "SELECT t.lead_id FROM org_user u JOIN org_team t ON t.id = u.team_id WHERE u.id = %s", [am.user_id]
    ).fetchone()[0]
    am_lead_people = people_of(conn, am_lead)
    viewer = Persona(
        "amlead", f"the AM's team lead: {names[am_lead]} (#{am_lead})", am_lead, am_lead_people, 0
    )
    return [
        (am, "my day", am.user_id, None),
        (lead, "my day + team table", lead.user_id, lead.people),
        (lead, f"day of his AM #{member} (?person)", member, None),
        (viewer, f"the AM's day (#{am.user_id}) opened by his lead (?person)", am.user_id, None),
    ]


def agenda_ids(response) -> list[int]:
    """Touch ids of the agenda's touch sections, in order (overdue, then today)."""
    return [int(m[1]) for m in re.finditer(r'<tr data-touch="(\d+)"', response.content.decode())]


def agenda_team_rows(response) -> list[tuple[int, ...]]:
    """The team table's lines: (person id, overdue touches, touches today, tasks due)."""
    cell = r'<td class="num">(\d+)</td>'
    pattern = r'<td><a href="\?person=(\d+)">[^<]*</a></td>' + cell * 3
    return [tuple(map(int, m.groups())) for m in re.finditer(pattern, response.content.decode())]


# --------------------------------------------------------------------------------------------------------
# Running the cases.


def page_ids(response) -> list[int]:
    """Account ids of the rows of a list page, in order."""
    html = response.content.decode()
    body = html.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    ids = []
    for row in body.split("<tr")[1:]:  # each row's first link to a card (after its selection box)
        match = re.search(r'<a href="/accounts/(\d+)/"', row)
        if match:
            ids.append(int(match[1]))
    return ids


def discover_list(case: Case) -> tuple[int, int, int]:
    """Run the page once with Django's template instrumentation to read the paginator it really used."""
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    try:
        response = case.persona.client.get(case.urls[0], headers=case.headers)
        page = response.context["page"]
        return page.number, page.paginator.cap, page.paginator.per_page
    finally:
        teardown_test_environment()


def build_cases(personas: list[Persona], with_api: bool) -> list[Case]:
    cases: list[Case] = []
    for p in personas:
        variants = [
            ("all", {}, False),
            ("status=active & tier=B", {"status": ["active"], "tier": ["B"]}, False),
            ("sort by manager", {"sort": "manager"}, False),
            # Issue 17: the work columns, by the account's pulse.
            ("sort by last touch (latest first)", {"sort": "-last_touch"}, False),
            ("sort by next touch (soonest first)", {"sort": "next_touch"}, False),
            ("sort by next touch, last page (keyset)", {"sort": "next_touch", "page": "last"}, False),
            ("page 50", {"page": 50}, False),  # an old ?page=N link: OFFSET, as before keyset pagination
            ("last page (keyset)", {"page": "last"}, False),
            (f"search name «{p.name_word}»", {"q": p.name_word}, True),
            (f"search name prefix «{p.name_root}»", {"q": p.name_root}, True),
            (f"search INN {p.inn}", {"q": p.inn}, True),
        ]
        for name, params, search in variants:
            query = {k: v for k, v in params.items() if k != "page"}
            if "page" in params:
                query["page"] = params["page"]
            url = "/accounts/" + ("?" + urlencode(query, doseq=True) if query else "")
            cases.append(Case(p, "list", name, [url], params=params, is_search=search))
            htmx = {"HX-Request": "true", "HX-Target": "results"}
            if not params:
                cases.append(Case(p, "list", "all, htmx partial (results table only)", [url], headers=htmx))
            if "prefix" in name:  # as typed in the list's search box: htmx asks for the results alone
                typed = f"{name}, as typed (htmx partial)"
                cases.append(Case(p, "list", typed, [url], params=params, is_search=True, headers=htmx))
        cases.append(Case(p, "card", "account card", [f"/accounts/{i}/" for i in p.card_ids]))
        if with_api:
            for name, params, search in variants:
                if "prefix" in name or "touch" in name:  # the API has no work columns
                    continue
                query = {k: v for k, v in params.items() if k != "page"}
                if params.get("page") == "last":
                    query |= {"limit": 25, "cursor": "last"}
                else:
                    query |= {"limit": 25, "offset": 25 * (params.get("page", 1) - 1)}
                url = "/api/accounts?" + urlencode(query, doseq=True)
                headers = {"Authorization": f"Bearer {p.token}"}
                cases.append(Case(p, "api", name, [url], params=params, is_search=search, headers=headers))
    from bench.money import money_cases

    return cases + money_cases(personas, Case)


def prepare(case: Case, cur) -> None:
    """Set the bare SQL of a case and check once that it returns the rows the page or API shows."""
    from django.conf import settings

    p = case.persona
    if case.area == "list":
        number, cap, per_page = discover_list(case)
        last = case.params.get("page") == "last"
        offset = 0 if last else (number - 1) * per_page
        case.bare = bare_list(p, case.params, per_page, offset, cap, pages_capped=True, last=last)
        shown = page_ids(p.client.get(case.urls[0], headers=case.headers))
        bare_ids = case.bare(cur)
        case.rows_match = "yes" if shown == bare_ids else f"NO ({len(shown)} vs {len(bare_ids)})"
        case.note = f"count capped at {cap:,}"
        if number != case.params.get("page", number) and not last:
            case.note = f"page {number} shown"
    elif case.area == "agenda":
        page = p.client.get(case.urls[0])
        shown, team = agenda_ids(page), agenda_team_rows(page)
        bare_ids = case.bare(cur)
        bare_team = getattr(case.bare, "team_rows", [])
        case.rows_match = "yes" if shown == bare_ids else f"NO ({len(shown)} vs {len(bare_ids)})"
        if team != bare_team:
            case.rows_match += f", team table NO ({len(team)} vs {len(bare_team)} lines)"
        case.note = f"{len(shown)} touches shown" + (f", team table of {len(team)}" if team else "")
    elif case.area == "api":
        data = p.client.get(case.urls[0], headers=case.headers).json()
        last = case.params.get("page") == "last"
        case.bare = bare_list(
            p,
            case.params,
            data["limit"],
            data["offset"],
            settings.ORBIT_COUNT_CAP,
            False,
            last=last,
            pulse=False,
        )
        bare_ids = case.bare(cur)
        shown = [item["id"] for item in data["items"]]
        case.rows_match = "yes" if shown == bare_ids else f"NO ({len(shown)} vs {len(bare_ids)})"
    elif case.area == "money":
        from bench.money import prepare_money

        prepare_money(case, cur, bare_card(p))
    else:
        # The manager list of the reassign form counts only where the card renders it.
        reassign = {
            i: '<select name="manager"' in p.client.get(f"/accounts/{i}/").content.decode()
            for i in p.card_ids
        }
        card = bare_card(p)
        ok = all(card(cur, i, reassign[i]) == [i] for i in p.card_ids)
        case.rows_match = "yes" if ok else "NO"
        ids = iter(p.card_ids * 1000)

        def bare(c, _card=card, _ids=ids):
            i = next(_ids)
            return _card(c, i, reassign[i])

        case.bare = bare


def measure(case: Case, cur, iterations: int, warmup: int, budget: float) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = case.persona
    headers = case.headers
    urls = case.urls

    def ours(k: int) -> float:
        requests = case.steps[k % len(case.steps)] if case.steps else [(urls[k % len(urls)], headers)]
        t = time.perf_counter()
        for url, url_headers in requests:
            response = p.client.get(url, headers=url_headers)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        return (time.perf_counter() - t) * 1000

    def bare() -> float:
        t = time.perf_counter()
        case.bare(cur)
        return (time.perf_counter() - t) * 1000

    for k in range(warmup):
        ours(k)
        bare()
    with CaptureQueriesContext(connection) as captured:
        for url, url_headers in case.steps[0] if case.steps else [(urls[0], headers)]:
            p.client.get(url, headers=url_headers)
    case.queries = len(captured.captured_queries)
    case.query_log = list(captured.captured_queries)
    started = time.perf_counter()
    for k in range(iterations):
        if k % 2:  # interleaved, alternating which goes first
            case.bare_ms.append(bare())
            case.ours_ms.append(ours(k))
        else:
            case.ours_ms.append(ours(k))
            case.bare_ms.append(bare())
        if time.perf_counter() - started > budget and k >= 9:
            break


def page_size_checks(personas: list[Persona], with_api: bool) -> list[tuple[str, str, int, int]]:
    """Queries of one request at two page sizes: the count must not grow with the page."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    p = next(x for x in personas if x.key == "lead")
    rows = []

    def count(url: str, headers: dict | None = None) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = p.client.get(url, headers=headers or {})
        assert response.status_code == 200, url
        return len(captured.captured_queries)

    small = count("/accounts/")
    with override_settings(ORBIT_PAGE_SIZE=200):
        big = count("/accounts/")
    rows.append((p.key, "list page: 25 vs 200 rows (ORBIT_PAGE_SIZE)", small, big))
    if with_api:
        headers = {"Authorization": f"Bearer {p.token}"}
        rows.append(
            (
                p.key,
                "API list: limit=25 vs limit=200",
                count("/api/accounts?limit=25", headers),
                count("/api/accounts?limit=200", headers),
            )
        )
    from django.db.models import Count

    from orbit.accounts.models import Account

    visible = Account.objects.filter(archived_at__isnull=True, responsible_manager_id__in=p.people or [])
    rich = visible.annotate(n=Count("contacts")).order_by("-n", "id").values_list("id", flat=True).first()
    poor = visible.annotate(n=Count("contacts")).order_by("n", "id").values_list("id", flat=True).first()
    rows.append(
        (p.key, "card: fewest vs most contacts", count(f"/accounts/{poor}/"), count(f"/accounts/{rich}/"))
    )
    return rows


def agenda_query_checks(agenda: list[tuple[Persona, str, int, list[int] | None]]) -> list[tuple]:
    """Queries of the agenda today and a year later, when every planned touch is overdue: the count must
    not grow with the backlog (a full section adds one COUNT, whatever the backlog)."""
    from datetime import timedelta
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from orbit.activities.models import Touch

    today = timezone.localdate()
    later = today + timedelta(days=366)
    rows = []
    for viewer, name, person_id, _team in agenda[:2]:

        def count(day, _viewer=viewer):
            with (
                mock.patch("django.utils.timezone.localdate", return_value=day),
                CaptureQueriesContext(connection) as captured,
            ):
                response = _viewer.client.get("/agenda/")
            assert response.status_code == 200
            return len(captured.captured_queries)

        owners = [person_id, *(u for u in (_team or []) if u != person_id)]
        backlog = {
            day: Touch.objects.filter(
                owner_id__in=owners, status="planned", planned_for__lt=day, account__archived_at__isnull=True
            ).count()
            for day in (today, later)
        }
        rows.append(
            (
                viewer.key,
                f"agenda, {name}: overdue touches (his{' and his team' if _team else ''}) "
                f"{backlog[today]:,} today vs {backlog[later]:,} a year later",
                count(today),
                count(later),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------------------
# Report.


def verdict(case: Case) -> str:
    p95 = pct(case.ours_ms, 95)
    ratio = p95 / max(pct(case.bare_ms, 95), 1e-9)
    misses = []
    if p95 > case.target_ms:
        misses.append(f"p95>{case.target_ms:.0f}ms")
    if case.area in ("list", "card") and ratio > RATIO_TARGET:
        misses.append(f">{RATIO_TARGET:.0f}× bare")
    if case.queries > QUERY_TARGET:
        misses.append(f">{QUERY_TARGET} queries")
    return "ok" if not misses else "MISS: " + ", ".join(misses)


def table(cases: list[Case]) -> list[str]:
    lines = [
        "| persona | area | case | n | ours p50 ms | ours p95 ms | SQL queries | bare p50 ms | bare p95 ms "
        "| ratio p50 | ratio p95 | ours − bare p50 ms | same rows | target |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for c in cases:
        o50, o95, b50, b95 = (pct(c.ours_ms, 50), pct(c.ours_ms, 95), pct(c.bare_ms, 50), pct(c.bare_ms, 95))
        note = f" ({c.note})" if c.note else ""
        lines.append(
            f"| {c.persona.key} | {c.area} | {c.name}{note} | {len(c.ours_ms)} | {o50:.1f} | {o95:.1f} | {c.queries} "
            f"| {b50:.1f} | {b95:.1f} | {o50 / b50:.1f}× | {o95 / b95:.1f}× | {o50 - b50:.0f} | {c.rows_match} "
            f"| {verdict(c)} |"
        )
    return lines


EXPLAIN_MIN_MS = 15.0


def missed_time_target(cases: list[Case]) -> list[Case]:
    return [c for c in cases if pct(c.ours_ms, 95) > c.target_ms]


def explain_report(cases: list[Case], explain: list[str]) -> list[str]:
    """The body of explain.md: the plans, or why there are none. A case that missed its time target with no
    query slow enough to explain is said to have missed, never reported as "no case missed"."""
    missed = missed_time_target(cases)
    if not missed:
        return ["No case missed its time target."]
    if explain:
        return explain
    names = "; ".join(
        f"{c.persona.key} · {c.area} · {c.name} (p95 {pct(c.ours_ms, 95):.1f} ms > {c.target_ms:.0f} ms)"
        for c in missed
    )
    return [
        f"{len(missed)} case(s) missed the time target: {names}. None of their queries took "
        f"{EXPLAIN_MIN_MS:.0f} ms or more, so the time went outside the database (Python, templates, the "
        "request cycle) and there is no plan to show."
    ]


def agenda_without_data(conn, people: list[int]) -> set[int]:
    """The people among these who have no touches at all: their agenda would be timed empty."""
    having = {
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT owner_id FROM activities_touch WHERE owner_id = ANY(%s)", [people]
        )
    }
    return set(people) - having


def explain_slow(cases: list[Case], dsn: str, limit: int, min_ms: float = EXPLAIN_MIN_MS) -> list[str]:
    """EXPLAIN ANALYZE of the slowest captured queries (over min_ms) of the cases that miss their time target."""
    out = []
    slow = missed_time_target(cases)
    slow.sort(key=lambda c: -pct(c.ours_ms, 95))
    seen = set()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for case in slow:
            queries = sorted(case.query_log, key=lambda q: -float(q.get("time") or 0))[:limit]
            for q in queries:
                sql = q["sql"]
                key = re.sub(r"\d+", "N", sql)
                slow_enough = float(q.get("time") or 0) * 1000 >= min_ms
                if key in seen or not slow_enough or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                seen.add(key)
                plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall()
                out += [
                    f"### {case.persona.key} · {case.area} · {case.name} — {float(q['time']) * 1000:.0f} ms in the run",
                    "",
                    "```sql",
                    sql,
                    "```",
                    "",
                    "```",
                    *[row[0] for row in plan],
                    "```",
                    "",
                ]
    return out


def machine() -> str:
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, Python {platform.python_version()}"


def use_bench_database(server: str, database: str) -> str:
    """Point Django at the bench database and bring its schema up to date (the code moves on after the base
    is generated; a no-op when it is current). Returns the database's URL."""
    dsn = f"{server.rstrip('/')}/{database}"
    os.environ["DATABASE_URL"] = dsn
    os.environ["DEBUG"] = "false"
    from django.core.management import call_command

    from bench import django_env  # noqa: F401  (Django configured against the bench database)

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrations up to date ({time.perf_counter() - t:.1f}s)", flush=True)
    return dsn


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
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--budget", type=float, default=45.0, help="seconds per case before it stops early")
    parser.add_argument("--only", default="", help="run only cases whose 'persona area case' contains this")
    parser.add_argument("--out", default=str(HERE / "results.md"))
    parser.add_argument("--explain-out", default=str(HERE / "explain.md"))
    args = parser.parse_args(argv)

    dsn = use_bench_database(args.server, args.database)
    from django.test import Client
    from django.urls import Resolver404, resolve

    from bench.money import has_ledger, pick_money_accounts
    from bench.words import NAME_ROOTS
    from orbit.api.models import ApiToken
    from orbit.org.models import User

    try:
        resolve("/api/accounts")
        with_api = True
    except Resolver404:
        with_api = False

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
            for t in ("accounts_account", "accounts_contact", "accounts_ownershipperiod", "activities_touch")
        }
        personas = pick_personas(conn)
        for p in personas:
            pick_examples(conn, p, [r.lower() for r in NAME_ROOTS])
        if has_ledger(conn):
            for p in personas:
                p.money_ids = pick_money_accounts(conn, p)
        ledger_sizes = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (
                "revenue_invoice",
                "revenue_invoiceline",
                "revenue_payment",
                "revenue_accountrevenuemonth",
            )
        }

    for p in personas:
        user = User.objects.get(pk=p.user_id)
        p.client = Client(SERVER_NAME="localhost")
        p.client.force_login(user)
        if with_api:
            _token, p.token = ApiToken.issue(user=user, name="bench")
        print(f"{p.key:9s} {p.label}: sees {p.visible:,} live accounts", flush=True)

    cases = build_cases(personas, with_api)
    from orbit.activities.selectors import AGENDA_LIMIT

    with psycopg.connect(dsn) as conn:
        agenda = agenda_personas(conn, personas)
        empty = agenda_without_data(conn, sorted({person_id for _v, _n, person_id, _t in agenda}))
    skipped = [case for case in agenda if case[2] in empty]
    agenda = [case for case in agenda if case[2] not in empty]
    skipped_note = ""
    if skipped:
        skipped_note = (
            f"Agenda not measured for {', '.join(f'{v.key}: {n}' for v, n, *_ in skipped)}: no touches in "
            f"this base for the person whose day it is, so the page would be timed empty. Load them first: "
            f"`.venv/bin/python -m bench.touches --database {args.database}`."
        )
        print(skipped_note, flush=True)
    for viewer, name, person_id, team in agenda:
        if viewer.client is None:
            viewer.client = Client(SERVER_NAME="localhost")
            viewer.client.force_login(User.objects.get(pk=viewer.user_id))
        url = "/agenda/" + ("" if person_id == viewer.user_id else f"?person={person_id}")
        cases.append(Case(viewer, "agenda", name, [url], bare=bare_agenda(person_id, team, AGENDA_LIMIT)))
    if args.only:
        cases = [c for c in cases if args.only in f"{c.persona.key} {c.area} {c.name}"]
    if not cases:
        raise SystemExit(skipped_note or f"No case matches --only {args.only!r}.")
    from orbit.ops import heap

    heap.settle()  # as each process of `orbit serve` does once Orbit is loaded
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    for case in cases:
        prepare(case, cur)
        measure(case, cur, args.iterations, args.warmup, args.budget)
        print(table([case])[-1], flush=True)
    elapsed = time.perf_counter() - t0
    sizes_rows = page_size_checks(personas, with_api) if not args.only else []
    if any(c.area == "agenda" for c in cases):
        sizes_rows += agenda_query_checks(agenda)
    load_after = os.getloadavg()

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Run {now}: `.venv/bin/python -m bench.run --database {args.database}"
        + (f" --only '{args.only}'" if args.only else "")
        + "` "
        f"({args.iterations} iterations after {args.warmup} warm-up, at most ~{args.budget:.0f} s a case), "
        f"{elapsed:.0f} s in all.",
        "",
        f"- machine: {machine()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(the machine is shared)",
        f"- PostgreSQL {server}: {settings_row}",
        f"- data: {sizes.get('accounts_account', 0):,} accounts, {sizes.get('accounts_contact', 0):,} contacts, "
        f"{sizes.get('accounts_ownershipperiod', 0):,} ownership periods, "
        f"{sizes.get('activities_touch', 0):,} touches (bench.touches); "
        f"{ledger_sizes['revenue_invoice']:,} invoices and credit notes with "
        f"{ledger_sizes['revenue_invoiceline']:,} lines, {ledger_sizes['revenue_payment']:,} payments, "
        f"{ledger_sizes['revenue_accountrevenuemonth']:,} monthly revenue rows (bench.revenue)",
        f"- API list: {'measured' if with_api else 'not available (no /api/accounts route)'}",
        "",
        "Personas:",
        "",
        *[f"- **{p.key}** — {p.label}, sees {p.visible:,} live accounts" for p in personas],
        *[f"- **{v.key}** — {v.label} (agenda only)" for v, *_ in agenda if v not in personas],
        "",
        "*ours* = wall time of `Client.get` through the whole stack (session, middleware, view, template or "
        "JSON); *bare* = the hand-written SQL returning the same rows with psycopg on one connection "
        "(list/API: the COUNT the page shows plus the page SELECT with the same joined columns; card: account, "
        "contacts, ownership periods, holding tree, and the manager list of the reassign form where shown; "
        "agenda: covers, overdue and today's touches, tasks, handoff steps, done today, requests near breach, "
        "the counts of full sections and for the lead's own day the people and the team table; "
        "revenue panel: the account, revenue by month and line, the invoice and payment aggregates of the "
        "balance, active contracts, open orders and open invoices with their counts; card + panel: both; "
        "receivables: the totals with their count and the first page of the stored summary joined to the visible accounts). "
        "*SQL queries* counts every query of the request, session and user included. Targets: p95 ≤ "
        f"{PAGE_TARGET_MS:.0f} ms and ≤ {RATIO_TARGET:.0f}× bare for list and card, ≤ {QUERY_TARGET} queries, "
        f"search p95 ≤ {SEARCH_TARGET_MS:.0f} ms; "
        f"revenue panel and card + panel p95 ≤ {PANEL_TARGET_MS:.0f} ms, receivables p95 ≤ "
        f"{RECEIVABLES_TARGET_MS:.0f} ms (issue 11).",
        "",
        *table(cases),
        "",
        *([skipped_note, ""] if skipped_note else []),
    ]
    if sizes_rows:
        lines += [
            "Queries per request at two page sizes or backlogs (must not grow with the page or the backlog):",
            "",
            "| persona | request | queries (small) | queries (large) |",
            "|---|---|--:|--:|",
            *[f"| {k} | {what} | {a} | {b} |" for k, what, a, b in sizes_rows],
            "",
        ]
    Path(args.out).write_text("\n".join(lines) + "\n")
    explain = explain_slow(cases, dsn, 2)
    Path(args.explain_out).write_text(
        "\n".join(
            [
                "# EXPLAIN ANALYZE of the slowest queries of the cases over their time target",
                "",
                f"From the run of {now}; each query as Django sent it.",
                "",
                *explain_report(cases, explain),
            ]
        )
        + "\n"
    )
    print("\n".join(lines))
    print(f"written: {args.out}, {args.explain_out}")
    bare_conn.close()


if __name__ == "__main__":
    main()
