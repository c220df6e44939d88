"""Role × route matrix: every URL pattern of the site, every persona, every kind of account.

The expected visibility is written out by hand in personas.py (not computed by the policy under test). The URL patterns
are enumerated from the resolver: a route without an entry in ROUTES fails `test_every_route_is_in_the_matrix`,
so a new page is covered by default.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from orbit.accounts import services
from orbit.accounts.models import TeamRole
from orbit.activities import cadence
from orbit.activities.models import CadencePolicy
from orbit.handoffs.models import BulkMove
from orbit.imports.models import ExportLog, ImportBatch
from orbit.requests.models import SlaPolicy
from orbit.revenue.models import ProductLine
from orbit.savedviews.models import SavedView
from orbit.staffing.models import Competency, Training
from orbit.worktime.services import default_calendar
from tests.access.personas import (
    ACCOUNTS,
    CHANGE,
    COVER_ARRANGES,
    COVER_SEES,
    CREATE,
    ERASE,
    NOBODY,
    PERSON_SEES,
    PERSONAS,
    PROFILE_READERS,
    PROFILE_WRITERS,
    REASSIGN,
    REASSIGN_TO_A1,
    STEER,
    VISIBLE,
)

ACCOUNT_SCOPES = (
    "account",
    "contact",
    "team",
    "handoff",
    "touch",
    "task",
    "request",
    "attachment",
    "contract",
    "order",
    "invoice",
    "opportunity",
    "project",
    "project_stage",
    "work",
    "case",
)


@dataclass
class Route:
    method: str = "get"
    # "public", "guest", "user", "create", "head", "token", or per account: "account", "contact", "team", "handoff"
    scope: str = "user"
    need: dict = field(default_factory=dict)  # for account routes: persona -> set of accounts allowed
    ok: int = 200
    data: dict = field(default_factory=dict)
    # Targets where the world's data makes the write impossible: whoever may act gets the refusal (400).
    refused_on: frozenset = frozenset()


ROUTES = {
    "home": Route(scope="public", ok=302),
    "login": Route(scope="guest"),  # a logged-in user is sent on to his accounts
    "logout": Route(method="post", ok=302),
    "set_language": Route(method="post", scope="public", ok=302, data={"language": "en"}),
    "ops:live": Route(scope="public"),  # health for load balancers: says nothing of the data
    "ops:ready": Route(scope="public"),
    "ops:metrics": Route(scope="public"),  # the loopback (the test client's address) or a token: tests/ops
    "org:profile": Route(),
    "org:teams": Route(),
    "org:token_create": Route(method="post", data={"name": "t"}),
    "org:token_revoke": Route(method="post", scope="token", ok=302),
    "access:visibility": Route(scope="head"),
    "accounts:list": Route(),
    "imports:accounts_export": Route(),  # the rows are what accounts:list shows him: tests/imports
    "imports:requests_export": Route(),  # the rows are what requests:list shows him (checked below)
    # The other lists' exports: each reads its page's selector for him (rows per persona: tests/imports).
    "imports:contacts_export": Route(),
    "imports:touches_export": Route(),  # his own day's touches (another's day: ?person=, as the agenda)
    "imports:tasks_export": Route(),
    "imports:opportunities_export": Route(),
    "imports:invoice_lines_export": Route(),
    "imports:analytics_export": Route(),
    "imports:kpi_export": Route(),
    "imports:bonus_statements_export": Route(),
    # lead_a's background export, still queued: its page is his only, its file not ready yet (409).
    "imports:export": Route(scope="own_export"),
    "imports:export_file": Route(scope="own_export", ok=409),
    # Imports: whoever may create accounts; an empty upload is a 400, a file token he never previewed a 404.
    "imports:home": Route(scope="create"),
    "imports:preview": Route(method="post", scope="create", ok=400),
    "imports:commit": Route(method="post", scope="create", ok=404, data={"token": "0" * 32}),
    "imports:report": Route(scope="create", ok=404),
    "imports:batch": Route(scope="import_batch"),
    "imports:undo": Route(method="post", scope="import_undo", ok=302),
    "imports:progress": Route(scope="import_batch", ok=302),  # a finished import: on to its page
    "accounts:lookup": Route(),
    # The bulk bar: an empty post is a 400 for everyone; who may do what to each account: tests/accounts/test_bulk_*.
    "accounts:bulk": Route(method="post", ok=400),
    "accounts:bulk_receivers": Route(scope="create"),  # the handoff field's choices: whoever acts in bulk
    # Saved views: his own and those shared with him; an empty save is a 400 (tests/savedviews).
    "savedviews:manage": Route(),
    "savedviews:open": Route(ok=302),  # no view chosen: on to the list
    "savedviews:create": Route(method="post", ok=400),
    # lead_a's view shared with team A: he changes it, its readers (team A, sub-team A1) get 403, others 404.
    "savedviews:rename": Route(method="post", scope="saved_view", ok=302, data={"name": "Новое имя"}),
    "savedviews:share": Route(method="post", scope="saved_view", ok=302, data={"shared": "0"}),
    "savedviews:delete": Route(method="post", scope="saved_view", ok=302),
    # Writers only; no register key in the tests, so the feature is hidden (404): tests/accounts/test_company_register.py
    "accounts:inn_lookup": Route(scope="create", ok=404),
    "accounts:reassignments": Route(),
    "accounts:duplicates": Route(),  # groups among the accounts he sees: tests/accounts/test_duplicates.py
    # The merge page: who may change the account (the other one is checked by the merge: tests/accounts).
    "accounts:merge": Route(scope="account", need=CHANGE),
    "accounts:create": Route(scope="create"),
    "accounts:detail": Route(scope="account", need=VISIBLE),
    "accounts:history": Route(scope="account", need=VISIBLE),
    "accounts:ownership": Route(scope="account", need=VISIBLE),  # the card's "Team and ownership" tab
    "accounts:holding": Route(scope="account", need=VISIBLE, ok=302),  # standalone accounts: back to the card
    "accounts:edit": Route(scope="account", need=CHANGE),
    # A prospect cannot go dormant; acct_a1 is already am_a1's; no account of the world has a reassignment
    # to reverse: those who may act hear why (400) and nothing is written.
    "accounts:status": Route(
        method="post",
        scope="account",
        need=CHANGE,
        ok=302,
        data={"status": "dormant"},
        refused_on=frozenset({"prospect_s"}),
    ),
    "accounts:reassign": Route(
        method="post", scope="account", need=REASSIGN_TO_A1, ok=302, refused_on=frozenset({"acct_a1"})
    ),
    "accounts:card_form": Route(scope="account", need=CHANGE),  # the team form; the reassign one is below
    "accounts:team_add": Route(method="post", scope="account", need=CHANGE, ok=302),
    "accounts:team_end": Route(method="post", scope="team", need=CHANGE, ok=302),
    "accounts:reassign_reverse": Route(method="post", scope="account", need=REASSIGN, ok=400),
    "accounts:responsible_on": Route(scope="account", need=VISIBLE, data={"on": "2025-01-01"}),
    "accounts:archive": Route(method="post", scope="account", need=CHANGE, ok=302),
    "accounts:restore": Route(method="post", scope="account", need=CHANGE, ok=302),
    "accounts:contact_create": Route(scope="account", need=CHANGE),
    "handoffs:list": Route(),
    "handoffs:bulk": Route(scope="leads"),
    "handoffs:bulk_move": Route(scope="bulk_move"),  # lead_a's move: his, and the head's and admins'
    "handoffs:covers": Route(),
    "handoffs:cover_summary": Route(scope="cover"),
    "handoffs:cover_cancel": Route(method="post", scope="cover", ok=302),
    "handoffs:start": Route(scope="account", need=STEER),
    "handoffs:detail": Route(scope="handoff", need=VISIBLE),
    "handoffs:brief": Route(method="post", scope="handoff", need=STEER, ok=302),
    # The world's briefs are empty, its cancellations give no reason, its handoffs are not accepted: those who
    # may act get the refusal with its reason (400), the rest 403/404.
    "handoffs:step": Route(method="post", scope="handoff", need=STEER, ok=400),
    "handoffs:accept": Route(method="post", scope="handoff", need=NOBODY, ok=302),
    "handoffs:reject": Route(method="post", scope="handoff", need=NOBODY, ok=302),
    "handoffs:cancel": Route(method="post", scope="handoff", need=STEER, ok=400),
    "handoffs:checkup": Route(
        method="post", scope="handoff", need=REASSIGN, ok=400, data={"satisfied": "yes"}
    ),
    "accounts:contact_archive": Route(method="post", scope="contact", need=CHANGE, ok=302),
    "accounts:contact_restore": Route(method="post", scope="contact", need=CHANGE, ok=302),
    "accounts:contact_edit": Route(scope="contact", need=CHANGE),
    "activities:agenda": Route(),
    "activities:account_panel": Route(scope="account", need=VISIBLE),
    "activities:touch_log": Route(scope="account", need=CHANGE),
    "activities:touch_plan": Route(scope="account", need=CHANGE),
    "activities:touch_complete": Route(
        method="post", scope="touch", need=CHANGE, ok=302, data={"version": 1, "duration_minutes": 10}
    ),
    "activities:touch_cancel": Route(method="post", scope="touch", need=CHANGE, ok=302),
    "activities:task_create": Route(),
    "activities:touch_move": Route(
        method="post", scope="touch", need=CHANGE, ok=302, data={"version": 1, "planned_for": "2030-01-15"}
    ),
    "activities:tasks": Route(),
    "activities:week": Route(),
    "activities:task_complete": Route(method="post", scope="task", need=CHANGE, ok=302),
    "activities:cadence": Route(),
    "activities:cadence_toggle": Route(method="post", scope="head", ok=302),
    "activities:feed_create": Route(method="post", ok=302),
    "activities:feed_revoke": Route(method="post", ok=302),
    "activities:ical": Route(scope="public", ok=404),  # a wrong secret finds nothing, whoever asks
    "requests:list": Route(),
    "requests:create": Route(scope="create"),
    "requests:board": Route(),
    "requests:policies": Route(scope="head"),
    "requests:policy_edit": Route(scope="head"),
    "requests:account_panel": Route(scope="account", need=VISIBLE),
    "requests:detail": Route(scope="request", need=VISIBLE),
    "requests:edit": Route(scope="request", need=CHANGE),
    "requests:comment": Route(method="post", scope="request", need=CHANGE, ok=302, data={"text": "t"}),
    "requests:status": Route(
        method="post", scope="request", need=CHANGE, ok=302, data={"status": "in_progress"}
    ),
    "requests:assign": Route(method="post", scope="request", need=CHANGE, ok=302),
    # The board's drag (a plain form here, so a redirect back to the board; htmx gets the board: tests/requests).
    "requests:board_move": Route(
        method="post", scope="request", need=CHANGE, ok=302, data={"status": "in_progress"}
    ),
    "requests:attach": Route(method="post", scope="request", need=CHANGE, ok=302),
    "requests:download": Route(scope="attachment", need=VISIBLE),
    "notifications:list": Route(),
    "notifications:bell": Route(),
    "notifications:read_all": Route(method="post", ok=302),
    "notifications:preferences": Route(),
    "notifications:open": Route(scope="notification", ok=302),  # someone else's: 404 for everyone
    "notifications:read": Route(method="post", scope="notification", ok=302),
    "worktime:list": Route(scope="head"),
    "worktime:create": Route(scope="head"),
    "worktime:detail": Route(scope="head"),
    "worktime:edit": Route(scope="head"),
    "worktime:year_add": Route(method="post", scope="head", ok=302, data={"year": 2031}),
    "worktime:day": Route(method="post", scope="head", ok=302, data={"kind": "holiday", "note": "t"}),
    "worktime:day_remove": Route(method="post", scope="head", ok=302),
    # The revenue ledger's pages: reads follow visibility; the forms that write money only who may bill (the
    # account's changers, never the auditor); their POSTs are checked in tests/revenue/test_money_forms.py.
    "revenue:account_panel": Route(scope="account", need=VISIBLE),
    "revenue:holding": Route(scope="account", need=VISIBLE),  # standalone accounts: "not in a holding"
    "revenue:receivables": Route(),
    "growth:whitespace": Route(),
    # One click on a gap (a plain post: sent on to the opportunity); the auditor sees but does not sell.
    "growth:whitespace_open": Route(method="post", scope="account", need=CHANGE, ok=302),
    "revenue:invoices": Route(),
    "revenue:invoice": Route(scope="invoice", need=VISIBLE),
    "revenue:invoice_create": Route(scope="account", need=CHANGE),
    "revenue:payment_create": Route(scope="account", need=CHANGE),
    "revenue:credit_note_create": Route(scope="invoice", need=CHANGE),
    # Contracts and orders: read by whoever sees the account, written by whoever may bill it (not the auditor).
    "revenue:contract_create": Route(scope="account", need=CHANGE),
    "revenue:contract": Route(scope="contract", need=VISIBLE),
    "revenue:contract_edit": Route(scope="contract", need=CHANGE),
    # The world's contracts are active (nothing to activate) and open-ended (nothing to renew): 400 with why.
    "revenue:contract_activate": Route(method="post", scope="contract", need=CHANGE, ok=400),
    "revenue:contract_renew": Route(
        method="post", scope="contract", need=CHANGE, ok=400, data={"ends_on": "2031-12-31"}
    ),
    "revenue:contract_terminate": Route(
        method="post",
        scope="contract",
        need=CHANGE,
        ok=302,
        data={"terminated_on": "2030-01-01", "reason": "t"},
    ),
    # (The world's prospect is being handed over, no longer a prospect: it may place orders.)
    "revenue:order_create": Route(scope="account", need=CHANGE),
    "revenue:order": Route(scope="order", need=VISIBLE),
    "revenue:order_step": Route(method="post", scope="order", need=CHANGE, ok=302, data={"step": "confirm"}),
    # The world's orders are new: not invoiced before they are confirmed (400 with the reason).
    "revenue:order_invoice": Route(
        method="post", scope="order", need=CHANGE, ok=400, data={"issued_on": "2026-12-01"}
    ),
    # The sales pipeline: reads follow visibility; writes need `can_sell` (the account's changers and its team,
    # never the auditor). The move posts no stage here: those who may act hear what is missing (400).
    "growth:opportunities": Route(),
    "growth:board": Route(),
    "growth:forecast": Route(),
    "growth:opportunity_create": Route(scope="account", need=CHANGE),  # ?account=ID
    "growth:opportunity": Route(scope="opportunity", need=VISIBLE),
    "growth:opportunity_edit": Route(scope="opportunity", need=CHANGE),
    "growth:opportunity_move": Route(method="post", scope="opportunity", need=CHANGE, ok=400),
    "growth:home": Route(scope="public", ok=302),
    # The computation's pages: the runs for those who see every account, starting one and the settings for the
    # head and administrators.
    "analytics:runs": Route(scope="global"),
    "analytics:run": Route(scope="global_run"),
    "analytics:run_start": Route(method="post", scope="head", ok=302, data={"kind": "full"}),
    "analytics:settings": Route(scope="head"),  # /growth/: to the board, which asks to log in
    "growth:account_panel": Route(scope="account", need=VISIBLE),
    "growth:holding": Route(
        scope="account", need=VISIBLE
    ),  # standalone accounts: "not in a holding"  # the card's growth panel, all parts
    "growth:plans": Route(),  # everyone signed in: his own row, his people's, or everyone's
    "growth:plans_entry": Route(scope="leads"),  # the head, admins and team leads enter plans
    # Projects (growth): reads follow visibility; writes whoever may work the account (never the auditor). The
    # world's project is planned with one planned stage "Kick-off" (today to +7) and a work tomorrow.
    "growth:projects": Route(),
    "growth:my_calendar": Route(),
    "growth:project_start": Route(ok=400),  # without a won opportunity: refused with the way to start one
    "growth:project_start_account": Route(scope="account", need=CHANGE),
    "growth:account_calendar": Route(scope="account", need=VISIBLE),
    "growth:project": Route(scope="project", need=VISIBLE),
    "growth:project_calendar": Route(scope="project", need=VISIBLE),
    "growth:project_edit": Route(scope="project", need=CHANGE),
    "growth:project_cancel": Route(
        method="post", scope="project", need=CHANGE, ok=302, data={"reason": "Клиент передумал"}
    ),
    "growth:project_stage_add": Route(scope="project", need=CHANGE),
    "growth:work_add": Route(scope="project", need=CHANGE),
    "growth:project_stage_edit": Route(scope="project_stage", need=CHANGE),
    "growth:project_stage_start": Route(method="post", scope="project_stage", need=CHANGE, ok=302),
    # The stage is not in progress: refused with why.
    "growth:project_stage_finish": Route(method="post", scope="project_stage", need=CHANGE, ok=400),
    "growth:work_edit": Route(scope="work", need=CHANGE),
    # The work is tomorrow: it cannot be done yet.
    "growth:work_done": Route(method="post", scope="work", need=CHANGE, ok=400, data={"done": "1"}),
    "growth:work_remove": Route(method="post", scope="work", need=CHANGE, ok=302),
    # Analytics (issue 13): pages over the reader's own scope; the card's panel follows the account's visibility.
    "analytics:dashboard": Route(),
    "analytics:accounts": Route(),
    "analytics:rfm": Route(),
    "analytics:account_panel": Route(scope="account", need=VISIBLE),
    # Analytics, retention and key-account share: everyone signed in, over the accounts he sees.
    "analytics:retention": Route(),
    "analytics:shares": Route(),
    # Analytics, part B: the reactivation queue, the runs' changes and the day's block read what each one sees;
    # a case is given up (with a reason) by whoever may work its account.
    "analytics:reactivation": Route(),
    "analytics:changes": Route(),
    # Managers' KPIs (issue 14): the list shows each reader his own people; one person's page and the rows
    # behind his figures are 404 to whoever may not see him (PERSON_SEES); the head publishes the ranking.
    "managers": Route(scope="public", ok=302),  # the area's root: to the KPI page, which asks to log in
    "kpi:page": Route(),
    "kpi:person": Route(scope="person"),
    "kpi:drill": Route(scope="person"),
    "kpi:ranking": Route(),
    "kpi:ranking_publish": Route(method="post", scope="head", ok=302, data={"period": "2026-03"}),
    "analytics:day": Route(),
    "analytics:reactivation_lost": Route(
        method="post", scope="case", need=CHANGE, ok=302, data={"reason": "Ушли к конкуренту"}
    ),
    # Managers, staffing: the People and Org model tabs for everyone signed in (each reads his own scope); the
    # competency list for the head; a profile (am_a's here) read by the head, admins, his lead and himself, written
    # by the head, admins and his lead — never by himself (403), and a colleague finds nothing (404).
    "staffing:people": Route(),
    "staffing:org_model": Route(),
    "staffing:competencies": Route(scope="head"),
    "staffing:competency_edit": Route(scope="head"),
    "staffing:profile": Route(scope="profile"),
    "staffing:training_edit": Route(scope="profile_write"),
    "staffing:assess": Route(
        method="post", scope="profile_write", ok=302, data={"level": 3, "assessed_on": "2026-01-15"}
    ),
    "staffing:lead_assessment": Route(
        method="post",
        scope="profile_write",
        ok=302,
        data={"text": "Сильный переговорщик", "written_on": "2026-01-15"},
    ),
    "staffing:training_add": Route(
        method="post",
        scope="profile_write",
        ok=302,
        data={"course": "Переговоры", "started_on": "2026-01-10"},
    ),
    # Managers, workload: everyone signed in sees the load of the people he may see (himself, his people, all);
    # a person's page is am_a's here: he, his lead and the global readers; his settings: his lead and the head.
    "workload:index": Route(),
    "workload:norms": Route(),
    "workload:norms_edit": Route(
        method="post", scope="head", ok=302, data={"tier": "C", "touch_minutes": "25"}
    ),
    "workload:person": Route(scope="person"),
    "workload:person_settings": Route(
        method="post", scope="person_set", ok=302, data={"capacity_hours": "120", "hunting_percent": ""}
    ),
    "workload:rebalance": Route(scope="team_a"),  # lead_a's team: he, the head and the global readers
    # Bonuses (managers): the list (a seller who leads nobody is sent on to his own statement), am_a's statement
    # and its XLSX (he, his lead and those who see everyone; anyone else 404), the rules (everyone reads his
    # own), their edits and closing a month (the head and admins). The world has no closed month to reopen.
    "bonuses:statements": Route(scope="own_statement"),
    "bonuses:statement": Route(scope="person"),
    "bonuses:statement_export": Route(scope="person"),
    "bonuses:rules": Route(),
    "bonuses:rule_create": Route(scope="head"),
    "bonuses:rule_edit": Route(scope="head"),
    "bonuses:close": Route(method="post", scope="head", ok=302, data={"month": "2025-01"}),
    "bonuses:reopen": Route(method="post", scope="head", ok=400, data={"month": "2025-01", "reason": "t"}),
    # Personal data (orbit/privacy): whoever sees the contact sees its page and exports it (audited); those who
    # change the account record consents; the head and admins erase; the erasure audit is the global readers'.
    "privacy:contact": Route(scope="contact", need=VISIBLE),
    "privacy:export": Route(scope="contact", need=VISIBLE),
    "privacy:consent_add": Route(
        method="post",
        scope="contact",
        need=CHANGE,
        ok=302,
        data={"action": "withdrawn", "purpose": "Рассылка", "basis": "consent", "on_date": "2026-01-15"},
    ),
    "privacy:erase": Route(
        method="post",
        scope="contact",
        need=ERASE,
        ok=302,
        data={"reference": "№ 15 от 01.12.2026", "confirm": "on"},
    ),
    "privacy:erasures": Route(scope="global"),
    # Global search (orbit/search): every signed-in user; what it finds is scoped (tests/search).
    "search:page": Route(),
    "search:suggest": Route(),
}
# Who sets am_a's capacity (PERSON_SEES, in personas.py, see his workload); who sees team A's rebalancing.
PERSON_SETS = {"lead_a", "head", "admin"}
# Sellers who lead nobody: the bonuses list is their own statement.
OWN_STATEMENT_ONLY = {"am_a", "am_a1", "am_b", "sales"}


def _route_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in ("admin", "api"):  # admin: tested below; API: tests/api has its own matrix
                continue
            yield from _route_names(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_is_in_the_matrix():
    assert set(_route_names(get_resolver().url_patterns)) == set(ROUTES)


def _client(people, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


def _expected(route: Route, persona: str, target: str | None) -> int:
    if route.scope == "guest":
        return 200 if persona == "anonymous" else 302
    if persona == "anonymous" and route.scope != "public":
        return 302  # to the login page
    if route.scope == "create":
        return route.ok if persona in CREATE else 403
    if route.scope == "import_batch":  # the head's import: he and the other global readers
        return route.ok if persona in ("head", "admin", "auditor") else 404
    if route.scope == "import_undo":  # read by the global readers, undone by the head and admins
        return (
            404 if persona not in ("head", "admin", "auditor") else route.ok if persona != "auditor" else 403
        )
    if route.scope == "head":
        return route.ok if persona in ("head", "admin") else 403
    if route.scope == "cover":  # am_a's planned vacation: he, his lead and the global readers see it
        if persona not in COVER_SEES:
            return 404
        return route.ok if route.method == "get" or persona in COVER_ARRANGES else 403
    if route.scope == "bulk_move":
        return 200 if persona in ("lead_a", "head", "admin") else 404
    if route.scope == "own_export":
        return route.ok if persona == "lead_a" else 404
    if route.scope == "saved_view":
        return route.ok if persona == "lead_a" else 403 if persona in ("am_a", "am_a1") else 404
    if route.scope in ("profile", "profile_write"):
        if persona not in PROFILE_READERS:
            return 404
        return 403 if route.scope == "profile_write" and persona not in PROFILE_WRITERS else route.ok
    if route.scope in ("person", "team_a"):
        return route.ok if persona in PERSON_SEES - ({"am_a"} if route.scope == "team_a" else set()) else 404
    if route.scope == "person_set":
        if persona not in PERSON_SEES:
            return 404
        return route.ok if persona in PERSON_SETS else 403
    if route.scope in ("global", "global_run"):
        return route.ok if persona in ("head", "admin", "auditor") else 403
    if route.scope == "leads":
        return 200 if persona in ("head", "admin", "lead_a", "lead_b") else 403
    if route.scope == "own_statement":
        return 302 if persona in OWN_STATEMENT_ONLY else route.ok
    if route.scope in ACCOUNT_SCOPES:
        if target not in VISIBLE[persona]:
            return 404
        if target not in route.need.get(persona, set()):
            return 403
        return 400 if target in route.refused_on else route.ok
    return route.ok


WORKTIME_CALENDAR_ROUTES = (
    "worktime:detail",
    "worktime:edit",
    "worktime:year_add",
    "worktime:day",
    "worktime:day_remove",
)


def _competency():
    return Competency.objects.get_or_create(
        code="negotiation", defaults={"name_ru": "Переговоры", "name_en": "Negotiation"}
    )[0]


def _training(world):
    am_a = world.people["am_a"]
    return Training.objects.filter(person=am_a).first() or Training.objects.create(
        person=am_a, course="Переговоры", started_on="2026-01-10", created_by=world.people["head"]
    )


def _rule_version(world):
    from orbit.bonuses.models import RuleVersion

    found = RuleVersion.objects.order_by("pk").first()
    return found or RuleVersion.objects.create(
        valid_from=dt.date(2025, 1, 1), created_by=world.people["head"]
    )


def _request(world, name: str, persona: str, target: str | None):
    route = ROUTES[name]
    if route.scope == "handoff":
        args = [world.handoffs[target].pk] + (["brief"] if name == "handoffs:step" else [])
    elif route.scope in ("touch", "task"):
        args = [{"touch": world.touches, "task": world.tasks}[route.scope][target].pk]
    elif route.scope in ("request", "attachment"):
        args = [world.requests[target].pk] + (
            [world.attachments[target].pk] if route.scope == "attachment" else []
        )
    elif route.scope == "invoice":
        args = [world.ledger[target].invoice.pk]
    elif name == "requests:policy_edit":
        args = [SlaPolicy.objects.order_by("pk").first().pk]
    elif route.scope == "opportunity":
        args = [world.growth[target].opportunity.pk]
    elif route.scope == "case":
        args = [world.analytics[target].case.pk]
    elif name == "growth:opportunity_create":
        args = []
    elif route.scope in ("contract", "order"):
        args = [getattr(world.ledger[target], route.scope).pk]
    elif route.scope in ("project", "project_stage", "work"):
        args = [getattr(world.growth[target], route.scope).pk]
    elif route.scope in ACCOUNT_SCOPES:
        account = world.accounts[target]
        extra = {"contact": world.contacts, "team": world.members}.get(route.scope)
        args = [account.pk] if extra is None else [account.pk, extra[target].pk]
        if name == "accounts:card_form":
            args.append("team")
    elif route.scope == "cover":
        args = [world.cover.pk]
    elif name == "staffing:competency_edit":
        args = [_competency().pk]
    elif name == "staffing:training_edit":
        args = [_training(world).pk]
    elif route.scope in ("profile", "profile_write"):
        args = [world.people["am_a"].pk]
    elif route.scope == "person":
        args = [world.people["am_a"].pk] + (["invoices"] if name == "kpi:drill" else [])
    elif route.scope == "global_run":
        args = [next(iter(world.analytics.values())).run.pk]
    elif route.scope == "bulk_move":
        people = world.people
        args = [
            BulkMove.objects.create(
                created_by=people["lead_a"], manager=people["am_a"], reason="departure"
            ).pk
        ]
    elif name == "activities:cadence_toggle":
        cadence.ensure_defaults()  # the migration's rules; a browser test's flush may have emptied the table
        args = [CadencePolicy.objects.order_by("pk").first().pk]
    elif name in WORKTIME_CALENDAR_ROUTES:  # the default calendar; a day of an entered year
        args = [default_calendar().pk] + (["2026-11-24"] if name.startswith("worktime:day") else [])
    elif name == "imports:report":
        args = ["0" * 32]
    elif route.scope == "saved_view":
        view = SavedView.objects.filter(owner=world.people["lead_a"]).first() or SavedView.objects.create(
            owner=world.people["lead_a"], kind="accounts", name="Команда А", query="tier=A", shared=True
        )
        args = [view.pk]
    elif route.scope == "own_export":
        log = ExportLog.objects.create(
            by=world.people["lead_a"], list_name="accounts", format="csv", status="queued", background=True
        )
        args = [log.pk]
    elif name in ("imports:batch", "imports:undo", "imports:progress"):
        args = [
            ImportBatch.objects.create(
                kind="accounts", file_name="x.csv", status="committed", by=world.people["head"]
            ).pk
        ]
    elif route.scope == "person_set":
        args = [world.people["am_a"].pk]
    elif route.scope == "team_a":
        args = [world.people["lead_a"].team_id]
    elif name == "bonuses:rule_edit":
        args = [_rule_version(world).pk]
    elif name == "activities:ical":
        args = ["not-a-secret"]
    elif route.scope == "token":
        args = [world.tokens["am_b" if persona != "am_b" else "am_a"].pk]  # someone else's token: never found
    elif route.scope == "notification":  # someone else's notification: never found
        args = [world.notifications["am_b" if persona != "am_b" else "am_a"].pk]
    else:
        args = []
    data = dict(route.data)
    if name == "accounts:reassign":
        data = {"manager": world.people["am_a1"].pk, "reason": "reassignment"}
    if name == "growth:opportunity_create":
        data = {"account": world.accounts[target].pk}
    if name == "accounts:team_add":
        data = {"user": world.people["outsider"].pk, "role": TeamRole.PROJECT_MANAGER}
    if name == "staffing:assess":
        data["competency"] = _competency().pk
    if name == "growth:whitespace_open":
        data = {"line": ProductLine.objects.order_by("pk").first().pk}
    if name == "requests:attach":
        data = {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 test")}
    client = _client(world.people, persona)
    with transaction.atomic():  # each request sees the same world: what a POST changed is rolled back
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, route.method)(reverse(name, args=args), data)
        transaction.set_rollback(True)
    response.writes = _writes(queries.captured_queries)
    return response


# Tables a request writes whatever it does: the session and the login guard.
BOOKKEEPING = ("django_session", "axes_")
# POST routes whose allowed answer may change nothing in the domain (signing out only ends the session).
WRITE_FREE = {"logout"}
# Known dishonest answers, to be made 4xx (issue 10, "every write honest"): with the matrix's data these writes
# are impossible (nothing to reverse or restore, a prospect's status, a step without its fields, a day not
# entered...) and the view answers 302 with an error message instead of a 4xx. Each removal from this list is
# a route fixed; a new route is checked by default.
REDIRECTS_WITHOUT_WRITING = {
    # Idempotent: restoring what is not archived, or putting a calendar day back to the weekly rule when it
    # follows it already, leaves nothing to do; the answer is the page as it is.
    "accounts:restore",
    "accounts:contact_restore",
    "worktime:day_remove",
    # The world's request already has this executor.
    "requests:assign",
}
_WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?([\w]+)"?', re.IGNORECASE)


def _writes(captured) -> list[str]:
    """The domain tables written by a request (bookkeeping left out)."""
    tables = []
    for query in captured:
        match = _WRITE.match(query["sql"])
        if match and not match.group(2).startswith(BOOKKEEPING):
            tables.append(match.group(2))
    return tables


@pytest.mark.parametrize("name", list(ROUTES))
def test_route_answers_each_persona_as_the_rules_say(world, name):
    route = ROUTES[name]
    targets = ACCOUNTS if route.scope in ACCOUNT_SCOPES else [None]
    wrong = []
    for persona in PERSONAS:
        for target in targets:
            if route.scope in ("token", "notification") and persona != "anonymous":
                expected = 404
            else:
                expected = _expected(route, persona, target)
            response = _request(world, name, persona, target)
            if response.status_code != expected:
                wrong.append(f"{persona} on {target}: {response.status_code}, expected {expected}")
            elif route.method == "post" and expected >= 400 and response.writes:
                wrong.append(f"{persona} on {target}: refused ({expected}) but wrote {response.writes}")
            elif (
                route.method == "post"
                and expected < 400
                and persona != "anonymous"
                and name not in WRITE_FREE | REDIRECTS_WITHOUT_WRITING
                and not response.writes
            ):
                wrong.append(f"{persona} on {target}: answered {expected} but changed nothing")
            elif (
                expected == 302
                and persona == "anonymous"
                and route.scope != "public"
                and not response.url.startswith(reverse("login"))
            ):
                wrong.append(f"anonymous sent to {response.url}, not to the login page")
    assert not wrong, f"{route.method.upper()} {name}: " + "; ".join(wrong)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_lists_counts_search_and_filters_leak_nothing(world, persona):
    people, accounts = world.people, world.accounts
    client = _client(people, persona)
    visible = VISIBLE[persona]
    response = client.get(reverse("accounts:list"))
    assert response.context["page"].paginator.count == len(visible)
    assert {a.pk for a in response.context["page"].object_list} == {accounts[k].pk for k in visible}
    for key, account in accounts.items():
        shown = key in visible
        by_inn = client.get(reverse("accounts:list"), {"q": account.inn})
        assert by_inn.context["page"].paginator.count == int(shown), (persona, key)
        by_manager = client.get(
            reverse("accounts:list"), {"manager": account.responsible_manager_id or 0, "sort": "-manager"}
        )
        assert account.pk not in {a.pk for a in by_manager.context["page"].object_list} or shown
        lookup = client.get(reverse("accounts:lookup"), {"q": account.inn}).content.decode()
        assert (f'data-pick-id="{account.pk}"' in lookup) == shown, (persona, key)
    export = client.get(reverse("imports:accounts_export"), {"format": "csv"})
    exported = b"".join(export.streaming_content).decode("utf-8-sig")
    assert {k for k, a in accounts.items() if a.inn in exported} == set(visible), persona
    export = client.get(reverse("imports:requests_export"), {"format": "csv"})
    numbers = {
        line.split(";", 1)[0] for line in b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    }
    assert {k for k, r in world.requests.items() if str(r.pk) in numbers} == set(visible) & set(
        world.requests
    )
    # The accounts' contacts, opportunities and invoice lines: the rows of the accounts he sees, of no other.
    for name in ("contacts", "opportunities", "invoice_lines"):
        export = client.get(reverse(f"imports:{name}_export"), {"format": "csv"})
        exported = b"".join(export.streaming_content).decode("utf-8-sig")
        assert {k for k, a in accounts.items() if a.inn in exported} == set(visible), (persona, name)


def test_holding_tree_shows_only_visible_members(world, client):
    people, accounts = world.people, world.accounts
    holding = accounts["acct_a"]
    for key in ("acct_a1", "acct_b"):
        services.account_update(by=people["head"], account=accounts[key], version=None, parent=holding)
    client.force_login(people["am_a1"])
    # The holding is on the card's "Team and ownership" tab.
    response = client.get(reverse("accounts:ownership", args=[accounts["acct_a1"].pk]))
    assert response.context["holding"] is None  # the parent is not his: he sees no tree, not even its name
    client.force_login(people["lead_a"])
    tree = client.get(reverse("accounts:ownership", args=[holding.pk])).context["holding"]
    assert [child.account.pk for child in tree.children] == [accounts["acct_a1"].pk]


def test_admin_site_is_closed_to_non_staff(world):
    people = world.people
    for persona in ("head", "am_a", "auditor"):
        response = _client(people, persona).get(reverse("admin:accounts_account_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.parametrize("persona", ["head", "am_a", "am_b"])
def test_archive_lists_only_visible_archived_accounts(world, persona):
    people, accounts = world.people, world.accounts
    services.account_archive(by=people["head"], account=accounts["acct_a"])
    client = _client(people, persona)
    live = client.get(reverse("accounts:list")).context["page"]
    archive = client.get(reverse("accounts:list"), {"archived": "1"}).context["page"]
    assert accounts["acct_a"].pk not in {a.pk for a in live.object_list}
    assert [a.pk for a in archive.object_list] == (
        [accounts["acct_a"].pk] if "acct_a" in VISIBLE[persona] else []
    )
