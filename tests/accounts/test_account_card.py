"""The account card organised for work: the header's key facts and quick actions, a fixed number of queries
however much hangs off the account, and the company's phone, address and website kept through the form."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import services
from orbit.activities import services as touches
from orbit.activities.models import Touch
from orbit.requests import services as requests
from orbit.requests.models import Department
from tests.factories import make_account

# The card's own queries (session, user, account with its joins, periods, contacts, team, holding, merged, the
# access context) plus one per registered fact (touches, requests); measured at 11, with two to spare.
MAX_CARD_QUERIES = 13


@pytest.fixture
def account(org):
    return make_account(
        org.head,
        org.am_a,
        legal_name="ООО «Ромашка»",
        phone="+74951234567",
        address="125009, г Москва, ул Тверская, д 1",
        website="https://romashka.ru",
    )


def _work(org, account, *, n: int):
    support = Department.objects.get(code="support")
    for i in range(n):
        touches.touch_log(
            by=org.am_a,
            account=account,
            duration_minutes=15,
            happened_at=timezone.now() - dt.timedelta(days=10 - i),
        )
        requests.request_create(
            by=org.am_a,
            account=account,
            request_type="question",
            priority="normal",
            department=support,
            subject=f"Вопрос {i}",
        )


def test_the_header_shows_the_key_facts(client, org, account):
    _work(org, account, n=2)
    planned = touches.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    Touch.objects.filter(pk=planned.pk).update(planned_for=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:detail", args=[account.pk]))
    facts = response.context["facts"]
    assert facts["open_requests"] == 2
    assert facts["last_touch_at"] is not None
    assert facts["next_touch_on"] == timezone.localdate() - dt.timedelta(days=3)
    assert response.context["next_touch_overdue"]
    body = response.content.decode()
    assert 'href="tel:+74951234567"' in body and "romashka.ru" in body and "ул Тверская" in body
    assert 'class="overdue"' in body


def test_the_header_costs_the_same_queries_however_much_work_there_is(
    client, org, account, django_assert_max_num_queries
):
    client.force_login(org.am_a)
    url = reverse("accounts:detail", args=[account.pk])
    client.get(url)
    with django_assert_max_num_queries(MAX_CARD_QUERIES) as few:
        client.get(url)
    _work(org, account, n=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_quick_actions_show_only_what_the_reader_may_do(client, org, account):
    url = reverse("accounts:detail", args=[account.pk])
    client.force_login(org.am_a)
    actions = client.get(url).context["actions"]
    assert actions == {"touch": True, "request": True, "handoff": True}
    body = client.get(url).content.decode()
    assert reverse("activities:touch_log", args=[account.pk]) in body
    assert f"{reverse('requests:create')}?account={account.pk}" in body
    client.force_login(org.auditor)
    response = client.get(url)
    assert not any(response.context["actions"].values())
    assert reverse("activities:touch_log", args=[account.pk]) not in response.content.decode()


def test_an_archived_account_offers_no_quick_actions(client, org, account):
    services.account_archive(by=org.head, account=account)
    client.force_login(org.am_a)
    assert client.get(reverse("accounts:detail", args=[account.pk])).context["actions"] == {}


def test_every_section_is_still_on_the_card(client, org, account):
    client.force_login(org.am_a)
    body = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    for panel in ("revenue:account_panel", "growth:account_panel", "analytics:account_panel"):
        assert reverse(panel, args=[account.pk]) in body
    assert reverse("activities:account_panel", args=[account.pk]) in body
    assert reverse("requests:account_panel", args=[account.pk]) in body
    assert reverse("accounts:history", args=[account.pk]) in body
    for anchor in ("profile-h", "contacts-h", "history-h", "changes-h"):
        assert f'href="#{anchor}"' in body and f'id="{anchor}"' in body


def test_the_form_keeps_phone_address_and_website(client, org):
    account = make_account(org.head, org.am_a)
    client.force_login(org.am_a)
    data = {
        "legal_name": account.legal_name,
        "inn": account.inn,
        "kpp": account.kpp,
        "tier": account.tier,
        "budget_currency": "RUB",
        "version": account.version,
        "phone": "8 (495) 765-43-21",
        "address": "г Казань, ул Баумана, д 5",
        "website": "romashka.ru",
        "director": "Петров Пётр Петрович, директор",
    }
    response = client.post(reverse("accounts:edit", args=[account.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    account.refresh_from_db()
    assert account.phone == "+74957654321"
    assert account.website == "https://romashka.ru"
    assert account.address == "г Казань, ул Баумана, д 5"
    assert account.director.startswith("Петров")


def test_a_bad_phone_or_website_is_a_field_error(client, org):
    account = make_account(org.head, org.am_a)
    client.force_login(org.am_a)
    data = {
        "legal_name": account.legal_name,
        "inn": account.inn,
        "kpp": account.kpp,
        "tier": account.tier,
        "budget_currency": "RUB",
        "version": account.version,
        "phone": "12",
        "website": "not a site",
    }
    response = client.post(reverse("accounts:edit", args=[account.pk]), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone", "website"}


def test_the_service_stores_one_form_of_a_phone_and_refuses_a_bad_one(org):
    account = make_account(org.head, org.am_a, phone="8 495 123-45-67")
    assert account.phone == "+74951234567"
    with pytest.raises(ValidationError) as refused:
        services.account_update(by=org.am_a, account=account, version=None, phone="abc")
    assert "phone" in refused.value.message_dict
