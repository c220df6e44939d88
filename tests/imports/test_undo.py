"""Undoing a whole import while nobody has changed its rows: created accounts go, changed ones get their values
and their manager back; refused, with the row, when something changed since; only once; only by the importer
or those who see everything."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from orbit.accounts import services
from orbit.accounts.models import Account, ChangeReason, OwnershipPeriod
from orbit.imports.accounts import import_accounts
from orbit.imports.models import ImportBatch, ImportStatus
from orbit.imports.reading import open_table
from orbit.imports.undo import undo_import
from tests.factories import make_account

HEADER = "Название;ИНН;КПП;Ответственный;ИНН холдинга"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def imported(org):
    """Row 2 creates a holding, row 3 a member under it; row 4 renames am_b's old client, moves it to am_a and
    puts it under the new holding."""
    old = make_account(org.head, org.am_b, legal_name="Старое имя", inn="7707083893", kpp="770701001")
    text = "\n".join(
        [
            HEADER,
            "АО «Холдинг»;7728168971;772801001;am_a;",
            "ООО «Дочка»;7702070139;770201001;am_a;7728168971",
            "ООО «Ромашка»;7707083893;770701001;am_a;7728168971",
        ]
    )
    report = import_accounts(by=org.head, table=open_table(io.BytesIO(text.encode())), file_name="x.csv")
    assert report.committed and (report.new, report.updated) == (2, 1)
    return org, old, ImportBatch.objects.get(pk=report.batch_id)


def test_undo_puts_the_base_back(imported):
    org, old, batch = imported
    undo_import(by=org.head, batch=batch)
    assert not Account.objects.filter(inn__in=["7728168971", "7702070139"]).exists()
    old.refresh_from_db()
    assert (old.legal_name, old.responsible_manager, old.parent) == ("Старое имя", org.am_b, None)
    back = OwnershipPeriod.objects.filter(account=old).order_by("started_at").last()
    assert (back.manager, back.reason, back.comment) == (
        org.am_b,
        ChangeReason.REVERSAL,
        f"import №{batch.pk} undone",
    )
    batch.refresh_from_db()
    assert (batch.status, batch.undone_by) == (ImportStatus.UNDONE, org.head) and batch.undone_at
    with pytest.raises(ValidationError) as again:
        undo_import(by=org.head, batch=batch)
    assert again.value.messages == ["Only an import that was written can be undone, and only once."]


def test_a_row_changed_since_stops_the_whole_undo(imported):
    org, old, batch = imported
    services.account_update(
        by=org.head, account=Account.objects.get(inn="7702070139"), version=None, short_name="Дочка"
    )
    with pytest.raises(ValidationError) as refused:
        undo_import(by=org.head, batch=batch)
    assert refused.value.messages == ["Row 3: the account was changed after the import."]
    assert Account.objects.filter(inn="7728168971").exists()  # nothing was undone
    assert Account.objects.get(pk=old.pk).legal_name == "ООО «Ромашка»"


def test_a_created_account_with_records_of_its_own_is_not_deleted(imported):
    org, _old, batch = imported
    holding = Account.objects.get(inn="7728168971")
    services.contact_create(by=org.head, account=holding, full_name="Иван Петров")
    with pytest.raises(ValidationError) as refused:
        undo_import(by=org.head, batch=batch)
    assert refused.value.messages == [
        "Row 2: the account has records of its own now (contacts, touches, documents…)."
    ]
    assert Account.objects.filter(inn="7702070139").exists()  # all or nothing


def test_who_may_undo(imported, client):
    org, _old, batch = imported
    with pytest.raises(PermissionDenied):
        undo_import(by=org.auditor, batch=batch)
    client.force_login(org.am_a)  # not his import, and he does not see everything: not even found
    assert client.post(reverse("imports:undo", args=[batch.pk])).status_code == 404
    client.force_login(org.admin)
    assert client.post(reverse("imports:undo", args=[batch.pk])).status_code == 302
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.UNDONE
