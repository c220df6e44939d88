"""Retention: contacts of accounts churned more than ORBIT_PERSONAL_DATA_RETENTION_YEARS ago are erased by the
morning run; each run is recorded."""

import datetime as dt
import io
import pathlib

from django.core.management import call_command
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.accounts.models import Account, Contact
from orbit.privacy import erasure, retention
from orbit.privacy.models import Erasure, RetentionRun
from tests.factories import make_account

UNIT = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "orbit-morning.service"


def _account_with_contact(org, name, *, churned_days_ago=None):
    account = make_account(org.head, org.am_a)
    contact = account_services.contact_create(by=org.head, account=account, full_name=name)
    if churned_days_ago is not None:
        Account.objects.filter(pk=account.pk).update(
            status="churned", status_changed_at=timezone.now() - dt.timedelta(days=churned_days_ago)
        )
    return contact


def test_contacts_of_accounts_churned_long_ago_are_erased(org, settings):
    settings.ORBIT_PERSONAL_DATA_RETENTION_YEARS = 3
    old = _account_with_contact(org, "Старый Клиент", churned_days_ago=3 * 366)
    recent = _account_with_contact(org, "Недавний Клиент", churned_days_ago=2 * 365)
    active = _account_with_contact(org, "Активный Клиент")

    assert retention.run(dry_run=True).erased == 1
    assert not Erasure.objects.exists() and not RetentionRun.objects.exists()

    run = retention.run()
    assert run.erased == 1 and RetentionRun.objects.get() == run
    assert Contact.objects.get(pk=old.pk).full_name == erasure.erased_name(old.pk)
    assert Contact.objects.get(pk=recent.pk).full_name == "Недавний Клиент"
    assert Contact.objects.get(pk=active.pk).full_name == "Активный Клиент"
    audit = Erasure.objects.get()
    assert (audit.contact_id, audit.kind, audit.by, audit.reference) == (old.pk, "retention", None, "")
    assert retention.run().erased == 0  # nothing twice


def test_the_setting_and_the_command(org, settings):
    settings.ORBIT_PERSONAL_DATA_RETENTION_YEARS = 1
    _account_with_contact(org, "Недавний Клиент", churned_days_ago=2 * 365)
    out = io.StringIO()
    call_command("privacy", "retention", stdout=out)
    assert "(1 years): 1 erased" in out.getvalue()


def test_the_morning_run_applies_it():
    assert "ExecStart=/opt/orbit/.venv/bin/orbit privacy retention" in UNIT.read_text().splitlines()


def test_several_accounts_in_one_run_each_loses_only_its_own_people(org, settings):
    settings.ORBIT_PERSONAL_DATA_RETENTION_YEARS = 3
    first = _account_with_contact(org, "Первый Клиент", churned_days_ago=4 * 365)
    second = _account_with_contact(org, "Второй Клиент", churned_days_ago=5 * 365)
    Account.objects.filter(pk=second.account_id).update(goals="Первый Клиент рекомендовал нас")
    assert retention.run().erased == 2
    assert {e.account_id for e in Erasure.objects.all()} == {first.account_id, second.account_id}
    # A namesake in another account's text is not the person erased there.
    assert Account.objects.get(pk=second.account_id).goals == "Первый Клиент рекомендовал нас"
