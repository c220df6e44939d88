"""The accounts import in chunks (imports/accounts.py): queries grow with the chunks, not the rows; what the bulk
writes is what the services would have written; the permission rules hold per owner; holdings across chunks."""

import io
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import translation

from orbit.accounts.models import Account, AccountStatus, ChangeReason, OwnershipPeriod
from orbit.imports import accounts
from orbit.imports.accounts import import_accounts
from orbit.imports.models import ImportBatch, ImportedRow, ImportStatus
from orbit.imports.reading import open_table
from tests.factories import make_account, unique_inn

HEADER = "Название;ИНН;КПП;Ответственный;Статус;ИНН холдинга"


def run(by, lines: list[str], **options):
    text = "\n".join([HEADER, *lines])
    with translation.override("en"):
        table = open_table(io.BytesIO(text.encode("utf-8")), "a.csv")
        return import_accounts(by=by, table=table, file_name="a.csv", **options)


def rows(count: int, owner: str) -> list[str]:
    """Organisations, every fifth under the first row's company (a holding named by INN)."""
    inns = [unique_inn() for _ in range(count)]
    return [
        f"ООО «Компания {n}»;{inn};770101001;{owner};;{inns[0] if n % 5 == 4 else ''}"
        for n, inn in enumerate(inns)
    ]


@pytest.mark.parametrize("chunks", [1, 4])
def test_queries_grow_with_the_chunks_not_the_rows(org, monkeypatch, django_assert_max_num_queries, chunks):
    """A chunk: its INNs (1), its namesakes and which of them the importer sees (2), ids (1), COPY of accounts,
    history, periods, import rows (4), the ownership of its accounts checked together (the setting on and off
    around two of the COPYs, the check: 3), and its holdings: the parents seen (1) and the two updates (2)
    = 14 at most. Around them: the people, the access context, the batch, the savepoint and the undo record: at
    most 12, whatever the number of rows."""
    monkeypatch.setattr(accounts, "CHUNK", 50)
    with django_assert_max_num_queries(12 + 14 * chunks):
        report = run(org.head, rows(50 * chunks, "am_a"))
    assert report.as_json() == {"new": 50 * chunks, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}
    assert Account.objects.filter(parent__isnull=False).count() == 10 * chunks


def test_a_new_account_is_written_as_the_services_write_it(org):
    parent_inn = unique_inn()
    report = run(
        org.head,
        [
            f"ООО «Дочка»;{unique_inn()};770101001;am_a;;{parent_inn}",  # its holding comes later in the file
            f"АО «Холдинг»;{parent_inn};770101001;am_a;;",
            f"ООО «Спящий»;{unique_inn()};770101001;am_b;спящий;",
            f"ИП Соколов;{unique_inn(12)};;;;",
        ],
    )
    assert report.committed and report.new == 4
    child, holding = Account.objects.get(legal_name="ООО «Дочка»"), Account.objects.get(inn=parent_inn)
    assert (child.parent, child.status, child.responsible_manager, child.version) == (
        holding,
        AccountStatus.ACTIVE,
        org.am_a,
        2,  # created (1), given to its manager (2): as account_create then ownership.transfer count
    )
    assert (child.sort_name, child.manager_sort, child.name_key) == ("дочка", "am_a", "дочка")
    assert child.search_text == f"ооо «дочка» {child.inn}"
    created = child.history.get()
    assert (created.history_type, created.history_user, created.parent_id) == ("+", org.head, holding.pk)
    period = OwnershipPeriod.objects.get(account=child)
    assert (period.manager, period.reason, period.changed_by, period.ended_at) == (
        org.am_a,
        ChangeReason.IMPORT,
        org.head,
        None,
    )
    dormant = Account.objects.get(legal_name="ООО «Спящий»")
    assert (dormant.status, dormant.version) == (AccountStatus.DORMANT, 3)
    prospect = Account.objects.get(legal_name="ИП Соколов")
    assert (prospect.status, prospect.responsible_manager, prospect.version) == (
        AccountStatus.PROSPECT,
        None,
        1,
    )
    assert not OwnershipPeriod.objects.filter(account=prospect).exists()
    kept = ImportedRow.objects.filter(batch_id=report.batch_id)
    assert sorted(kept.values_list("row", "action", "version_after")) == [
        (2, "new", 2),
        (3, "new", 2),
        (4, "new", 3),
        (5, "new", 1),
    ]


def test_a_lead_may_give_accounts_only_to_his_people(org):
    report = run(
        org.lead_a,
        [f"ООО «Своя»;{unique_inn()};770101001;am_a;;", f"ООО «Чужая»;{unique_inn()};770101001;am_b;;"],
    )
    assert not report.committed and not Account.objects.exists()
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "Ответственный", "You may not change this record.")
    ]


def test_holdings_that_make_a_ring_are_refused(org, monkeypatch):
    monkeypatch.setattr(accounts, "CHUNK", 2)  # the ring spans chunks
    a, b, c = unique_inn(), unique_inn(), unique_inn()
    report = run(
        org.head,
        [
            f"ООО «А»;{a};770101001;am_a;;{b}",
            f"ООО «Б»;{b};770101001;am_a;;{c}",
            f"ООО «В»;{c};770101001;am_a;;{a}",
        ],
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (4, "ИНН холдинга", "An account cannot be its own holding, directly or through others.")
    ]
    assert (report.new, report.failed) == (2, 1) and not Account.objects.exists()


def test_a_budget_that_does_not_fit_is_a_row_error(org):
    report = run(org.head, [f"ООО «Бюджет»;{unique_inn()};770101001;am_a;;"], mapping=None)
    assert report.committed
    text = "Название;ИНН;КПП;Бюджет\n" + f"ООО «Много»;{unique_inn()};770101001;12345678901234567,00"
    with translation.override("en"):
        big = import_accounts(
            by=org.head, table=open_table(io.BytesIO(text.encode()), "b.csv"), file_name="b"
        )
    assert [(e.row, e.column) for e in big.errors] == [(2, "Бюджет")]
    assert not big.committed


@pytest.mark.django_db(transaction=True)
def test_an_inn_added_by_someone_else_meanwhile_refuses_the_import_without_a_server_error(org):
    """Another connection inserts the file's INN and commits while the import writes: the import's insert hits
    the unique index; the import is refused with a message, nothing of it is written."""
    inn = unique_inn()
    inserted, release = threading.Event(), threading.Event()

    def someone_else():
        try:
            with transaction.atomic():
                make_account(org.head, org.am_b, legal_name="Тем временем", inn=inn, kpp="770101001")
                inserted.set()
                release.wait(10)
                time.sleep(2)  # the import is waiting on the unique index by now
        finally:
            connection.close()

    thread = threading.Thread(target=someone_else)
    thread.start()
    assert inserted.wait(10)
    release.set()
    report = run(org.head, [f"ООО «Файл»;{inn};770101001;am_a;;"])
    thread.join()
    assert not report.committed and report.new == 1
    assert [e.message for e in report.errors] == [
        "The base changed while the file was imported (someone added the same records): "
        "nothing was imported. Try again."
    ]
    assert list(Account.objects.values_list("legal_name", flat=True)) == ["Тем временем"]
    assert ImportBatch.objects.get().status == ImportStatus.REFUSED
