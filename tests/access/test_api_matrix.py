"""Role × API route matrix: every operation in the OpenAPI schema, every persona, every kind of account.

Operations are read from the schema, so a new endpoint without an entry in OPERATIONS fails
`test_every_api_operation_is_in_the_matrix`. Callers use their own API tokens, as a script would.
"""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from orbit.api.models import ApiToken
from orbit.api.router import api
from orbit.growth.models import ProjectStage, Stage
from orbit.revenue.models import Payment
from tests.access.personas import ACCOUNTS, CHANGE, CREATE, PERSONAS, VISIBLE

# (method, path) -> (scope, body). Scopes: "any" — every caller 200; "account"/"contact"/"touch"/"task"/
# "request"/"invoice"/"payment" — 404 when the account is not visible, else the read answers 200 and a write
# answers per CHANGE; "task-create" — the account is an id in the payload: refused at its field (422) when not
# visible; "bill"/"invoice-bill"/"payment-bill" — money written on an account (in the payload, or the invoice's
# or payment's): 404 when not visible, 403 unless CHANGE (can_bill), else 201;
# "admin-only" — reference data only an administrator loads.
IN_TWO_DAYS = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
TODAY = timezone.localdate().isoformat()
LISTS = {
    "list",
    "contacts",
    "touches",
    "tasks",
    "requests",
    "invoices",
    "payments",
    "opportunities",
    "projects",
    "analytics-accounts",
    "cases",
    "changes",
}  # 200 for all; counts one row per visible account
READS = {"account", "contact", "touch", "task", "request", "invoice", "payment", "opportunity", "project"}
CREATES = {"account-create", "request-create", "task-create", "project-create"}
BILLS = {"bill", "invoice-bill", "payment-bill"}
FREE_LINE = {"description": "Услуги", "unit_price": "100,00", "vat_category": "exempt"}
OPERATIONS = {
    ("get", "/api/accounts"): ("list", None),
    ("post", "/api/accounts"): (
        "create",
        {"legal_name": "ООО «Новый»", "inn": "7736207543", "kpp": "770401001"},
    ),
    ("get", "/api/accounts/{account_id}"): ("account", None),
    ("patch", "/api/accounts/{account_id}"): ("account-write", {"goals": "Расти"}),
    ("get", "/api/accounts/{account_id}/ownership"): ("account", None),
    ("get", "/api/accounts/{account_id}/responsible"): ("account", None),
    ("post", "/api/accounts/{account_id}/contacts"): ("account-create", {"full_name": "Новый контакт"}),
    ("get", "/api/contacts"): ("contacts", None),
    ("get", "/api/contacts/{contact_id}"): ("contact", None),
    ("get", "/api/contacts/{contact_id}/personal-data"): ("contact", None),  # orbit/privacy, audited
    ("patch", "/api/contacts/{contact_id}"): ("contact-write", {"position": "Директор"}),
    ("get", "/api/auth/me"): ("any", None),
    ("get", "/api/auth/tokens"): ("any", None),
    ("post", "/api/auth/tokens"): ("session-only", {"name": "скрипт"}),
    ("delete", "/api/auth/tokens/{token_id}"): ("foreign-token", None),
    ("get", "/api/touches"): ("touches", None),
    ("get", "/api/touches/{touch_id}"): ("touch", None),
    ("post", "/api/accounts/{account_id}/touches"): (
        "account-create",
        {"kind": "call", "duration_minutes": 15, "outcome": "Договорились о встрече"},
    ),
    ("post", "/api/accounts/{account_id}/touches/planned"): ("account-create", {"planned_for": IN_TWO_DAYS}),
    ("post", "/api/touches/{touch_id}/complete"): ("touch-write", {"duration_minutes": 10}),
    ("post", "/api/touches/{touch_id}/cancel"): ("touch-write", None),
    ("get", "/api/tasks"): ("tasks", None),
    ("post", "/api/tasks"): ("task-create", {"title": "Отправить КП", "due_on": IN_TWO_DAYS}),
    ("get", "/api/tasks/{task_id}"): ("task", None),
    ("post", "/api/tasks/{task_id}/complete"): ("task-write", None),
    ("get", "/api/requests"): ("requests", None),
    ("get", "/api/requests/{request_id}"): ("request", None),
    ("post", "/api/accounts/{account_id}/requests"): (
        "account-create",
        {"request_type": "question", "department": "support", "subject": "Счёт"},
    ),
    ("post", "/api/requests/{request_id}/comments"): ("request-create", {"text": "Передал в бухгалтерию"}),
    ("post", "/api/requests/{request_id}/status"): ("request-write", {"status": "in_progress"}),
    ("post", "/api/requests/{request_id}/assign"): ("request-write", {}),
    ("get", "/api/invoices"): ("invoices", None),
    ("get", "/api/invoices/{invoice_id}"): ("invoice", None),
    ("post", "/api/invoices"): ("bill", {"issued_on": TODAY, "currency": "RUB", "lines": [FREE_LINE]}),
    ("post", "/api/invoices/{invoice_id}/credit-notes"): (
        "invoice-bill",
        {"issued_on": TODAY, "lines": [{**FREE_LINE, "unit_price": "10", "quantity": -1}]},
    ),
    ("get", "/api/payments"): ("payments", None),
    ("get", "/api/payments/{payment_id}"): ("payment", None),
    ("post", "/api/payments"): ("bill", {"received_on": TODAY, "amount": "1 000,00", "currency": "RUB"}),
    ("post", "/api/payments/{payment_id}/allocations"): ("payment-bill", {}),
    ("get", "/api/accounts/{account_id}/balance"): ("account", None),
    ("get", "/api/products"): ("any", None),
    ("get", "/api/currency-rates"): ("any", None),
    ("post", "/api/currency-rates"): (
        "admin-only",
        {"day": TODAY, "rates": [{"currency": "USD", "rate": 90}]},
    ),
    # The sales pipeline: read by whoever sees the account; opened (account in the payload, like money: 404 when
    # not visible, 403 unless he may work it), changed and moved by whoever may work it (never the auditor).
    ("get", "/api/opportunities"): ("opportunities", None),
    ("get", "/api/opportunities/{opportunity_id}"): ("opportunity", None),
    ("post", "/api/opportunities"): (
        "bill",
        {"kind": "upsell", "title": "Вторая линия", "amount": "120 000,00", "expected_close_on": IN_TWO_DAYS},
    ),
    ("patch", "/api/opportunities/{opportunity_id}"): ("opportunity-write", {"next_step": "Позвонить"}),
    ("post", "/api/opportunities/{opportunity_id}/move"): ("opportunity-write", {}),  # to the next stage
    ("get", "/api/pipeline/weighted"): ("any", None),
    ("get", "/api/growth/plan-fact"): ("any", None),
    # The hybrids' time split (people-scoped: each caller his own hybrids, maybe none) and the what-if.
    ("get", "/api/managers/org-model"): ("any", None),
    ("get", "/api/workload"): ("any", None),
    ("get", "/api/analytics/figures"): ("any", None),
    ("get", "/api/analytics/accounts"): ("analytics-accounts", None),
    ("get", "/api/analytics/accounts/{account_id}"): ("account", None),
    ("get", "/api/analytics/retention"): ("any", None),  # figures over what the caller sees
    ("get", "/api/analytics/shares"): ("any", None),
    ("get", "/api/kpi"): (
        "any",
        None,
    ),  # the caller's own people (tests/kpi/test_pages.py: ?person= by every door)
    ("put", "/api/growth/plans"): (
        "plan-set",
        {"month": timezone.localdate().replace(day=1).isoformat(), "revenue": "1 000", "margin": "100"},
    ),
    # Projects (growth): the world's project per account runs from today to +60 with one planned stage.
    ("get", "/api/projects"): ("projects", None),
    ("get", "/api/projects/{project_id}"): ("project", None),
    ("post", "/api/accounts/{account_id}/projects"): (
        "account-create",
        {"name": "Внедрение", "starts_on": TODAY, "ends_on": IN_TWO_DAYS},  # + the engineer as PM
    ),
    ("post", "/api/project-stages/{stage_id}/start"): ("project-write", {}),
    ("post", "/api/project-stages/{stage_id}/finish"): ("project-write", {}),  # the stage is put in progress
    ("post", "/api/projects/{project_id}/work"): (
        "project-create",
        {"title": "Визит", "starts_at": f"{IN_TWO_DAYS}T10:00:00", "ends_at": f"{IN_TWO_DAYS}T12:00:00"},
    ),
    # Analytics (part B): the reactivation queue and the latest run's changes, one of each per account; a case is
    # given up by whoever may work its account (never the auditor).
    ("get", "/api/analytics/reactivation"): ("cases", None),
    ("post", "/api/analytics/reactivation/{case_id}/lost"): ("case-write", {"reason": "Ушли к конкуренту"}),
    ("get", "/api/analytics/changes"): ("changes", None),
    # Bonuses: the month's statements of the people the caller may see; am_a's statement (404 for the others).
    ("get", "/api/bonuses/statements"): ("any", None),
    ("get", "/api/bonuses/statements/{person_id}"): ("am_a-statement", None),
}
# Who reads am_a's bonus statement: he, his lead and those who see everyone (plan_fact.visible_people).
READS_AM_A_STATEMENT = {"am_a", "lead_a", "head", "admin", "auditor"}
# Who may set am_a's plan: the head, admins and his lead (orbit.growth.permissions.can_set_plan).
SETS_AM_A_PLAN = {"head", "admin", "lead_a"}


