"""Round trips (issue 15's "Done when"): a list taken out by Orbit's own export code, written to real files in a
temporary directory, imported back without a mapping into a base emptied of those records, gives the same
records field by field. Touches (CSV and XLSX) and invoices with their credit notes (CSV and XLSX; the accounts
come back first from the accounts export)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from orbit.accounts.models import Account, OwnershipPeriod
from orbit.activities import services as activities
from orbit.activities.models import Touch, TouchKind, TouchStatus
from orbit.imports.engine import import_file
from orbit.imports.kinds import KINDS
from orbit.imports.reading import open_table
from orbit.revenue import invoicing, totals
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import AccountRevenueMonth, Invoice, InvoiceKind, VatCategory
from tests.imports import money_world

D = Decimal
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MOSCOW)


def export(client, name: str, fmt: str, folder, **params):
    """The list as the export view writes it, saved as a file in `folder`; its path."""
    response = client.get(reverse(f"imports:{name}_export"), {"format": fmt, **params})
    assert response.status_code == 200
    path = folder / f"{name}.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def import_path(kind: str, by, path, language: str):
    with translation.override(language), path.open("rb") as file:
        return import_file(KINDS[kind], by=by, table=open_table(file, path.name), file_name=path.name)


@pytest.fixture
def world(org):
    return money_world.build(org)


def seed_touches(world):
    """am_a's history on Ромашка: done touches (one at 01:30 Moscow, still the day before in UTC; a subject a
    spreadsheet would run; an outcome of two lines), one planned and one cancelled; am_b's done touch on
    Вектор (another person's agenda: not in am_a's list)."""
    org = world.org
    done = [
        (world.romashka, TouchKind.CALL, at(2026, 11, 20, 14, 30), 25, "Продление договора", "Согласны"),
        (world.romashka, TouchKind.MEETING, at(2026, 11, 21, 1, 30), 90, "=Итоги года", "Встреча\nв офисе"),
        (world.romashka, TouchKind.EMAIL, at(2025, 2, 3, 9, 5), 5, "", ""),
    ]
    for account, kind, moment, minutes, subject, outcome in done:
        activities.touch_record_past(
            by=org.am_a,
            account=account,
            owner=org.am_a,
            kind=kind,
            happened_at=moment,
            duration_minutes=minutes,
            subject=subject,
            outcome=outcome,
        )
    activities.touch_record_past(
        by=org.am_b,
        account=world.vector,
        owner=org.am_b,
        kind=TouchKind.VISIT,
        happened_at=at(2026, 11, 1, 10, 0),
        duration_minutes=60,
    )
    today = timezone.localdate()
    activities.touch_plan(
        by=org.am_a, account=world.romashka, planned_for=today + dt.timedelta(days=3), subject="Звонок"
    )
    dropped = activities.touch_plan(
        by=org.am_a, account=world.romashka, planned_for=today + dt.timedelta(days=5), kind=TouchKind.VISIT
    )
    activities.touch_cancel(by=org.am_a, touch=dropped)


def done_touches(owner) -> set[tuple]:
    return {
        (
            t.account.inn,
            t.account.kpp,
            t.owner_id,
            t.kind,
            timezone.localtime(t.happened_at, MOSCOW),
            t.duration_minutes,
            t.subject,
            t.outcome,
        )
        for t in Touch.objects.filter(owner=owner, status=TouchStatus.DONE).select_related("account")
    }


@pytest.mark.parametrize(("fmt", "language"), [("csv", "ru"), ("xlsx", "en")])
def test_touches_come_back_and_what_is_not_history_is_left_out_with_a_warning(
    world, client, tmp_path, fmt, language
):
    org = world.org
    org.am_a.language = language
    org.am_a.save()
    seed_touches(world)
    client.force_login(org.am_a)
    path = export(client, "touches", fmt, tmp_path)
    before = done_touches(org.am_a)
    assert len(before) == 3
    Touch.objects.filter(owner=org.am_a).delete()  # his touches gone; the accounts and am_b's touch stay

    report = import_path("touches", org.am_a, path, language)

    assert report.errors == [] and report.committed and report.unmapped
    assert (report.new, report.updated, report.unchanged, report.failed) == (3, 0, 2, 0)
    # The formula the export neutralised comes back as the text it wrote (an apostrophe before it): the import
    # refuses formulas, Orbit keeps values.
    expected = {(*t[:6], "'" + t[6] if t[6].startswith("=") else t[6], t[7]) for t in before}
    assert done_touches(org.am_a) == expected
    assert not Touch.objects.filter(owner=org.am_a).exclude(status=TouchStatus.DONE).exists()
    assert [(w.row, w.message.split(":")[0]) for w in report.warnings] == (
        [(2, "A planned touch is not history"), (3, "A cancelled touch did not happen")]
        if language == "en"
        else [(2, "Запланированное касание — не история"), (3, "Отменённое касание не состоялось")]
    )
    again = import_path("touches", org.am_a, path, language)  # the same file twice: nothing new
    assert (again.new, again.unchanged, again.errors) == (0, 5, [])


def seed_invoices(world):
    """Ромашка: a RUB invoice of three kinds of line (a product at its list price, a product with a discount, a
    service the catalog does not know, without VAT) with an external id, and a credit note of one router; Вектор:
    a USD invoice at the rate of its day."""
    shop, head = world.shop, world.org.head
    first = invoicing.invoice_issue(
        by=head,
        account=world.romashka,
        issued_on=dt.date(2026, 1, 15),
        due_on=dt.date(2026, 1, 25),
        currency="RUB",
        number="СЧ-1",
        external_id="1C-0001",
        lines=[
            LineInput(product=shop.router, quantity=D(2)),
            LineInput(product=shop.cable, quantity=D("12.5"), unit_price=D("10.00"), discount_percent=D(10)),
            LineInput(
                description="Монтаж на объекте",
                unit_price=D("5000.00"),
                vat_category=VatCategory.EXEMPT,
            ),
        ],
    )
    invoicing.credit_note_issue(
        by=head,
        invoice=first,
        issued_on=dt.date(2026, 2, 1),
        number="КР-1",
        external_id="1C-0002",
        lines=[LineInput(product=shop.router, quantity=D(-1))],
    )
    invoicing.invoice_issue(
        by=head,
        account=world.vector,
        issued_on=dt.date(2026, 3, 2),
        currency="USD",
        number="INV-7",
        lines=[LineInput(product=shop.router, quantity=D(3))],
    )


def documents() -> dict[tuple, tuple]:
    """Every document and its lines, by what survives a base: numbers, INNs, articles (not ids)."""
    shown = {}
    for invoice in Invoice.objects.select_related("account", "corrects").prefetch_related("lines__product"):
        lines = tuple(
            (
                line.product.sku if line.product else "",
                line.description,
                line.quantity,
                line.unit_price,
                line.discount_percent,
                line.vat_category,
                line.vat_percent,
                line.net_amount,
                line.vat_amount,
                line.total_amount,
                line.net_amount_base,
            )
            for line in invoice.lines.order_by("id")
        )
        shown[invoice.kind, invoice.number] = (
            invoice.account.inn,
            invoice.account.kpp,
            invoice.issued_on,
            invoice.due_on,
            invoice.currency,
            invoice.corrects.number if invoice.corrects else "",
            invoice.external_id,
            invoice.net_total,
            invoice.vat_total,
            invoice.total,
            lines,
        )
    return shown


def empty_the_base() -> None:
    """Documents, the monthly revenue they kept, and the accounts (with their ownership) go; people, the
    catalog, prices, VAT and currency rates stay."""
    Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).delete()
    Invoice.objects.all().delete()
    AccountRevenueMonth.objects.all().delete()
    Account.objects.update(parent=None)
    OwnershipPeriod.objects.all().delete()
    Account.objects.all().delete()


@pytest.mark.parametrize(("fmt", "language"), [("csv", "ru"), ("xlsx", "en")])
def test_invoices_and_credit_notes_come_back_into_an_empty_base(world, client, tmp_path, fmt, language):
    org = world.org
    org.head.language = language
    org.head.save()
    seed_invoices(world)
    client.force_login(org.head)
    accounts_file = export(client, "accounts", fmt, tmp_path)
    lines_file = export(client, "invoice_lines", fmt, tmp_path)
    before = documents()
    assert len(before) == 3 and sum(len(d[-1]) for d in before.values()) == 5
    empty_the_base()
    assert not Invoice.objects.exists()

    accounts = import_path("accounts", org.head, accounts_file, language)
    assert accounts.errors == [] and accounts.committed
    report = import_path("invoices", org.head, lines_file, language)

    assert report.errors == [] and report.committed
    assert (report.new, report.updated, report.unchanged, report.failed) == (3, 0, 0, 0)  # documents
    assert documents() == before
    assert totals_problems() == []
    again = import_path("invoices", org.head, lines_file, language)  # the same file twice: skipped
    assert (again.new, again.unchanged, again.errors, documents()) == (0, 3, [], before)


def totals_problems() -> list:
    """The ledger's own check of what the import kept (receivables, monthly revenue) on every client."""
    return [problem for account in Account.objects.all() for problem in totals.ledger_problems(account)]
