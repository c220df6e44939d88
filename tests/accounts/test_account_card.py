"""The account card organised for work: the header's key facts and quick actions, a fixed number of queries
however much hangs off the account, and the company's phone, address and website kept through the form."""

import datetime as dt
import re

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

# The card's own queries (session, user, account with its joins, contacts, merged, the access context) plus one
# per registered fact (touches, requests); measured at 8 (11 before the tabs, when the team, the ownership periods
# and the holding were read with it), with two to spare.
MAX_CARD_QUERIES = 10
# What opening the card costs in all: the card and the panels its chosen tab fetches on load. Measured with the
# test client: 72 queries in 7 requests when every panel loaded at once, 17 in 2 with the tabs (the Overview).
MAX_FIRST_LOAD_QUERIES = 20


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


def _panels_loaded_at_once(body: str) -> list[str]:
    return re.findall(r'hx-get="([^"]+)" hx-trigger="load"', body)


def test_every_section_is_a_tab_and_only_the_chosen_one_loads(client, org, account):
    client.force_login(org.am_a)
    url = reverse("accounts:detail", args=[account.pk])
    body = client.get(url).content.decode()
    for slug in ("overview", "requests", "contacts", "money", "growth", "analytics", "ownership", "timeline"):
        assert f'id="tab-{slug}" href="?tab={slug}" aria-controls="panel-{slug}"' in body
        assert f'role="tabpanel" id="panel-{slug}" aria-labelledby="tab-{slug}"' in body
    # Every panel is on the page; only the Overview's touches load with it, the others when their tab is opened.
    for panel in ("revenue:account_panel", "growth:account_panel", "analytics:account_panel"):
        assert reverse(panel, args=[account.pk]) in body
    for panel in ("requests:account_panel", "accounts:history", "accounts:ownership"):
        assert reverse(panel, args=[account.pk]) in body
    assert _panels_loaded_at_once(body) == [reverse("activities:account_panel", args=[account.pk])]
    assert body.count('aria-selected="true"') == 1 and 'data-tab="overview" aria-selected="true"' in body
    hidden = re.findall(r'role="tabpanel" id="panel-(\w+)"[^>]* hidden>', body)
    assert len(hidden) == 7 and "overview" not in hidden  # every panel but the Overview


@pytest.mark.parametrize(
    ("tab", "loads"),
    [
        ("money", "revenue:account_panel"),
        ("growth", "growth:account_panel"),
        ("analytics", "analytics:account_panel"),
        ("requests", "requests:account_panel"),
        ("timeline", "accounts:history"),
    ],
)
def test_a_link_to_a_tab_opens_it(client, org, account, tab, loads):
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:detail", args=[account.pk]), {"tab": tab})
    assert response.context["tab"] == tab
    body = response.content.decode()
    assert f'data-tab="{tab}" aria-selected="true"' in body
    assert _panels_loaded_at_once(body) == [reverse(loads, args=[account.pk])]


def test_an_unknown_tab_is_the_overview(client, org, account):
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:detail", args=[account.pk]), {"tab": "nonsense"})
    assert response.context["tab"] == "overview"


def test_the_ownership_tab_is_rendered_in_the_card_when_a_link_asks_for_it(client, org, account):
    client.force_login(org.am_a)
    body = client.get(reverse("accounts:detail", args=[account.pk]), {"tab": "ownership"}).content.decode()
    assert 'id="history-h"' in body and 'id="team-h"' in body and 'id="owner-h"' in body
    assert reverse("accounts:ownership", args=[account.pk]) not in body  # no second fetch of the same


def test_the_ownership_panel_answers_only_who_may_see_the_account(
    client, org, account, django_assert_max_num_queries
):
    url = reverse("accounts:ownership", args=[account.pk])
    client.force_login(org.am_a)
    client.get(url)
    # session, user, the account with team and periods (3), holding ids, the access context: measured at 8.
    with django_assert_max_num_queries(10):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and 'id="history-h"' in body and str(org.am_a) in body
    assert 'name="version"' in body  # the status form, for who may change the account
    client.force_login(org.am_b)
    assert client.get(url).status_code == 404
    client.force_login(org.auditor)
    body = client.get(url).content.decode()
    assert 'id="history-h"' in body and 'name="version"' not in body


def test_opening_the_card_costs_few_queries_in_all(client, org, account, django_assert_max_num_queries):
    _work(org, account, n=3)
    client.force_login(org.am_a)
    url = reverse("accounts:detail", args=[account.pk])
    client.get(url)
    with django_assert_max_num_queries(MAX_FIRST_LOAD_QUERIES):
        body = client.get(url).content.decode()
        for panel in _panels_loaded_at_once(body):
            assert client.get(panel).status_code == 200


def test_the_tabs_count_open_requests_and_contacts(client, org, account):
    _work(org, account, n=2)
    services.contact_create(by=org.am_a, account=account, full_name="Орлова Мария")
    client.force_login(org.am_a)
    tabs = {
        t.slug: t.count for t in client.get(reverse("accounts:detail", args=[account.pk])).context["tabs"]
    }
    assert tabs["requests"] == 2 and tabs["contacts"] == 1 and tabs["money"] is None


def test_a_change_made_in_a_tab_returns_to_it(client, org, account):
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:contact_create", args=[account.pk]),
        {"full_name": "Орлова Мария", "buying_role": ""},
    )
    assert response.status_code == 302 and response["Location"].endswith("?tab=contacts")


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
