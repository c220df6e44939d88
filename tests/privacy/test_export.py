"""Export of everything Orbit holds about a contact, as JSON and CSV, through the reader's visibility; audited."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.activities.services import touch_plan
from orbit.imports.models import ExportLog
from orbit.privacy import erasure
from orbit.privacy.services import consent_record
from tests.factories import make_account


@pytest.fixture
def contact(org):
    account = make_account(org.head, org.am_a)
    contact = account_services.contact_create(
        by=org.head,
        account=account,
        full_name="Сидорова Анна",
        email="anna@beta.example",
        position="=HYPERLINK(1)",
    )
    touch = touch_plan(by=org.head, account=account, planned_for=timezone.localdate())
    touch.contacts.add(contact)
    consent_record(
        by=org.am_a,
        contact=contact,
        action="given",
        purpose="Рассылка",
        basis="consent",
        on_date=timezone.localdate(),
    )
    return contact


def _get(user, contact, fmt):
    client = Client()
    client.force_login(user)
    return client.get(reverse("privacy:export", args=[contact.account_id, contact.pk]), {"format": fmt})


def test_json_holds_every_section_and_the_export_is_audited(org, contact):
    response = _get(org.am_a, contact, "json")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="personal-data-contact-{contact.pk}.json"'
    )
    data = json.loads(response.content)
    assert data["contact"][0]["email"] == "anna@beta.example"
    assert [h["change"] for h in data["history"]] == ["+", "~"]  # created, then the consent recorded
    assert data["consents"][0]["purpose"] == "Рассылка"
    assert len(data["touches"]) == 1
    assert data["requests"] == [] and data["erasure"] == []
    log = ExportLog.objects.get()
    assert (log.by, log.list_name, log.query, log.format) == (
        org.am_a,
        "personal_data",
        f"contact={contact.pk}",
        "json",
    )
    assert log.rows == sum(len(v) for v in data.values() if isinstance(v, list))


def test_csv_is_flat_and_formula_safe(org, contact):
    response = _get(org.auditor, contact, "csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "record", "field", "value"]
    assert ["contact", "1", "position", "'=HYPERLINK(1)"] in rows
    assert ["consents", "1", "purpose", "Рассылка"] in rows


def test_through_visibility(org, contact):
    assert _get(org.am_b, contact, "json").status_code == 404
    assert _get(org.am_a, contact, "pdf").status_code == 400
    assert not ExportLog.objects.exists()


def test_after_erasure_the_export_holds_no_personal_data(org, contact):
    erasure.erase_contact(by=org.head, contact=contact, reference="№ 3 от 02.12.2026")
    text = _get(org.head, contact, "json").content.decode()
    assert "Сидорова" not in text and "anna@beta.example" not in text
    assert json.loads(text)["erasure"][0]["reference"] == "№ 3 от 02.12.2026"


def test_cli_export(org, contact, tmp_path):
    out = io.StringIO()
    call_command("privacy", "export", str(contact.pk), "--as", "am_a", stdout=out)
    assert json.loads(out.getvalue())["contact"][0]["full_name"] == "Сидорова Анна"
    target = tmp_path / "p.csv"
    call_command(
        "privacy", "export", str(contact.pk), "--as", "head", "--format", "csv", "--output", str(target)
    )
    assert target.read_text(encoding="utf-8").startswith("section,record,field,value")
    with pytest.raises(CommandError, match="not found"):
        call_command("privacy", "export", str(contact.pk), "--as", "am_b")
    assert ExportLog.objects.filter(list_name="personal_data").count() == 2


def test_api_gives_the_same_sections(org, contact):
    client = Client()
    client.force_login(org.am_a)
    response = client.get(f"/api/contacts/{contact.pk}/personal-data")
    assert response.status_code == 200
    data = response.json()
    assert data["contact"][0]["full_name"] == "Сидорова Анна" and len(data["touches"]) == 1
    assert ExportLog.objects.get().format == "api"
    client.force_login(org.am_b)
    assert client.get(f"/api/contacts/{contact.pk}/personal-data").status_code == 404
