"""The bonus pages, the XLSX and the API: who sees which statement (every door), field errors RU/EN, the
formula cells of the export written as text, and a bounded number of queries."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from orbit.api.models import ApiToken
from orbit.bonuses import closing
from orbit.bonuses.models import MonthClose, MonthReopen, RuleVersion
from tests.bonuses.conftest import am_rule, save_version
from tests.revenue.ledger import issue, manual, pay

D = Decimal
MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def paid_march(world):
    org = world.org
    save_version(org.head)
    world.account.short_name = '=HYPERLINK("http://evil","x")'
    world.account.save(update_fields=["short_name"])
    invoice = issue(world.shop, dt.date(2026, 3, 2), manual("1000"), by=org.head)
    pay(world.shop, dt.date(2026, 3, 10), "1000", allocate=[(invoice, D("1000"))], by=org.head)
    return world


# Who reads am_a's statement: he, his lead, and those who see everyone.
READS_AM_A = {"am_a", "lead_a", "head", "admin", "auditor"}
PEOPLE = ("head", "admin", "auditor", "lead_a", "lead_b", "am_a", "am_a1", "am_b", "sales", "outsider")


@pytest.mark.parametrize("persona", PEOPLE)
def test_a_statement_by_every_door(paid_march, persona):
    org = paid_march.org
    user = getattr(org, persona)
    client = Client()
    client.force_login(user)
    target = org.am_a.pk
    expected = 200 if persona in READS_AM_A else 404
    page = client.get(reverse("bonuses:statement", args=[target]), {"month": "2026-03"})
    xlsx = client.get(reverse("bonuses:statement_export", args=[target]), {"month": "2026-03"})
    token = ApiToken.issue(user=user, name="t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/api/bonuses/statements/{target}?month=2026-03")
    assert (page.status_code, xlsx.status_code, api.status_code) == (expected, expected, expected)
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/bonuses/statements?month=2026-03").json()
    assert (target in {item["person_id"] for item in listed["items"]}) == (persona in READS_AM_A)
    if expected == 200:
        body = api.json()
        # 10 000 fixed + 1 000 × 5 % = 50
        assert (body["status"], body["total"], [x["amount"] for x in body["lines"]]) == (
            "provisional",
            "10050.00",
            ["10000.00", "50.00"],
        )


def test_a_manager_lands_on_his_own_statement_and_a_lead_sees_his_team(paid_march):
    org = paid_march.org
    client = Client()
    client.force_login(org.am_a)
    response = client.get(reverse("bonuses:statements"), {"month": "2026-03"})
    assert response.status_code == 302
    assert response.url == reverse("bonuses:statement", args=[org.am_a.pk]) + "?month=2026-03"
    client.force_login(org.lead_a)
    listed = client.get(reverse("bonuses:statements"), {"month": "2026-03"})
    assert {s.person_id for s in listed.context["statements"]} <= {org.lead_a.pk, org.am_a.pk, org.am_a1.pk}
    assert org.am_a.pk in {s.person_id for s in listed.context["statements"]}


def test_statement_page_says_provisional_then_closed(paid_march):
    org = paid_march.org
    org.head.language = "en"
    org.head.save(update_fields=["language"])
    client = Client()
    client.force_login(org.head)
    url = reverse("bonuses:statement", args=[org.am_a.pk])
    if True:
        assert "Provisional" in client.get(url, {"month": "2026-03"}).content.decode()
        response = client.post(reverse("bonuses:close"), {"month": "2026-03"})
        assert response.status_code == 302 and MonthClose.objects.filter(month=MARCH).exists()
        assert "Closed" in client.get(url, {"month": "2026-03"}).content.decode()
        # Reopening without a reason: refused (400), nothing written.
        refused = client.post(reverse("bonuses:reopen"), {"month": "2026-03", "reason": ""})
        assert refused.status_code == 400 and MonthClose.objects.filter(month=MARCH).exists()
        client.post(reverse("bonuses:reopen"), {"month": "2026-03", "reason": "missed payment"})
        page = client.get(reverse("bonuses:statements"), {"month": "2026-03"}).content.decode()
    assert "missed payment" in page and MonthReopen.objects.count() == 1


def test_xlsx_writes_formula_like_text_as_text(paid_march):
    org = paid_march.org
    client = Client()
    client.force_login(org.am_a)
    response = client.get(reverse("bonuses:statement_export", args=[org.am_a.pk]), {"month": "2026-03"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://evil","x")']
    assert cells and all(c.data_type == "s" for c in cells)
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        (
            "en",
            {
                "valid_from": "These months overlap the version in force from 01.2026.",
                "account_manager-percent_upsell": "Enter a number from 0 to 100.",
                "account_manager-cap_percent": "The cap (40 % of plan) is below the threshold (50 % of plan).",
            },
        ),
        (
            "ru",
            {
                "valid_from": "Эти месяцы пересекаются с версией, действующей с 01.2026.",
                "account_manager-percent_upsell": "Введите число от 0 до 100.",
                "account_manager-cap_percent": "Потолок (40 % плана) ниже порога (50 % плана).",
            },
        ),
    ],
)
def test_rule_form_field_errors_in_both_languages(world, language, messages):
    org = world.org
    save_version(org.head, valid_until="2026-06")
    org.head.language = language
    org.head.save(update_fields=["language"])
    client = Client()
    client.force_login(org.head)
    data = {
        "valid_from": "2026-04",
        "hunter_months": "3",
        "hunter_share": "50",
        "account_manager-enabled": "on",
        "account_manager-fixed": "1000",
        "account_manager-percent_upsell": "101",
        "account_manager-threshold_percent": "50",
        "account_manager-cap_percent": "40",
    }
    response = client.post(reverse("bonuses:rule_create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {field: form.errors[field][0] for field in messages} == messages
    assert RuleVersion.objects.count() == 1


def test_only_the_head_edits_rules_and_everyone_reads_his_own(world):
    org = world.org
    save_version(org.head, am=am_rule(percent_upsell="7"))
    client = Client()
    client.force_login(org.am_a)
    assert client.post(reverse("bonuses:rule_create"), {"valid_from": "2026-05"}).status_code == 403
    page = client.get(reverse("bonuses:rules"))
    rules_seen = [r.role for row in page.context["rows"] for r in row["rules"]]
    assert rules_seen == ["account_manager"]  # not the sales managers' rule


def test_the_list_costs_the_same_queries_for_more_people_and_payments(paid_march):
    org = paid_march.org
    client = Client()
    client.force_login(org.head)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("bonuses:statements"), {"month": "2026-03"}).status_code == 200
        return len(queries)

    few = count()
    invoice = issue(paid_march.shop, dt.date(2026, 3, 3), manual("500"), by=org.head)
    for day in (11, 12, 13):
        pay(paid_march.shop, dt.date(2026, 3, day), "100", allocate=[(invoice, D("100"))], by=org.head)
    assert count() == few
    closing.month_close(by=org.head, month=MARCH, today=dt.date(2026, 4, 2))
    assert count() <= few


def test_a_double_submit_of_a_new_version_saves_one(world):
    org = world.org
    client = Client()
    client.force_login(org.head)
    data = {
        "idempotency_key": "k-1",
        "valid_from": "2026-04",
        "hunter_months": "3",
        "hunter_share": "50",
        "account_manager-enabled": "on",
        "account_manager-fixed": "1 000,00",
        "account_manager-percent_new": "2,5",
    }
    first = client.post(reverse("bonuses:rule_create"), data)
    second = client.post(reverse("bonuses:rule_create"), data)
    assert (first.status_code, second.status_code) == (302, 302), (
        first.context and first.context["form"].errors
    )
    version = RuleVersion.objects.get()
    rule = version.rules.get()
    assert (rule.fixed, rule.percents) == (D("1000.00"), {"new": "2.5"})
