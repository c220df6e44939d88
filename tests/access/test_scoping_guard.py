"""Account scoping is declared, not remembered (issue 10).

1. Every concrete model with a path to `Account` (found in the app registry, so a model added by a coming issue
   is found too) declares how it is read for a user: `objects = AccountScopedManager("<path>")`
   (`orbit/access/querysets.py`), or is listed in NOT_READ_FOR_USERS with the reason.
2. `Model.objects.visible_to(persona)` returns, for every persona of the access matrices, exactly the rows of
   the accounts he sees — nothing of the others' data.
3. No selector, view, API router, feed or timeline reads an account-linked model except through `visible_to`,
   or at a place listed in ALLOWED_READS with the reason (e.g. a prefetch under a row already read through
   `visible_to`, or a read of one account the caller already checked).
"""

import ast
import pathlib

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from orbit.access.querysets import account_path
from orbit.accounts.models import Account
from orbit.handoffs.models import Cover
from orbit.notifications.models import Notification
from orbit.org.models import User
from orbit.requests.models import RequestComment
from tests.access.personas import PERSONAS, VISIBLE

ORBIT = pathlib.Path(__file__).resolve().parents[2] / "orbit"

# Models with a path to Account that are never read for a user on their own, and why.
HISTORY = (
    "field-level history (django-simple-history): read only for one object already read through visible_to"
)
THROUGH = "an automatic many-to-many table: read only through its owner, itself read through visible_to"
NOT_READ_FOR_USERS = {
    "accounts.HistoricalAccount": HISTORY,
    "accounts.HistoricalContact": HISTORY,
    "activities.HistoricalTouch": HISTORY,
    "activities.HistoricalTouch_contacts": HISTORY,
    "activities.HistoricalTask": HISTORY,
    "handoffs.HistoricalHandoff": HISTORY,
    "handoffs.HistoricalCover_accounts": HISTORY,
    "requests.HistoricalRequest": HISTORY,
    "activities.Touch_contacts": THROUGH,
    "handoffs.Cover_accounts": THROUGH,
}

# Declared models whose visible_to is about people rather than accounts (checked on their own below).
PEOPLE_SCOPED = {"handoffs.Cover", "notifications.Notification"}


def reaches(model, target, depth: int) -> bool:
    """Does `model` lead to `target` through foreign keys, one-to-ones or many-to-manys within `depth` steps?"""
    frontier, seen = [model], {model}
    for _level in range(depth):
        following = []
        for current in frontier:
            if current is target:
                return True
            for field in current._meta.get_fields():
                if not field.is_relation or field.auto_created or field.related_model is None:
                    continue
                if not (field.many_to_one or field.one_to_one or field.many_to_many):
                    continue
                if field.related_model is target:
                    return True
                if field.related_model not in seen:
                    seen.add(field.related_model)
                    following.append(field.related_model)
        frontier = following
    return False


def account_linked_models() -> list:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.abstract and not model._meta.proxy and reaches(model, Account, depth=4)
    ]


def _declared() -> list:
    return [m for m in account_linked_models() if m._meta.label not in NOT_READ_FOR_USERS]


def _resolves_to_account(model, path: str) -> bool:
    current = model
    for name in filter(None, path.split("__")):
        current = current._meta.get_field(name).related_model
        if current is None:
            return False
    return current is Account


def test_every_account_linked_model_declares_its_scoping():
    found = {m._meta.label: m for m in account_linked_models()}
    # The registry is what finds them: the list below only documents today's set.
    assert {"accounts.Contact", "activities.Touch", "requests.Attachment", "handoffs.HandoffStep"} <= set(
        found
    )
    undeclared = [
        label
        for label, model in found.items()
        if label not in NOT_READ_FOR_USERS and account_path(model) is None
    ]
    assert not undeclared, (
        f"{undeclared} belong to an account but declare no scoping: give them "
        '`objects = AccountScopedManager("<path to the account>")` (orbit/access/querysets.py)'
    )
    stale = set(NOT_READ_FOR_USERS) - set(found)
    assert not stale, f"{stale} are listed in NOT_READ_FOR_USERS but no longer belong to an account"
    wrong = [
        label
        for label, model in found.items()
        if label not in NOT_READ_FOR_USERS and not _resolves_to_account(model, account_path(model))
    ]
    assert not wrong, f"{wrong}: the declared path does not lead to Account"


