"""Importing the ownership history: the rows of an account become its periods through the ownership ledger
(reason "import"), the last one the responsible manager; gaps, overlaps, open and future periods are row
errors; accounts with documents are refused; skip mode; undo; who may; the CLI."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from orbit.accounts import ownership, services
from orbit.accounts.models import ChangeReason, OwnershipPeriod
from orbit.imports.engine import SKIP
from orbit.imports.models import ImportBatch
from orbit.imports.undo import undo_import
from tests.imports import money_world
from tests.imports.money_world import FILES, run

HEADER = "ИНН;Ответственный;С;По"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(org):
    return money_world.build(org)


def periods(account) -> list[tuple]:
    return [
        (
            p.manager.username,
            timezone.localdate(p.started_at).isoformat(),
            p.ended_at and timezone.localdate(p.ended_at).isoformat(),
            p.reason,
        )
        for p in OwnershipPeriod.objects.filter(account=account).order_by("started_at")
    ]


def test_the_crm_history_replaces_the_periods_and_sets_the_manager(world):
    report = run("ownership", world.org.head, file="ownership.xlsx")
    assert report.as_json() == {"new": 0, "updated": 2, "unchanged": 0, "failed": 0, "errors": []}
    assert periods(world.romashka) == [
        ("am_b", "2023-01-01", "2024-07-01", ChangeReason.IMPORT),
        ("am_a", "2024-07-01", None, ChangeReason.IMPORT),
    ]
    # the handover written on the "to" day itself: the next manager from that day
    assert periods(world.vector) == [
        ("am_a", "2024-01-01", "2025-03-31", ChangeReason.IMPORT),
        ("am_b", "2025-03-31", None, ChangeReason.IMPORT),
    ]
    for account in (world.romashka, world.vector):
        account.refresh_from_db()
        assert ownership.check_invariant(account) == []
    assert (world.romashka.responsible_manager, world.vector.responsible_manager) == (
        world.org.am_a,
        world.org.am_b,
    )
    assert ownership.responsible_on(world.romashka, dt.date(2024, 6, 30)) == world.org.am_b

    again = run("ownership", world.org.head, file="ownership.xlsx")
    assert (again.updated, again.unchanged) == (0, 2)


def test_gaps_overlaps_and_open_periods_are_row_errors(world):
    before = periods(world.romashka)
    report = run(
        "ownership",
        world.org.head,
        text="\n".join(
            [
                HEADER,
                "7707083893;Смирнова Ольга;01.01.2023;31.12.2023",
                "7707083893;Петров Иван;01.02.2024;30.06.2024",  # a month nobody held it
                "7707083893;olga@example.com;01.06.2024;",  # starts before row 3 ends
                "7736207543;Петров Иван;01.01.2024;",  # open, but not the last
                "7736207543;Ольга Смирнова;01.01.2025;31.12.2025",  # the last has an end
                "7702070139;Смирнова Ольга;01.01.2024;",  # a client nobody has
                "7728168971;Сидоров Пётр;01.01.2024;",
            ]
        ),
    )
    assert periods(world.romashka) == before and not report.committed
    assert (report.updated, report.failed) == (0, 4)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "С", "Nobody was responsible from 01.01.2024: row 2 ends on 31.12.2023."),
        (4, "С", "This period overlaps row 3's, which ends on 30.06.2024."),
        (5, "По", "Only the last period is open; row 6 starts a later one."),
        (6, "По", "The last period has an end: leave “to” empty for the manager responsible now."),
        (7, "ИНН", "No account with INN 7702070139 among the accounts you see: import the account first."),
        (8, "ИНН", "No account with INN 7728168971 among the accounts you see: import the account first."),
        (8, "Ответственный", "No user “Сидоров Пётр” in Orbit: add the person or fix the name."),
    ]


def test_an_account_with_documents_keeps_its_history_and_skip_keeps_any(world):
    assert run("invoices", world.org.head, file="invoices_1c.csv").committed
    report = run("ownership", world.org.head, file="ownership.xlsx")
    assert [(e.row, e.message) for e in report.errors] == [
        (
            2,
            "The client has invoices or payments: they record the manager of their date from the present "
            "history, so it cannot be replaced. Import the history before the documents.",
        ),
        (3, report.errors[0].message),
    ]
    skipped = run("ownership", world.org.head, file="ownership.xlsx", on_duplicate=SKIP)
    assert (skipped.unchanged, skipped.errors) == (2, [])


def test_undo_puts_the_previous_history_back_unless_the_account_changed(world):
    before = periods(world.romashka)
    report = run("ownership", world.org.head, file="ownership.xlsx")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    services.account_reassign(by=world.org.head, account=world.vector, manager=world.org.am_a)
    with pytest.raises(ValidationError) as refused:
        undo_import(by=world.org.head, batch=batch)
    assert refused.value.messages == ["Row 3: the account was changed after the import."]

    report = run("ownership", world.org.head, text=HEADER + "\n7707083893;Петров Иван;01.03.2025;")
    assert report.updated == 1
    undo_import(by=world.org.head, batch=ImportBatch.objects.get(pk=report.batch_id))
    world.romashka.refresh_from_db()
    assert periods(world.romashka)[-1] == ("am_a", "2024-07-01", None, ChangeReason.IMPORT)
    assert world.romashka.responsible_manager == world.org.am_a and before != periods(world.romashka)


def test_only_the_head_and_admins_import_history(world):
    text = HEADER + "\n7707083893;Смирнова Ольга;01.01.2024;"
    for person in (world.org.lead_a, world.org.am_a, world.org.auditor):
        with pytest.raises(PermissionDenied):
            run("ownership", person, text=text)
    assert run("ownership", world.org.admin, text=text).as_json()["updated"] == 0  # the same as the base


def test_the_command_imports_history_from_xlsx(world, capsys):
    world.org.head.language = "en"
    world.org.head.save()
    call_command("import", "ownership", str(FILES / "ownership.xlsx"), "--format", "json")
    assert json.loads(capsys.readouterr().out)["updated"] == 2
