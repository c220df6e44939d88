import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orbit.accounts import services
from tests.factories import make_account


def test_archive_hides_frees_inn_and_restore_brings_back(client, org):
    account = make_account(org.head, org.am_a, inn="7707083893", kpp="773601001")
    services.account_archive(by=org.am_a, account=account)
    client.force_login(org.am_a)
    assert client.get(reverse("accounts:list")).context["page"].paginator.count == 0
    card = client.get(reverse("accounts:detail", args=[account.pk]))
    assert card.status_code == 200 and card.context["account"].is_archived
    restored = services.account_restore(by=org.am_a, account=account)
    assert restored.archived_at is None
    assert client.get(reverse("accounts:list")).context["page"].paginator.count == 1


def test_restore_refuses_when_the_inn_was_taken_meanwhile(org):
    old = make_account(org.head, org.am_a, inn="7707083893", kpp="773601001")
    services.account_archive(by=org.head, account=old)
    new = make_account(org.head, org.am_b, legal_name="ООО «Преемник»", inn="7707083893", kpp="773601001")
    with pytest.raises(ValidationError) as error:
        services.account_restore(by=org.head, account=old)
    assert str(new.pk) in error.value.message_dict["inn"][0]


def test_archived_account_cannot_be_changed_until_restored(org):
    account = make_account(org.head, org.am_a)
    services.account_archive(by=org.am_a, account=account)
    account.refresh_from_db()
    for change in (
        lambda: services.account_update(by=org.am_a, account=account, version=None, goals="x"),
        lambda: services.account_set_status(by=org.am_a, account=account, status="dormant"),
        lambda: services.account_reassign(by=org.head, account=account, manager=org.am_b),
        lambda: services.contact_create(by=org.am_a, account=account, full_name="Новый"),
    ):
        with pytest.raises(ValidationError):
            change()


def test_contact_archive_and_restore(client, org):
    account = make_account(org.head, org.am_a)
    contact = services.contact_create(by=org.am_a, account=account, full_name="Пётр Лаптев")
    client.force_login(org.am_a)
    client.post(reverse("accounts:contact_archive", args=[account.pk, contact.pk]))
    card = client.get(reverse("accounts:detail", args=[account.pk]))
    assert card.context["contacts"] == [] and [c.pk for c in card.context["archived_contacts"]] == [
        contact.pk
    ]
    client.post(reverse("accounts:contact_restore", args=[account.pk, contact.pk]))
    card = client.get(reverse("accounts:detail", args=[account.pk]))
    assert [c.pk for c in card.context["contacts"]] == [contact.pk]


def test_contact_of_another_account_is_not_reachable_through_this_one(client, org):
    mine = make_account(org.head, org.am_a)
    other = make_account(org.head, org.am_a)
    contact = services.contact_create(by=org.am_a, account=other, full_name="Чужой контакт")
    client.force_login(org.am_a)
    assert client.post(reverse("accounts:contact_archive", args=[mine.pk, contact.pk])).status_code == 404
    assert client.get(reverse("accounts:contact_edit", args=[mine.pk, contact.pk])).status_code == 404
