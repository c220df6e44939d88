"""The consent log: append-only, recorded by those who change the account, shown on the contact's page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.privacy import erasure
from orbit.privacy.models import ConsentRecord
from orbit.privacy.services import consent_record
from tests.factories import make_account


@pytest.fixture
def contact(org):
    account = make_account(org.head, org.am_a)
    return account_services.contact_create(by=org.head, account=account, full_name="Сидорова Анна")


def _record(by, contact, action="given", on_date=None, **fields):
    return consent_record(
        by=by,
        contact=contact,
        action=action,
        purpose=fields.get("purpose", "Рассылка о новых продуктах"),
        basis="consent",
        on_date=on_date or timezone.localdate(),
        source=fields.get("source", "подписанная анкета"),
    )


def test_the_contact_follows_the_latest_record(org, contact):
    today = timezone.localdate()
    _record(org.am_a, contact, on_date=today - dt.timedelta(days=10))
    contact.refresh_from_db()
    assert (contact.consent_given, contact.consent_date, contact.consent_source) == (
        True,
        today - dt.timedelta(days=10),
        "подписанная анкета",
    )
    _record(org.am_a, contact, action="withdrawn", source="письмо № 7")
    contact.refresh_from_db()
    assert (contact.consent_given, contact.consent_date, contact.consent_source) == (False, None, "")
    assert list(ConsentRecord.objects.filter(contact=contact).values_list("action", flat=True)) == [
        "given",
        "withdrawn",
    ]
    # The contact's history says who changed the consent.
    assert contact.history.first().history_user == org.am_a


def test_the_log_is_append_only(org, contact):
    record = _record(org.am_a, contact)
    record.purpose = "Другое"
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    assert ConsentRecord.objects.get().purpose == "Рассылка о новых продуктах"


def test_who_may_record(org, contact):
    for person in (org.auditor, org.am_b, org.outsider):
        with pytest.raises(PermissionDenied):
            _record(person, contact)
    _record(org.lead_a, contact)
    assert ConsentRecord.objects.count() == 1


def test_refused_records(org, contact):
    with pytest.raises(ValidationError) as error:
        _record(org.am_a, contact, on_date=timezone.localdate() + dt.timedelta(days=1))
    assert "on_date" in error.value.error_dict
    erasure.erase_contact(by=org.head, contact=contact, reference="№ 1")
    with pytest.raises(ValidationError):
        _record(org.am_a, contact)
    assert ConsentRecord.objects.count() == 0


def test_the_page_shows_the_log_and_refuses_a_bad_form(org, contact):
    _record(org.am_a, contact)
    client = Client()
    client.force_login(org.am_a)
    page = client.get(reverse("privacy:contact", args=[contact.account_id, contact.pk]))
    assert page.status_code == 200
    assert "Рассылка о новых продуктах" in page.content.decode()
    url = reverse("privacy:consent_add", args=[contact.account_id, contact.pk])
    bad = client.post(url, {"action": "given", "purpose": "", "basis": "consent", "on_date": "2026-01-15"})
    assert bad.status_code == 400 and ConsentRecord.objects.count() == 1
    good = client.post(
        url, {"action": "withdrawn", "purpose": "Рассылка", "basis": "consent", "on_date": "2026-01-15"}
    )
    assert good.status_code == 302 and ConsentRecord.objects.count() == 2