def _persona(org, name):
    if name == "anonymous":
        return AnonymousUser()
    return User.objects.get(pk=getattr(org, name).pk)  # fresh: no access context cached before the world


@pytest.fixture
def world_with_comments(world, org):
    for request in world.requests.values():
        RequestComment.objects.create(request=request, author=org.head, text="t")
    return world


@pytest.mark.parametrize("name", PERSONAS)
def test_visible_to_returns_exactly_the_rows_of_the_accounts_he_sees(org, world_with_comments, name):
    world = world_with_comments
    persona = _persona(org, name)
    seen_accounts = {world.accounts[key].pk for key in VISIBLE[name]}
    for model in _declared():
        label = model._meta.label
        if label in PEOPLE_SCOPED:
            continue
        path = account_path(model)
        column = f"{path}__id" if path else "id"
        everywhere = set(model._default_manager.values_list(column, flat=True))
        assert {a.pk for a in world.accounts.values()} <= everywhere, (
            f"the world of tests/access/conftest.py has no {label} on every account: add them, so that this "
            "test checks its scoping"
        )
        got = set(model._default_manager.visible_to(persona).values_list(column, flat=True))
        assert got == seen_accounts & everywhere, f"{label}.objects.visible_to({name})"


@pytest.mark.parametrize("name", PERSONAS)
def test_people_scoped_models_show_nothing_of_the_others(org, world, name):
    persona = _persona(org, name)
    notifications = set(Notification.objects.visible_to(persona).values_list("recipient_id", flat=True))
    assert notifications <= ({persona.pk} if name != "anonymous" else set())
    covers = set(Cover.objects.visible_to(persona).values_list("pk", flat=True))
    concerned = {
        "head",
        "admin",
        "auditor",
        "lead_a",
        "am_a",
    }  # the manager away, his lead, those who see all
    assert covers == ({world.cover.pk} if name in concerned else set()), name


def test_a_notification_about_an_account_he_no_longer_sees_is_hidden(org, world):
    hidden = Notification.objects.create(
        recipient=org.am_b, kind="task_due", title="ООО «Альфа»", account=world.accounts["acct_a"]
    )
    shown = Notification.objects.create(
        recipient=org.am_b, kind="task_due", title="ООО «Бета»", account=world.accounts["acct_b"]
    )
    ids = set(Notification.objects.visible_to(_persona(org, "am_b")).values_list("pk", flat=True))
    assert shown.pk in ids and hidden.pk not in ids


def test_a_task_without_an_account_is_private_to_its_assignee_and_author(org):
    from orbit.activities.models import Task

    task = Task.objects.create(
        title="t", assignee=org.am_a, due_on=timezone.localdate(), created_by=org.lead_a
    )
    other = Task.objects.create(
        title="t", assignee=org.am_b, due_on=timezone.localdate(), created_by=org.am_b
    )
    for name in ("lead_b", "lead_a", "head", "auditor"):  # private: not his lead's, not the head's
        assert not Task.objects.visible_to(_persona(org, name)).filter(pk=other.pk).exists(), name
    for name, sees in (
        ("am_a", True),
        ("lead_a", True),
        ("am_b", False),
        ("head", False),
        ("outsider", False),
    ):
        assert Task.objects.visible_to(_persona(org, name)).filter(pk=task.pk).exists() is sees, name


# --- the static part: reads go through visible_to --------------------------------------------------------------

