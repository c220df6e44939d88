"""Every list's export: the rows its page shows, for a manager (his accounts only) and the head (everyone), with
the page's filters; no cell a spreadsheet would run, in CSV and XLSX; a query count that does not grow with
the rows."""

import csv
import datetime as dt
import io
import re
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from orbit.accounts.models import Contact
from orbit.activities.models import Task, Touch
from orbit.imports.exporting import FORMULA_STARTS
from orbit.imports.lists import EXPORTS
from orbit.imports.models import ExportLog
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department
from orbit.requests.services import request_create
from orbit.revenue.models import Invoice, InvoiceLine
from tests.analytics.rows import analytics_rows
from tests.bonuses.conftest import save_version
from tests.factories import make_account, unique_inn
from tests.growth.rows import growth_rows
from tests.revenue.rows import ledger_rows


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _account_world(org, manager, *, name: str, inn: str, mark: str) -> SimpleNamespace:
    """One account of `manager` with a row of every exported kind, each with a text a spreadsheet would run."""
    account = make_account(org.head, manager, legal_name=name, inn=inn, kpp="770101001")
    contact = Contact.objects.create(account=account, full_name=f"={mark} Иванов", position="Директор")
    today = timezone.localdate()
    touch = Touch.objects.create(
        account=account, owner=manager, kind="call", planned_for=today, subject=f"+{mark} звонок"
    )
    task = Task.objects.create(
        title=f"@{mark} задача", assignee=manager, account=account, due_on=today, created_by=manager
    )
    growth = growth_rows(account, by=manager)
    growth.opportunity.title = f"-{mark} допродажа"
    growth.opportunity.save(update_fields=["title"])
    ledger = ledger_rows(account, by=manager)
    InvoiceLine.objects.filter(invoice=ledger.invoice).update(description=f"\t{mark} монтаж")
    analytics_rows(account, by=manager)
    ensure_defaults()
    request_create(
        by=manager,
        account=account,
        request_type="complaint",
        priority="normal",
        department=Department.objects.order_by("pk").first(),
        subject=f"={mark} недовоз",
    )
    return SimpleNamespace(account=account, contact=contact, touch=touch, task=task, ledger=ledger)


@pytest.fixture
def world(org):
    type(org.head).objects.update(language="en")  # the pages answer in each person's language
    return SimpleNamespace(
        org=org,
        a=_account_world(org, org.am_a, name='=HYPERLINK("http://evil.example")', inn="7707083893", mark="A"),
        b=_account_world(org, org.am_b, name="ООО «Бета»", inn="7728168971", mark="B"),
    )


def _csv(client, name: str, **params) -> list[list[str]]:
    response = client.get(reverse(f"imports:{name}_export"), {"format": "csv", **params})
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _xlsx(client, name: str, **params) -> list[tuple]:
    response = client.get(reverse(f"imports:{name}_export"), {"format": "xlsx", **params})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def _column(rows: list, header: str) -> list:
    at = list(rows[0]).index(header)
    return [row[at] for row in rows[1:]]


# (list, params, header of the account's INN column)
ACCOUNT_LISTS = [
    ("contacts", {}, "INN"),
    ("opportunities", {}, "INN"),
    ("invoice_lines", {}, "INN"),
    ("analytics", {}, "INN"),
]


@pytest.mark.parametrize(("name", "params", "header"), ACCOUNT_LISTS)
def test_a_manager_exports_his_accounts_rows_and_the_head_everyones(world, client, name, params, header):
    client.force_login(world.org.am_a)
    assert _column(_csv(client, name, **params), header) == ["7707083893"]
    client.force_login(world.org.head)
    assert sorted(_column(_csv(client, name, **params), header)) == ["7707083893", "7728168971"]


def test_the_pages_filters_narrow_the_export(world, client):
    client.force_login(world.org.head)
    # Contacts of the accounts the accounts list shows when searched for the second one.
    assert _column(_csv(client, "contacts", q="Бета"), "full name") == ["'=B Иванов"]
    # The opportunities of one owner, as the pipeline list's owner filter.
    rows = _csv(client, "opportunities", owner=world.org.am_b.pk)
    assert _column(rows, "opportunity title") == ["'-B допродажа"]
    # The invoices page's account filter: that account's lines only, each with its invoice's number and date.
    rows = _csv(client, "invoice_lines", account=world.b.account.pk)
    invoice = world.b.ledger.invoice
    assert _column(rows, "invoice number") == [invoice.number]
    assert _column(rows, "invoice date") == [invoice.issued_on.strftime("%d.%m.%Y")]
    assert _column(rows, "quantity") == ["1,000"] and _column(rows, "total") == ["122,00"]
    # The analytics table's ABC filter: nobody is a B.
    assert _csv(client, "analytics", abc="B")[1:] == []


def test_touches_and_tasks_are_the_agenda_persons(world, client):
    org = world.org
    client.force_login(org.am_a)
    assert _column(_csv(client, "touches"), "subject") == ["'+A звонок"]
    assert _column(_csv(client, "tasks"), "task") == ["'@A задача"]
    # Another manager's day is not his to open, nor its export.
    response = client.get(reverse("imports:touches_export"), {"person": org.am_b.pk})
    assert response.status_code == 404
    client.force_login(org.head)
    assert _column(_csv(client, "touches", person=org.am_b.pk), "INN") == ["7728168971"]
    assert _column(_csv(client, "tasks", person=org.am_b.pk), "assignee") == ["Am_B"]
    assert _csv(client, "touches")[1:] == []  # the head's own day: he has no touches


