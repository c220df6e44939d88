"""Importing invoices line by line (1C's shape): grouped into documents issued through the ledger's services,
credit notes, the file's arithmetic checked, duplicates skipped, all or nothing, undo, the CLI, and who may."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orbit.imports.models import ImportBatch, ImportStatus
from orbit.imports.undo import undo_import
from orbit.revenue import totals
from orbit.revenue.models import AccountRevenueMonth, Invoice, InvoiceKind
from tests.imports import money_world
from tests.imports.money_world import FILES, run
from tests.revenue.ledger import pay, row_counts

D = Decimal
HEADER = "Номер;Дата;ИНН;Номенклатура;Количество;Цена;Сумма;Ставка НДС"
PER_DOCUMENT = 24  # queries a two-line invoice costs through the ledger (measured; the test below)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(org):
    return money_world.build(org)


def test_the_1c_file_becomes_documents_exactly_as_typed_in(world):
    report = run("invoices", world.org.head, file="invoices_1c.csv")
    assert report.as_json() == {"new": 3, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}
    first = Invoice.objects.get(number="СЧ-101")
    # 2 routers × 1000 + 22 % VAT (2026) = 2440; installation 5000 without VAT; a credit note of one router 1220
    assert (first.net_total, first.vat_total, first.total) == (D("7000.00"), D("440.00"), D("7440.00"))
    assert (first.credited_total, first.open_amount, first.cost_total_base) == (
        D("1220.00"),
        D("6220.00"),
        D("1200.00"),  # the router's cost from the price list; the installation has none
    )
    assert (first.account, first.manager, first.issued_on.isoformat()) == (
        world.romashka,
        world.org.am_a,
        "2026-01-15",
    )
    lines = list(
        first.lines.order_by("id").values_list("product__sku", "description", "quantity", "vat_percent")
    )
    assert lines == [
        ("R-1", "Router", D("2.000"), D("22.00")),
        (None, "Монтаж оборудования", D("1.000"), None),
    ]
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert (note.number, note.corrects, note.total, note.lines.get().quantity) == (
        "КР-1",
        first,
        D("-1220.00"),
        D("-1.000"),
    )
    second = Invoice.objects.get(number="СЧ-102")  # dated by an Excel serial day, "руб." for the currency
    assert (second.account, second.issued_on.isoformat(), second.total, second.manager) == (
        world.vector,
        "2026-02-03",
        D("122.00"),
        world.org.am_b,
    )
    january = AccountRevenueMonth.objects.filter(account=world.romashka).order_by("product_line_id")
    # net in January: routers 2000 − 1000 (credit) on the equipment line, installation 5000 without a line
    assert [(m.product_line_id, m.net_base, m.lines) for m in january] == [
        (world.shop.equipment.pk, D("1000.00"), 2),
        (None, D("5000.00"), 1),
    ]
    for account in (world.romashka, world.vector):
        assert totals.ledger_problems(account) == []
    assert ImportBatch.objects.get().status == ImportStatus.COMMITTED

    again = run("invoices", world.org.head, file="invoices_1c.csv")
    assert (again.new, again.unchanged, again.failed) == (0, 3, 0)
    assert again.notes[1:] == [
        "СЧ-101 (rows 2, 4) is already in the base; an issued document is never edited: skipped.",
        "СЧ-102 (rows 3) is already in the base; an issued document is never edited: skipped.",
        "КР-1 (rows 5) is already in the base; an issued document is never edited: skipped.",
    ]  # after the reader's note on the encoding
    assert Invoice.objects.count() == 3


def test_every_bad_row_is_named_and_nothing_is_written(world):
    world.org.head.save()
    before = row_counts()
    report = run(
        "invoices",
        world.org.head,
        text="\n".join(
            [
                HEADER,
                "А-1;15.01.2026;7707083893;R-1;2;1 000;2 000,00;22%",  # fine, but not alone
                "А-1;16.01.2026;7707083893;C-1;1;10;10;22%",  # another date for the same invoice
                "А-2;12/31/2025;7707083893;R-1;1;1000;1000;22%",  # an ambiguous date
                "А-3;15.01.2026;7707083894;R-1;1;1000;1000;22%",  # INN checksum
                "А-4;15.01.2026;7728168971;R-1;1;1000;1000;22%",  # nobody's INN
                "А-5;15.01.2026;7736207543;R-1;2;1000;2100;22%",  # the file's sum is wrong
                "А-6;15.01.2026;7736207543;Доставка;1;12,5,0;;",  # not a number, not in the catalog
                "А-7;15.01.2026;7736207543;R-1;1;1000;1000;15%",  # no such VAT rate
            ]
        ),
    )
    assert row_counts() == before and not report.committed
    assert (report.new, report.failed) == (0, 7)
    assert [(e.row, e.column, e.value, e.message) for e in report.errors] == [
        (
            3,
            "Дата",
            "16.01.2026",
            "Row 2 has another value here for document А-1: its rows must agree.",
        ),
        (
            4,
            "Дата",
            "12/31/2025",
            "“12/31/2025” may be month/day or day/month: choose the date format of the file (MM/DD/YYYY or DD/MM/YYYY).",
        ),
        (5, "ИНН", "7707083894", "INN 7707083894 fails the checksum: check for a typo."),
        (
            6,
            "ИНН",
            "7728168971",
            "No account with INN 7728168971 among the accounts you see: import the account first.",
        ),
        (
            7,
            "Сумма",
            "2100",
            "The ledger makes this line 2000.00 without VAT, 2440.00 with it: check the price and quantity.",
        ),
        (8, "Цена", "12,5,0", "“12,5,0”: Enter an amount like 1 234 567,89."),
        (8, "Ставка НДС", "", "“Доставка” is not in the catalog: fill in its VAT rate."),
        (9, "Ставка НДС", "15%", "No VAT rate of 15 % is in force on 15.01.2026."),
    ]
    assert ImportBatch.objects.get().status == ImportStatus.REFUSED


def test_a_dry_run_and_a_missing_column_change_nothing(world):
    report = run("invoices", world.org.head, file="invoices_1c.csv", dry_run=True)
    assert (report.new, report.committed) == (3, False)
    assert not Invoice.objects.exists() and not AccountRevenueMonth.objects.exists()
    missing = run("invoices", world.org.head, text="Номер;ИНН;Номенклатура\nА-1;7707083893;R-1")
    assert [e.message for e in missing.errors] == ["No column for: document date. Map it and try again."]


def test_a_manager_imports_for_his_own_clients_only_and_an_auditor_not_at_all(world):
    text = HEADER + "\nБ-1;15.01.2026;7736207543;R-1;1;1000;1000;22%"  # Вектор is am_b's
    report = run("invoices", world.org.am_a, text=text)
    assert [e.message for e in report.errors] == [
        "No account with INN 7736207543 among the accounts you see: import the account first."
    ]
    mine = run("invoices", world.org.am_b, text=text)
    assert mine.committed and Invoice.objects.get().manager == world.org.am_b
    with pytest.raises(PermissionDenied):
        run("invoices", world.org.auditor, text=text)


def test_undo_takes_the_documents_back_and_is_refused_once_one_is_paid(world):
    report = run("invoices", world.org.head, file="invoices_1c.csv")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    pay(
        world.shop,
        Invoice.objects.get(number="СЧ-102").issued_on,
        "50.00",
        account=world.vector,
        by=world.org.head,
    )
    with pytest.raises(ValidationError) as refused:
        undo_import(by=world.org.head, batch=batch)
    assert refused.value.messages == ["Row 3: invoice СЧ-102 has been paid since the import."]
    assert Invoice.objects.count() == 3

    clean = run("invoices", world.org.head, text=HEADER + "\nВ-1;15.01.2026;7707083893;R-1;1;1000;1 220;22%")
    undo_import(by=world.org.head, batch=ImportBatch.objects.get(pk=clean.batch_id))
    assert not Invoice.objects.filter(number="В-1").exists()
    assert totals.ledger_problems(world.romashka) == []  # the month and the receivables are back
    january = AccountRevenueMonth.objects.get(account=world.romashka, product_line=world.shop.equipment)
    assert (january.net_base, january.lines) == (D("1000.00"), 2)  # the first import's lines only


def test_the_command_imports_invoices_as_json(world, capsys):
    world.org.head.language = "en"
    world.org.head.save()
    call_command("import", "invoices", str(FILES / "invoices_1c.csv"), "--format", "json", "--dry-run")
    assert json.loads(capsys.readouterr().out) == {
        "new": 3,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "errors": [],
    }
    assert not Invoice.objects.exists()
    call_command("import", "invoices", str(FILES / "invoices_1c.csv"), "--format", "json")
    assert Invoice.objects.count() == 3


def test_the_import_page_previews_and_commits_invoices_and_the_history_lists_them(
    world, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    world.org.head.language = "en"
    world.org.head.save()
    client.force_login(world.org.head)
    upload = SimpleUploadedFile("1c.csv", (FILES / "invoices_1c.csv").read_bytes(), content_type="text/csv")
    preview = client.post(
        reverse("imports:preview"), {"kind": "invoices", "file": upload, "on_duplicate": "update"}
    )
    assert preview.status_code == 200 and preview.context["report"].new == 3 and not Invoice.objects.exists()
    done = client.post(
        reverse("imports:commit"),
        {"kind": "invoices", "token": preview.context["token"], "on_duplicate": "update"},
    )
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and (batch.kind, batch.counts["new"]) == ("invoices", 3)
    assert Invoice.objects.count() == 3
    # A manager who sees neither client: the page refuses the rows, nothing is written
    client.force_login(world.org.am_a1)
    upload = SimpleUploadedFile("1c.csv", (FILES / "invoices_1c.csv").read_bytes(), content_type="text/csv")
    refused = client.post(
        reverse("imports:preview"), {"kind": "invoices", "file": upload, "on_duplicate": "update"}
    )
    assert refused.status_code == 200 and refused.context["report"].failed == 3


def test_each_document_costs_the_same_queries_whatever_came_before(world):
    """No N+1 over the file: a document of two lines costs a fixed number of queries (the ledger's own: lock,
    rates, VAT, price list, number, insert, lines, months, receivables), the 10th as the 1st."""

    def cost(documents: int) -> int:
        rows = [
            f"Q-{documents}-{n};15.01.2026;7707083893;{sku};1;;;"
            for n in range(documents)
            for sku in ("R-1", "C-1")
        ]
        with CaptureQueriesContext(connection) as queries:
            assert (
                run("invoices", world.org.head, text="\n".join([HEADER, *rows]), dry_run=True).new
                == documents
            )
        return len(queries)

    one, five, ten = cost(1), cost(5), cost(10)
    per_document = (ten - five) // 5
    assert ten - five == five - one + per_document  # linear: every document the same
    assert per_document <= PER_DOCUMENT


def test_an_external_id_is_kept_and_one_already_taken_is_a_row_error(world):
    header = "Номер;Дата;ИНН;Номенклатура;Количество;Внешний идентификатор"
    report = run("invoices", world.org.head, text=f"{header}\nСЧ-1;15.01.2026;7707083893;R-1;1;1C-77")
    assert report.errors == [] and Invoice.objects.get(number="СЧ-1").external_id == "1C-77"
    taken = run("invoices", world.org.head, text=f"{header}\nСЧ-2;16.01.2026;7707083893;R-1;1;1C-77")
    assert [(e.row, e.column, e.message) for e in taken.errors] == [
        (2, "Внешний идентификатор", "Another document already has the external id 1C-77.")
    ]
    assert not Invoice.objects.filter(number="СЧ-2").exists()
