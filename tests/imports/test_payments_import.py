"""Importing payments through the ledger: allocation to the named invoice or oldest first, an overpayment kept
as credit, duplicates by reference, row errors, all or nothing, undo (refused once the allocation changed),
the CLI, and who may."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from orbit.imports.models import ImportBatch, ImportedRow
from orbit.imports.undo import undo_import
from orbit.revenue import payments, totals
from orbit.revenue.models import Invoice, Payment, PaymentAllocation
from tests.imports import money_world
from tests.imports.money_world import FILES, run
from tests.revenue.ledger import issue, routers, row_counts

D = Decimal
HEADER = "Дата;Номер п/п;ИНН;Сумма;Счёт"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(org):
    """The sample invoices in the base: СЧ-101 (Ромашка, 7440, credited 1220: 6220 open), СЧ-102 (Вектор, 122)."""
    built = money_world.build(org)
    assert run("invoices", org.head, file="invoices_1c.csv").committed
    return built


def test_the_bank_file_is_recorded_and_allocated_as_the_ledger_does(world):
    report = run("payments", world.org.head, file="payments.csv")
    assert report.as_json() == {"new": 3, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}
    first, second = Invoice.objects.get(number="СЧ-101"), Invoice.objects.get(number="СЧ-102")
    # 3000 named for СЧ-101, then 1000 oldest first: 6220 − 4000 open
    assert (first.paid_total, first.open_amount) == (D("4000.00"), D("2220.00"))
    # 200 named for СЧ-102, which had 122 open: the 78 left is Вектор's credit
    assert (second.paid_total, second.open_amount) == (D("122.00"), D("0.00"))
    over = Payment.objects.get(reference="502")
    assert (over.amount, over.allocated_amount, over.manager, over.received_on.isoformat()) == (
        D("200.00"),
        D("122.00"),
        world.org.am_b,
        "2026-02-05",
    )
    assert list(
        PaymentAllocation.objects.order_by("id").values_list(
            "payment__reference", "invoice__number", "amount"
        )
    ) == [
        ("501", "СЧ-101", D("3000.00")),
        ("502", "СЧ-102", D("122.00")),
        ("503", "СЧ-101", D("1000.00")),
    ]
    for account in (world.romashka, world.vector):
        assert totals.ledger_problems(account) == []

    again = run("payments", world.org.head, file="payments.csv")
    assert (again.new, again.unchanged) == (0, 3) and Payment.objects.count() == 3
    assert (
        again.notes[1]
        == "Row 2: payment 501 is already in the base; a recorded payment is never edited: skipped."
    )


def test_bad_rows_are_named_and_nothing_is_written(world):
    before = row_counts()
    report = run(
        "payments",
        world.org.head,
        text="\n".join(
            [
                HEADER,
                "20.01.2026;601;7707083893;100;СЧ-101",  # fine, but not alone
                "21.01.2026;601;7707083893;50;",  # the same reference again
                "21.01.2026;602;7707083893;50;СЧ-102",  # Вектор's invoice
                "32.01.2026;603;7707083893;-5;",  # no such day; and the ledger would refuse a negative amount
                "21.01.2026;604;7707083893;0;",  # zero: the ledger refuses
                "21.01.2026;605;7707083893;;",
            ]
        ),
    )
    assert row_counts() == before and (report.new, report.failed) == (1, 5)
    assert [(e.row, e.column, e.value, e.message) for e in report.errors] == [
        (3, "Номер п/п", "601", "Payment 601 is in row 2 too."),
        (4, "Счёт", "СЧ-102", "No invoice СЧ-102 of this client among the invoices you see."),
        (5, "Дата", "32.01.2026", "“32.01.2026” is not a date that exists."),
        (6, "Сумма", "0", "The amount must be greater than zero."),
        (7, "Сумма", "", "Fill in the amount."),
    ]


def test_a_manager_records_payments_of_his_own_clients_only(world):
    text = HEADER + "\n20.01.2026;701;7736207543;10;СЧ-102"
    refused = run("payments", world.org.am_a, text=text)
    assert [e.message for e in refused.errors] == [
        "No account with INN 7736207543 among the accounts you see: import the account first."
    ]
    assert run("payments", world.org.am_b, text=text).committed
    with pytest.raises(PermissionDenied):
        run("payments", world.org.auditor, text=text)


def test_undo_takes_the_payments_back_unless_their_allocation_changed(world):
    report = run("payments", world.org.head, file="payments.csv")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert ImportedRow.objects.filter(batch=batch, target="revenue.payment").count() == 3
    # Вектор's 78 of credit goes to a new invoice: the imported payment 502 now pays something else too
    later = issue(
        world.shop,
        Invoice.objects.get(number="СЧ-102").issued_on,
        routers(world.shop),
        account=world.vector,
        by=world.org.head,
    )
    payments.payment_allocate(by=world.org.head, payment=Payment.objects.get(reference="502"), invoice=later)
    with pytest.raises(ValidationError) as refused:
        undo_import(by=world.org.head, batch=batch)
    assert refused.value.messages == [
        "Row 3: the payment's allocation to invoices has changed since the import."
    ]

    clean = run("payments", world.org.head, text=HEADER + "\n25.01.2026;801;7707083893;220;СЧ-101")
    undo_import(by=world.org.head, batch=ImportBatch.objects.get(pk=clean.batch_id))
    assert not Payment.objects.filter(reference="801").exists()
    assert Invoice.objects.get(number="СЧ-101").open_amount == D("2220.00")  # as before the second import
    assert totals.ledger_problems(world.romashka) == []


def test_the_command_records_payments_as_json(world, capsys):
    world.org.head.language = "en"
    world.org.head.save()
    call_command("import", "payments", str(FILES / "payments.csv"), "--format", "json")
    assert json.loads(capsys.readouterr().out)["new"] == 3 and Payment.objects.count() == 3