def test_kpi_rows_are_the_people_the_reader_sees(world, client):
    org = world.org
    client.force_login(org.am_a)
    rows = _csv(client, "kpi")
    assert _column(rows, "name") == ["Am_A"] and _column(rows, "row") == ["manager"]
    client.force_login(org.head)
    names = _column(_csv(client, "kpi"), "name")
    assert {"Am_A", "Am_B", "Team A", "Team B"} <= set(names)


def test_bonus_statements_are_the_months_of_the_people_the_reader_sees(world, client):
    org = world.org
    save_version(org.head)  # account managers: 10 000 fixed
    month = timezone.localdate().replace(day=1)
    client.force_login(org.head)
    rows = _csv(client, "bonus_statements", month=f"{month:%Y-%m}")
    fixed = dict(zip(_column(rows, "person"), _column(rows, "fixed part"), strict=True))
    assert fixed["Am_A"] == fixed["Am_B"] == "10000,00"
    client.force_login(org.am_a)
    assert _column(_csv(client, "bonus_statements", month=f"{month:%Y-%m}"), "person") == ["Am_A"]


NUMBER = re.compile(r"^-\d")  # a negative amount is a number, not a formula


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_no_cell_of_any_list_would_run_as_a_formula(world, client, name):
    org = world.org
    save_version(org.head)
    Invoice.objects.filter(pk=world.a.ledger.invoice.pk).update(note="=1+1")
    # The people's own names start a formula too, for the KPI and bonus lists.
    type(org.am_a).objects.filter(pk=org.am_a.pk).update(display_name="=Анна")
    client.force_login(org.head)
    params = {"person": org.am_a.pk} if name in ("touches", "tasks") else {}
    neutralised = 0
    for row in _csv(client, name, **params)[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or NUMBER.match(cell), (name, cell)
            neutralised += cell.startswith("'")
    for row in _xlsx(client, name, **params)[1:]:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(FORMULA_STARTS)), (name, cell)
    assert neutralised >= 1, name  # the world's formulas went through this list, written as text
    assert ExportLog.objects.filter(list_name=name, by=org.head).count() == 2


@pytest.mark.parametrize("name", sorted(set(EXPORTS) - {"kpi", "bonus_statements"}))
def test_the_queries_do_not_grow_with_the_rows(world, org, client, django_assert_max_num_queries, name):
    """A fixed number of queries for the list, whatever its length: 2 accounts' rows, then 8 accounts'."""
    client.force_login(org.head)
    params = {"person": org.am_a.pk} if name in ("touches", "tasks") else {}
    with CaptureQueriesContext(connection) as few:
        _csv(client, name, **params)
    for n in range(6):
        _account_world(org, org.am_a, name=f"ООО «Ещё {n}»", inn=unique_inn(), mark=f"M{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = _csv(client, name, **params)
    assert len(rows) > 3


def test_one_day_of_touches_in_local_time(world, client):
    # 23:30 on 31 December in Moscow (20:30 UTC) is written as the local wall-clock time.
    moment = dt.datetime(2026, 12, 31, 20, 30, tzinfo=dt.UTC)
    Touch.objects.filter(pk=world.a.touch.pk).update(status="done", happened_at=moment, duration_minutes=30)
    client.force_login(world.org.am_a)
    rows = _csv(client, "touches")
    assert _column(rows, "happened at") == ["31.12.2026 23:30"] and _column(rows, "duration, minutes") == [
        "30"
    ]
    assert _column(rows, "contacts") == [""]
    world.a.touch.contacts.add(world.a.contact)
    assert _column(_csv(client, "touches"), "contacts") == ["'=A Иванов"]


@pytest.mark.parametrize(
    ("page", "params", "link"),
    [
        ("accounts:list", {"q": "Бета"}, "/exports/contacts/?q=%D0%91%D0%B5%D1%82%D0%B0&amp;format=csv"),
        ("activities:agenda", {}, "/exports/touches/?person={head}&amp;format=xlsx"),
        ("activities:agenda", {}, "/exports/tasks/?person={head}&amp;format=csv"),
        ("growth:opportunities", {"kind": "upsell"}, "/exports/opportunities/?kind=upsell&amp;format=csv"),
        ("revenue:invoices", {"status": "open"}, "/exports/invoice-lines/?status=open&amp;format=xlsx"),
        ("analytics:accounts", {"abc": "A"}, "/exports/analytics/?abc=A&amp;format=csv"),
        ("kpi:page", {"period": "2026-11"}, "/exports/kpi/?period=2026-11&amp;format=csv"),
        (
            "bonuses:statements",
            {"month": "2026-11"},
            "/exports/bonus-statements/?month=2026-11&amp;format=csv",
        ),
    ],
)
def test_each_page_links_its_export_with_its_query(world, client, page, params, link):
    client.force_login(world.org.head)
    html = client.get(reverse(page), params).content.decode()
    assert link.format(head=world.org.head.pk) in html


@pytest.mark.parametrize(
    ("page", "params", "name", "header", "shown"),
    [
        ("growth:opportunities", {"sort": "-title"}, "opportunities", "opportunity title", lambda o: o.title),
        ("growth:opportunities", {"sort": "title"}, "opportunities", "opportunity title", lambda o: o.title),
        ("revenue:invoices", {}, "invoice_lines", "invoice number", lambda i: i.number),
        ("analytics:accounts", {"sort": "name"}, "analytics", "INN", lambda m: m.account.inn),
        ("analytics:accounts", {"sort": "-name"}, "analytics", "INN", lambda m: m.account.inn),
    ],
)
def test_the_export_holds_the_pages_rows_in_its_order(world, client, page, params, name, header, shown):
    client.force_login(world.org.head)
    rows = client.get(reverse(page), params).context["page"].object_list
    exported = [cell.removeprefix("'") for cell in _column(_csv(client, name, **params), header)]
    assert exported == [shown(row) for row in rows] and len(exported) == 2