def test_every_api_operation_is_in_the_matrix():
    schema = api.get_openapi_schema()
    found = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert found == set(OPERATIONS)


@pytest.fixture
def callers(world):
    """A fresh token per persona (the world's tokens are hashed; we need the raw secrets)."""
    return {name: ApiToken.issue(user=user, name="matrix")[1] for name, user in world.people.items()}


def _expected(scope: str, persona: str, target: str | None) -> int:
    if persona == "anonymous":
        return 401
    if scope == "create":
        return 201 if persona in CREATE else 403
    if scope == "session-only":
        return 403  # a token cannot mint tokens that outlive its own revocation
    if scope == "foreign-token":
        return 404
    if scope == "any" or scope in LISTS:
        return 200
    if scope == "admin-only":
        return 200 if persona == "admin" else 403
    if scope == "plan-set":
        return 200 if persona in SETS_AM_A_PLAN else 403
    if scope == "am_a-statement":
        return 200 if persona in READS_AM_A_STATEMENT else 404
    if scope in BILLS:
        if target not in VISIBLE[persona]:
            return 404
        if target not in CHANGE[persona]:
            return 403
        return 201  # the salesman's prospect is in its handoff here: a won client, billed like the others
    if scope == "task-create" and persona == "auditor":
        return 403  # reads only, whatever the payload
    if target not in VISIBLE[persona]:
        return 422 if scope == "task-create" else 404
    if scope in READS:
        return 200
    if target not in CHANGE[persona]:
        return 403
    return 201 if scope in CREATES else 200


