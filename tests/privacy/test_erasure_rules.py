"""Who may erase, the confirmation and the request reference, and erasing twice."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.accounts.models import Contact
from orbit.imports import export_background
from orbit.imports.exporting import Column, ListExport
from orbit.imports.models import ExportLog
from orbit.privacy import erasure
from orbit.privacy.models import Erasure
from tests.factories import make_account


@pytest.fixture
def contact(org):
    account = make_account(org.head, org.am_a)
    return account_services.contact_create(
        by=org.head, account=account, full_name="Кузнецов Олег", phone="+7 495 123-45-67"
    )


def _post(user, contact, **data):
    client = Client()
    client.force_login(user)
    return client.post(reverse("privacy:erase", args=[contact.account_id, contact.pk]), data)


def test_only_the_head_and_admins_erase(org, contact):
    for person in (org.am_a, org.lead_a, org.auditor):
        assert _post(person, contact, reference="№ 1", confirm="on").status_code == 403
    assert _post(org.am_b, contact, reference="№ 1", confirm="on").status_code == 404
    assert not Erasure.objects.exists()
    assert _post(org.admin, contact, reference="№ 1", confirm="on").status_code == 302
    assert Erasure.objects.get().by == org.admin


@pytest.mark.parametrize(
    "data",
    [
        {"reference": "№ 1"},  # not confirmed
        {"reference": "", "confirm": "on"},
        {"reference": "письмо Кузнецов Олег", "confirm": "on"},  # the audit must not name him
        {"reference": "звонок с 8 495 123 45 67", "confirm": "on"},
    ],
)
def test_refused_without_confirmation_or_with_a_personal_reference(org, contact, data):
    response = _post(org.head, contact, **data)
    assert response.status_code == 400
    assert not Erasure.objects.exists()
    assert Contact.objects.get(pk=contact.pk).full_name == "Кузнецов Олег"


def test_twice_is_refused_and_the_audit_page_lists_it(org, contact):
    assert _post(org.head, contact, reference="№ 2 от 01.12.2026", confirm="on").status_code == 302
    assert _post(org.head, contact, reference="№ 2 от 01.12.2026", confirm="on").status_code == 400
    client = Client()
    client.force_login(org.auditor)
    page = client.get(reverse("privacy:erasures"))
    assert page.status_code == 200 and "№ 2 от 01.12.2026" in page.content.decode()
    client.force_login(org.am_a)
    assert client.get(reverse("privacy:erasures")).status_code == 403
    client.force_login(org.head)
    card = client.get(reverse("privacy:contact", args=[contact.account_id, contact.pk])).content.decode()
    assert erasure.erased_name(contact.pk) in card and "Кузнецов" not in card


def test_cli_erase_asks_for_confirmation(org, contact):
    with pytest.raises(CommandError, match="--yes"):
        call_command("privacy", "erase", str(contact.pk), "--as", "head", "--reference", "№ 4")
    with pytest.raises(CommandError, match="may not"):
        call_command("privacy", "erase", str(contact.pk), "--as", "am_a", "--reference", "№ 4", "--yes")
    out = io.StringIO()
    call_command(
        "privacy", "erase", str(contact.pk), "--as", "head", "--reference", "№ 4", "--yes", stdout=out
    )
    assert f"Contact {contact.pk} erased" in out.getvalue()
    assert Erasure.objects.get().reference == "№ 4"


def test_an_export_being_written_when_the_erasure_comes_keeps_no_file(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    log = ExportLog.objects.create(
        by=org.head, list_name="contacts", format="csv", background=True, status="queued"
    )

    def erased_meanwhile(_row):  # the erasure marks the running export failed while the worker writes
        erasure._remove_contact_exports()
        return "x"

    export = ListExport("contacts", "contacts", [Column("name", erased_meanwhile)], lambda user, params: [1])
    export_background.run(log, export)
    log.refresh_from_db()
    assert (log.status, log.file) == ("failed", "")
    assert not list((tmp_path / "exports").iterdir())
    assert log.finished_at <= timezone.now()