# Files that read for a user: selectors, views, API routers, the iCal feed, timelines and the account history.
READERS = ("selectors.py", "views.py", "ical.py", "timeline.py", "history.py", "covers.py", "exports.py")
# Read-side modules named after what they compute (growth's pipeline figures, whitespace, plan vs fact).
READERS += ("pipeline.py", "whitespace.py", "plan_fact.py", "logged.py")
# Managers, staffing: the hybrids' time split and the hunter-or-farmer what-if.
READERS += ("time_split.py", "what_if.py")
# The managers' KPIs (issue 14): every manager's figures (the peers' medians need all of them) and the rows behind
# one person's figures.
READERS += ("portfolio.py", "drilldown.py")
# Managers, workload: month-end portfolios, norms, demand, capacity and rebalancing read in modules so named.
READERS += ("portfolio.py", "norms.py", "demand.py", "capacity.py", "rebalance.py")
# Bonus statements (issue 14): people-scoped, like plan vs fact.
READERS += ("statements.py",)
# An area split in parts reads in `selectors_<part>.py` / `views_<part>.py` (revenue's deals, growth's projects).
READER_PREFIXES = ("selectors_", "views_")

ON_ONE_ACCOUNT = "reads one account the caller already read through account_get/visible_to"
UNDER_A_SCOPED_ROW = "a prefetch or correlated subquery under rows already read through visible_to"
PUSHED_BEFORE = (
    "a pushed external id is unique across all accounts: the id of the document it names tells whether this call "
    "wrote it; the document is shown (a 409's `current`) only when document_json reads it through visible_to"
)
PEOPLE_FIGURES = (
    "people-scoped figures (docs/growth-plans.md): totals of the documents recorded on the people the user may "
    "see — a document keeps the manager of its date, so a handoff does not take a manager's month from him — "
    "never a document"
)
# Classifying the hours of the people the user may see: facts about the accounts they logged on, used only to
# sort those hours into hunting or serving; only totals per person and month leave the module.
HOURS_CLASSIFIED = (
    "classifies the logged hours of the people the user may see (people-scoped like plan vs fact): the accounts' "
    "status, first invoice month and new-business opportunities decide hunting or serving; only totals per "
    "person and month leave the module, never an account"
)
KPI_FIGURES = (
    "the managers' KPIs (docs/managers-kpi.md): every manager's totals, computed for all of them because each is "
    "compared with the median of his peers; only the totals of the people the reader may see (visible_people) "
    "and the peers' medians and quartiles leave orbit/kpi/portfolio.py, never a document"
)
KPI_ROWS = (
    "the rows behind one person's KPI figure: the view answers 404 unless the reader may see that person "
    "(may_see_person: himself, his lead, the head); the rows are the documents recorded on him, which make "
    "his figure (a document keeps the manager of its date, so a handoff does not change his month)"
)
WORKLOAD_FIGURES = (
    "people-scoped figures: accounts held at month ends counted per person and tier for the people the caller "
    "may see (plan_fact.visible_people), never an account"
)
WORKLOAD_HELD = (
    "the accounts a person held at a month's end, returned as a queryset that selectors.accounts_behind reads "
    "through Account.objects.visible_to (it only counts the rest)"
)
WORKLOAD_NORMS = (
    "the department's norms: minutes, touches and requests summed per tier over every account, the same for "
    "everyone (a rule people are judged by), never a row"
)
WORKLOAD_COVERS = (
    "the covers of the people whose load is shown (people-scoped) and the tiers of their covered accounts, "
    "counted: hours, never an account"
)
BONUS_STATEMENTS = (
    "people-scoped bonus statements (docs/managers-bonuses.md): the payments and handoffs of the "
    "people the user may see (statements_for/statement_for check visible_people first); a manager's statement "
    "lists the documents his pay is made of, also on accounts that have moved on since"
)
# (file under orbit/, function, model) -> why this read needs no visible_to.
ALLOWED_READS = {
    ("accounts/selectors.py", "attach_pulse", "AccountPulse"): (
        "the pulse rows of a page of accounts the caller read through visible_accounts (account_list)"
    ),
    ("privacy/selectors.py", "personal_data", "Contact"): (
        "the change history of one contact the caller already read through visible_to (contact_get)"
    ),
    ("kpi/drilldown.py", "cases", "ReactivationCase"): KPI_ROWS,
    ("kpi/drilldown.py", "invoices", "Invoice"): KPI_ROWS,
    ("kpi/drilldown.py", "payments", "PaymentAllocation"): KPI_ROWS,
    ("kpi/drilldown.py", "requests", "Request"): KPI_ROWS,
    ("kpi/portfolio.py", "_kinds", "Invoice"): KPI_FIGURES,
    ("kpi/portfolio.py", "_ltv", "AccountMetrics"): KPI_FIGURES,
    ("kpi/portfolio.py", "_reactivations", "ReactivationCase"): KPI_FIGURES,
    ("kpi/portfolio.py", "_revenue", "Invoice"): KPI_FIGURES,
    ("kpi/portfolio.py", "_revenue", "PaymentAllocation"): KPI_FIGURES,
    ("kpi/portfolio.py", "_sla", "Request"): KPI_FIGURES,
    ("kpi/portfolio.py", "portfolio_accounts", "Account"): KPI_FIGURES
    + "; the cadence drill-down: "
    + KPI_ROWS,
    ("kpi/portfolio.py", "responsible_at", "OwnershipPeriod"): UNDER_A_SCOPED_ROW,
    ("kpi/portfolio.py", "with_cadence", "Touch"): UNDER_A_SCOPED_ROW,
    ("staffing/time_split.py", "first_invoice_months", "Invoice"): HOURS_CLASSIFIED,
    ("staffing/time_split.py", "account_facts", "Account"): HOURS_CLASSIFIED,
    ("staffing/time_split.py", "account_facts", "Opportunity"): HOURS_CLASSIFIED,
    ("accounts/selectors.py", "account_card", "Contact"): UNDER_A_SCOPED_ROW,
    ("accounts/selectors.py", "account_ownership", "AccountTeamMember"): UNDER_A_SCOPED_ROW,
    ("accounts/selectors.py", "account_ownership", "OwnershipPeriod"): UNDER_A_SCOPED_ROW,
    ("accounts/selectors.py", "account_card", "Handoff"): UNDER_A_SCOPED_ROW,
    ("accounts/selectors.py", "reassignments", "OwnershipPeriod"): UNDER_A_SCOPED_ROW,
    ("accounts/selectors.py", "holding_matrix", "Touch"): UNDER_A_SCOPED_ROW,
    ("accounts/selectors.py", "holding_matrix", "Request"): UNDER_A_SCOPED_ROW,
    ("accounts/selectors.py", "holding_matrix", "AccountTeamMember"): (
        "the seats of the holding's accounts, whose ids come from the visible_to read just above"
    ),
    ("handoffs/selectors.py", "handoff_get", "HandoffStep"): UNDER_A_SCOPED_ROW,
    ("requests/selectors.py", "request_get", "RequestComment"): UNDER_A_SCOPED_ROW,
    ("requests/selectors.py", "request_get", "Attachment"): UNDER_A_SCOPED_ROW,
    ("api/activities.py", "_touches", "Contact"): UNDER_A_SCOPED_ROW,
    ("api/activities.py", "task_create", "Contact"): "Contact.objects.none(): reads nothing",
    ("growth/selectors_projects.py", "project_list", "ProjectStage"): UNDER_A_SCOPED_ROW,
    ("growth/selectors_projects.py", "project_get", "ProjectStage"): UNDER_A_SCOPED_ROW,
    ("growth/selectors_projects.py", "project_get", "PlannedWork"): UNDER_A_SCOPED_ROW,
    ("growth/selectors_projects.py", "account_projects", "ProjectStage"): UNDER_A_SCOPED_ROW,
    ("growth/selectors_projects.py", "account_projects", "PlannedWork"): UNDER_A_SCOPED_ROW,
    ("growth/selectors_projects.py", "won_without_project", "Project"): UNDER_A_SCOPED_ROW,
    ("bonuses/statements.py", "_hunter_windows", "Handoff"): BONUS_STATEMENTS,
    ("bonuses/statements.py", "compute_open", "Handoff"): BONUS_STATEMENTS,
    ("bonuses/statements.py", "compute_open", "Invoice"): BONUS_STATEMENTS,
    ("bonuses/statements.py", "compute_open", "PaymentAllocation"): BONUS_STATEMENTS,
    ("growth/plan_fact.py", "invoices_recorded_on", "Invoice"): PEOPLE_FIGURES,
    ("growth/plan_fact.py", "_allocations_recorded_on", "PaymentAllocation"): PEOPLE_FIGURES,
    # The one definition of logged work, summed per person (logged_minutes) or per responsible manager for the
    # KPIs (kpi/portfolio.py logged_entries, which also lists the hours drill-down's rows).
    ("worktime/logged.py", "entries", "Touch"): PEOPLE_FIGURES + "; " + KPI_FIGURES + "; " + KPI_ROWS,
    ("worktime/logged.py", "entries", "RequestComment"): PEOPLE_FIGURES
    + "; "
    + KPI_FIGURES
    + "; "
    + KPI_ROWS,
    ("growth/whitespace.py", "whitespace_accounts", "AccountRevenueMonth"): UNDER_A_SCOPED_ROW,
    ("growth/whitespace.py", "open_gap_opportunity", "Account"): (
        "a write (the service checked permission first): the account row locked so two clicks open one"
    ),
    # Found when the guard began to read the part modules (selectors_<part>.py) too.
    ("revenue/selectors_deals.py", "order_get", "OrderLine"): UNDER_A_SCOPED_ROW,
    ("revenue/selectors_deals.py", "order_get", "Invoice"): UNDER_A_SCOPED_ROW,
    ("revenue/selectors_deals.py", "account_contracts", "Contract"): ON_ONE_ACCOUNT,
    ("api/growth_projects.py", "project_detail_of", "ProjectStage"): UNDER_A_SCOPED_ROW,
    ("api/growth_projects.py", "project_detail_of", "PlannedWork"): UNDER_A_SCOPED_ROW,
    ("api/revenue.py", "_invoice_detail", "Invoice"): UNDER_A_SCOPED_ROW,  # the credit notes of the invoice
    ("api/revenue.py", "_invoice_detail", "InvoiceLine"): UNDER_A_SCOPED_ROW,
    ("api/revenue.py", "_invoice_detail", "PaymentAllocation"): UNDER_A_SCOPED_ROW,
    ("api/revenue.py", "_payments", "PaymentAllocation"): UNDER_A_SCOPED_ROW,
    ("api/revenue.py", "invoice_create", "Invoice"): PUSHED_BEFORE,
    ("api/revenue.py", "credit_note_create", "Invoice"): PUSHED_BEFORE,
    ("api/revenue.py", "payment_create", "Payment"): PUSHED_BEFORE,
    ("accounts/history.py", "account_timeline", "Account"): ON_ONE_ACCOUNT,
    ("accounts/history.py", "account_timeline", "Contact"): ON_ONE_ACCOUNT,
    ("accounts/history.py", "account_timeline", "OwnershipPeriod"): ON_ONE_ACCOUNT,
    ("activities/selectors.py", "account_touches", "Touch"): ON_ONE_ACCOUNT,
    ("activities/selectors.py", "account_open_tasks", "Task"): ON_ONE_ACCOUNT,
    ("activities/selectors.py", "account_touch_facts", "Touch"): ON_ONE_ACCOUNT,  # the card header's facts
    ("requests/selectors.py", "account_request_facts", "Request"): ON_ONE_ACCOUNT,
    ("activities/timeline.py", "touch_events", "Touch"): ON_ONE_ACCOUNT,
    ("requests/timeline.py", "request_events", "Request"): ON_ONE_ACCOUNT,
    ("handoffs/timeline.py", "handoff_events", "Handoff"): ON_ONE_ACCOUNT,
    ("analytics/timeline.py", "analytics_events", "SegmentChange"): ON_ONE_ACCOUNT,
    ("analytics/timeline.py", "analytics_events", "ReactivationCase"): ON_ONE_ACCOUNT,
    ("handoffs/timeline.py", "_deciders", "Handoff"): "the history of handoffs handoff_events just read",
    (
        "handoffs/covers.py",
        "cover_create",
        "Cover",
    ): "a write (the service checked permission): overlap check",
    (
        "handoffs/covers.py",
        "covered_accounts",
        "Account",
    ): "the accounts of a cover the caller read through visible_to",
    (
        "handoffs/covers.py",
        "cover_summary",
        "Account",
    ): "the deputy's changes on a cover read through visible_to",
    # Managers, workload (docs/managers-workload.md): people-scoped figures — counts of accounts per person and
    # tier, hours per tier — for the people the caller may see (plan_fact.visible_people), never an account.
    ("workload/portfolio.py", "_ended", "OwnershipPeriod"): WORKLOAD_FIGURES,
    ("workload/portfolio.py", "_open_counts", "OwnershipPeriod"): WORKLOAD_FIGURES,
    ("workload/portfolio.py", "_ended_cached", "OwnershipPeriod"): (
        "the ledger's latest period id, the key of the cached counts: a number, never a row"
    ),
    ("workload/portfolio.py", "held_accounts", "OwnershipPeriod"): WORKLOAD_HELD,
    ("workload/portfolio.py", "held_accounts", "Account"): WORKLOAD_HELD,
    ("workload/norms.py", "history", "Account"): WORKLOAD_NORMS,
    ("workload/norms.py", "history", "Touch"): WORKLOAD_NORMS,
    ("workload/norms.py", "history", "Request"): WORKLOAD_NORMS,
    ("workload/norms.py", "history", "RequestComment"): WORKLOAD_NORMS,
    ("workload/capacity.py", "covers_in", "Cover"): WORKLOAD_COVERS,
    ("workload/demand.py", "cover_shifts", "Account"): WORKLOAD_COVERS,
    ("workload/rebalance.py", "propose", "Handoff"): UNDER_A_SCOPED_ROW,
}