def _call(world, callers, method, path, scope, body, persona, target):
    account = world.accounts.get(target)
    url = path.format(
        account_id=account.pk if account else 0,
        contact_id=world.contacts[target].pk if target else 0,
        touch_id=world.touches[target].pk if target else 0,
        task_id=world.tasks[target].pk if target else 0,
        request_id=world.requests[target].pk if target else 0,
        token_id=world.tokens["am_b" if persona != "am_b" else "am_a"].pk,
        invoice_id=world.ledger[target].invoice.pk if target else 0,
        payment_id=world.ledger[target].payment.pk if target else 0,
        opportunity_id=world.growth[target].opportunity.pk if target else 0,
        project_id=world.growth[target].project.pk if target else 0,
        stage_id=world.growth[target].project_stage.pk if target else 0,
        case_id=world.analytics[target].case.pk if target else 0,
        person_id=world.people["am_a"].pk,
    )
    payload = dict(body or {})
    if path == "/api/accounts/{account_id}/requests":
        payload["department"] = world.requests[target].department_id
    if path == "/api/requests/{request_id}/assign":
        payload["assignee"] = world.members[target].user_id  # the engineer on the account team
    if scope in ("task-create", "bill"):
        payload["account"] = account.pk
    if scope == "plan-set":
        payload["user"] = world.people["am_a"].pk
    if scope == "payment-bill":
        payload["invoice"] = world.ledger[target].invoice.pk
    if path == "/api/accounts/{account_id}/projects":
        payload["project_manager"] = world.members[target].user_id  # the engineer on the account team
    for key, record in (("touch", world.touches), ("request", world.requests)):
        if scope == f"{key}-write" and body is not None:
            record[target].refresh_from_db()
            payload["version"] = record[target].version
    if scope == "opportunity-write":
        opportunity = world.growth[target].opportunity
        opportunity.refresh_from_db()
        payload["version"] = opportunity.version
        if path.endswith("/move"):  # identified → qualified, the next stage of account growth
            payload["stage"] = Stage.objects.get(pipeline_id=opportunity.pipeline_id, code="qualified").pk
    if scope == "account-write":
        account.refresh_from_db()
        payload["version"] = account.version
    if scope == "contact-write":
        contact = world.contacts[target]
        contact.refresh_from_db()
        payload["version"] = contact.version
    headers = {} if persona == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {callers[persona]}"}
    client = Client()
    with transaction.atomic():  # every call sees the same world
        if scope == "payment-bill":  # the world's payment is all allocated: free it to allocate again
            Payment.objects.filter(pk=world.ledger[target].payment.pk).update(allocated_amount=0)
        if path == "/api/project-stages/{stage_id}/finish":  # a stage in progress, to finish
            ProjectStage.objects.filter(pk=world.growth[target].project_stage.pk).update(status="active")
        response = getattr(client, method)(
            url,
            data=json.dumps(payload) if body is not None else None,
            content_type="application/json",
            **headers,
        )
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_api_answers_each_persona_as_the_rules_say(world, callers, method, path):
    scope, body = OPERATIONS[(method, path)]
    per_account = scope not in LISTS and scope not in (
        "any",
        "create",
        "session-only",
        "foreign-token",
        "admin-only",
        "plan-set",
        "am_a-statement",
    )
    targets = ACCOUNTS if per_account else [None]
    wrong = []
    for persona in PERSONAS:
        for target in targets:
            expected = _expected(scope, persona, target)
            response = _call(world, callers, method, path, scope, body, persona, target)
            if response.status_code != expected:
                wrong.append(f"{persona} on {target}: {response.status_code}, expected {expected}")
            elif expected == 200 and scope in LISTS:
                count = response.json()["count"]
                if count != len(VISIBLE[persona]):  # one contact, touch, task, request per account
                    wrong.append(f"{persona} counts {count} ({scope}), sees {len(VISIBLE[persona])} accounts")
    assert not wrong, f"{method.upper()} {path}: " + "; ".join(wrong)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_api_search_and_filters_leak_nothing(world, callers, persona):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {callers[persona]}")
    for key, account in world.accounts.items():
        found = client.get("/api/accounts", {"q": account.inn}).json()["count"]
        assert found == int(key in VISIBLE[persona]), (persona, key)
        by_manager = client.get("/api/accounts", {"manager": account.responsible_manager_id or 0}).json()
        assert account.pk not in {item["id"] for item in by_manager["items"]} or key in VISIBLE[persona]