def _reader_files() -> list[pathlib.Path]:
    return sorted(
        path
        for path in ORBIT.rglob("*.py")
        if "migrations" not in path.parts
        and (path.name in READERS or path.name.startswith(READER_PREFIXES) or path.parent.name == "api")
    )


def unscoped_reads() -> set[tuple[str, str, str]]:
    names = {m.__name__ for m in account_linked_models()}
    found = set()
    for path in _reader_files():
        tree = ast.parse(path.read_text())
        owner = {}
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    owner.setdefault(id(node), function.name)
        for node in ast.walk(tree):
            # Model.objects.<method>, Model.history.<method>, Model._default_manager.<method>
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id in names
                and node.value.attr in ("objects", "history", "_default_manager")
                and node.attr != "visible_to"
            ):
                where = str(path.relative_to(ORBIT))
                found.add((where, owner.get(id(node), "<module>"), node.value.value.id))
    return found


def test_reads_of_account_linked_models_go_through_visible_to():
    reads = unscoped_reads()
    unexplained = sorted(reads - set(ALLOWED_READS))
    assert not unexplained, (
        f"{unexplained}: read through `Model.objects.visible_to(user)`, or add the place to ALLOWED_READS "
        "with the reason it needs no scoping"
    )
    stale = sorted(set(ALLOWED_READS) - reads)
    assert not stale, f"{stale} are allowed in ALLOWED_READS but no longer read there: remove them"


def test_the_static_check_finds_an_unscoped_read(tmp_path, monkeypatch):
    """The check itself: a selector reading touches by owner is caught."""
    module = ORBIT / "activities" / "selectors.py"
    source = module.read_text() + "\n\ndef leak(user):\n    return Touch.objects.filter(owner=user)\n"
    original = pathlib.Path.read_text
    monkeypatch.setattr(
        pathlib.Path, "read_text", lambda self, *a, **k: source if self == module else original(self, *a, **k)
    )
    assert ("activities/selectors.py", "leak", "Touch") in unscoped_reads()
