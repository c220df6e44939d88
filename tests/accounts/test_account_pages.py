import re

import pytest
from django.urls import reverse

from orbit.accounts import services
from orbit.accounts.models import Account
from orbit.api.models import ApiToken
from tests.factories import make_account


@pytest.fixture
def portfolio(org):
    holding = make_account(org.head, org.am_a, legal_name="АО «Холдинг Север»")
    accounts = [
        make_account(org.head, org.am_a, legal_name=f"ООО «Клиент {n:02d}»", parent=holding)
        for n in range(30)
    ]
    for account in accounts[:5]:
        services.contact_create(by=org.am_a, account=account, full_name="Анна Смирнова", position="Закупки")
    make_account(org.head, org.am_b, legal_name="ООО «Чужой»")
    return holding, accounts


def test_list_shows_only_visible_accounts(client, org, portfolio):
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 31
    assert "Чужой" not in response.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, org, portfolio, django_assert_max_num_queries):
    client.force_login(org.head)
    client.get(reverse("accounts:list"))  # warm the session
    with django_assert_max_num_queries(10):  # 8, the saved views of the views bar, the page's pulse rows
        response = client.get(reverse("accounts:list"), {"sort": "manager"})
    assert len(response.context["page"].object_list) == 25
    for account in response.context["page"].object_list:
        assert account.responsible_manager.display_name  # already joined, no extra query


def test_search_filters_sort_and_paginate(client, org, portfolio):
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:list"), {"q": "ооо клиент", "sort": "-name"})
    names = [a.legal_name for a in response.context["page"].object_list]
    assert names == [f"ООО «Клиент {n:02d}»" for n in range(29, 4, -1)]
    inn = portfolio[1][3].inn
    response = client.get(reverse("accounts:list"), {"q": inn})
    assert [a.inn for a in response.context["page"].object_list] == [inn]
    response = client.get(reverse("accounts:list"), {"page": 2})
    assert len(response.context["page"].object_list) == 6


def test_htmx_request_gets_only_the_results(client, org, portfolio):
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:list"), {"q": "холдинг"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "Холдинг Север" in body


def test_card_shows_profile_contacts_holding_and_history(
    client, org, portfolio, django_assert_max_num_queries
):
    _holding, accounts = portfolio
    client.force_login(org.am_a)
    # constant: contacts batched, +2 for the header's facts (touches, requests); the periods and the holding
    # tree are the "Team and ownership" tab's, read when it is opened (or asked for by ?tab=ownership)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:detail", args=[accounts[0].pk]))
    assert "Анна Смирнова" in response.content.decode()
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accounts:detail", args=[accounts[0].pk]), {"tab": "ownership"})
    assert "Холдинг Север" in response.content.decode()
    assert len(response.context["periods"]) == 1


def test_invisible_account_is_a_404_everywhere(client, org, portfolio):
    foreign = Account.objects.get(legal_name="ООО «Чужой»")
    client.force_login(org.am_a)
    for name in ("accounts:detail", "accounts:edit", "accounts:contact_create"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    for name in ("accounts:status", "accounts:reassign"):
        assert client.post(reverse(name, args=[foreign.pk]), {"status": "dormant"}).status_code == 404


def test_visible_but_not_changeable_is_a_403(client, org, portfolio):
    client.force_login(org.auditor)
    account = portfolio[1][0]
    assert client.get(reverse("accounts:detail", args=[account.pk])).status_code == 200
    assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 403
    assert (
        client.post(reverse("accounts:status", args=[account.pk]), {"status": "dormant"}).status_code == 403
    )


def test_edit_form_shows_field_errors_and_keeps_input(client, org, portfolio):
    account = portfolio[1][0]
    client.force_login(org.am_a)
    url = reverse("accounts:edit", args=[account.pk])
    data = {
        "legal_name": "",
        "inn": "123",
        "kpp": account.kpp,
        "tier": "B",
        "budget_currency": "RUB",
        "goals": "Сохранить меня",
        "version": account.version,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"legal_name", "inn"}
    assert "Сохранить меня" in response.content.decode()


def test_stale_edit_shows_the_conflict_and_overwrites_nothing(client, org, portfolio):
    account = portfolio[1][0]
    client.force_login(org.am_a)
    url = reverse("accounts:edit", args=[account.pk])
    stale = account.version
    services.account_update(by=org.lead_a, account=account, version=stale, goals="Версия руководителя")
    data = {
        "legal_name": account.legal_name,
        "inn": account.inn,
        "kpp": account.kpp,
        "tier": "B",
        "budget_currency": "RUB",
        "goals": "Моя версия",
        "version": stale,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    [their_change] = response.context["conflict"]
    assert their_change.actor == org.lead_a
    assert [(c.field, c.new) for c in their_change.changes] == [("goals", "Версия руководителя")]
    assert "Моя версия" in response.content.decode()  # the writer's input is kept in the form
    account.refresh_from_db()
    assert account.goals == "Версия руководителя"


def test_create_account_from_the_form(client, org):
    client.force_login(org.am_a)
    data = {
        "legal_name": "ООО «Новый»",
        "inn": "7736207543",
        "kpp": "770401001",
        "tier": "C",
        "budget_currency": "RUB",
        "status": "active",
        "responsible_manager": org.am_a.pk,
    }
    response = client.post(reverse("accounts:create"), data)
    account = Account.objects.get(inn="7736207543")
    assert response.status_code == 302 and response.url == reverse("accounts:detail", args=[account.pk])
    assert account.responsible_manager == org.am_a and account.ownership_periods.count() == 1


def test_manager_cannot_create_an_account_for_someone_else(client, org):
    client.force_login(org.am_a)
    data = {
        "legal_name": "ООО «Подарок»",
        "inn": "7736207543",
        "kpp": "770401001",
        "tier": "C",
        "budget_currency": "RUB",
        "status": "active",
        "responsible_manager": org.am_b.pk,
    }
    response = client.post(reverse("accounts:create"), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Account.objects.filter(inn="7736207543").exists()


def test_lookup_offers_only_visible_accounts(client, org, portfolio):
    client.force_login(org.am_a)
    body = client.get(reverse("accounts:lookup"), {"q": "ООО"}).content.decode()
    assert "Клиент" in body and "Чужой" not in body


def test_language_switch_is_saved_on_the_profile(client, org):
    client.force_login(org.am_a)
    assert "Аккаунты" in client.get(reverse("accounts:list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/"})
    org.am_a.refresh_from_db()
    assert org.am_a.language == "en"
    assert "<h1>Accounts</h1>" in client.get(reverse("accounts:list")).content.decode()


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_api_token_is_shown_once_and_stored_hashed(client, org):
    client.force_login(org.am_a)
    response = client.post(reverse("org:token_create"), {"name": "отчёты"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(user=org.am_a)
    assert raw.startswith("orb_") and raw not in (token.key_hash, token.hint)
    assert raw not in client.get(reverse("org:profile")).content.decode()
    client.post(reverse("org:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_profile_cannot_widen_visibility(client, org):
    client.force_login(org.am_a)
    client.post(
        reverse("org:profile"),
        {
            "display_name": "A",
            "position": "",
            "email": "",
            "language": "ru",
            "team": org.team_b.pk,
            "is_superuser": "on",
        },
    )
    org.am_a.refresh_from_db()
    assert org.am_a.team == org.team_a and not org.am_a.is_superuser


def test_pages_need_login(client, org, portfolio):
    for url in (
        reverse("accounts:list"),
        reverse("accounts:detail", args=[portfolio[0].pk]),
        reverse("org:profile"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_sort_by_manager_follows_renames(client, org):
    first = make_account(org.head, org.am_a, legal_name="ООО «Один»")
    second = make_account(org.head, org.am_b, legal_name="ООО «Два»")
    client.force_login(org.head)
    names = lambda: [a.pk for a in client.get(reverse("accounts:list"), {"sort": "manager"}).context["page"]]  # noqa: E731
    assert names() == [first.pk, second.pk]  # Am_A before Am_B
    org.am_a.display_name = "Яков Яковлев"
    org.am_a.save()
    assert names() == [second.pk, first.pk]


def test_long_card_forms_load_on_demand_for_the_entitled(client, org):
    account = make_account(org.head, org.am_a)
    client.force_login(org.lead_a)
    form = client.get(reverse("accounts:card_form", args=[account.pk, "reassign"]))
    assert form.status_code == 200 and 'name="manager"' in form.content.decode()
    client.force_login(org.am_a)  # he owns it, but responsibility is moved by his lead or the head
    assert client.get(reverse("accounts:card_form", args=[account.pk, "reassign"])).status_code == 403
    assert client.get(reverse("accounts:card_form", args=[account.pk, "team"])).status_code == 200
    assert client.get(reverse("accounts:card_form", args=[account.pk, "other"])).status_code == 403


def test_search_ignores_a_legal_form_next_to_a_name_but_not_alone(org, portfolio):
    from orbit.accounts.selectors import AccountFilters, account_list

    def found(q):
        return sorted(a.legal_name for a in account_list(org.am_a, AccountFilters(q=q)))

    assert found("АО «Холдинг Север»") == ["АО «Холдинг Север»"]
    assert found("ао «холдинг") == ["АО «Холдинг Север»"]
    assert len(found("ООО Клиент")) == 30
    assert len(found("ооо")) == 30  # a legal form alone still searches
    assert found("«»") == []


@pytest.mark.parametrize(
    ("language", "said"), [("ru", "Ничего не изменено."), ("en", "Nothing was changed.")]
)
def test_a_refused_card_action_answers_400_with_the_reason_and_changes_nothing(client, org, language, said):
    """Issue 10: a refused write is a 4xx with its reason, never a redirect to a card that looks as before."""
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    org.head.language = language
    org.head.save(update_fields=["language"])
    client.force_login(org.head)
    client.cookies["django_language"] = language
    before = (account.status, account.version, account.responsible_manager_id)

    # A lifecycle step not allowed from "active", a reversal with nothing to reverse, a reassignment to the
    # manager who already has it.
    refusals = [
        client.post(reverse("accounts:status", args=[account.pk]), {"status": "prospect"}),
        client.post(reverse("accounts:reassign_reverse", args=[account.pk])),
        client.post(
            reverse("accounts:reassign", args=[account.pk]), {"manager": org.am_a.pk, "reason": "workload"}
        ),
    ]
    for response in refusals:
        assert response.status_code == 400
        page = response.content.decode()
        assert said in page
        assert reverse("accounts:detail", args=[account.pk]) in page  # the way back
    account.refresh_from_db()
    assert (account.status, account.version, account.responsible_manager_id) == before


def _manager_filter(response) -> dict[int, bool]:
    """The list filter's manager options: id -> selected."""
    html = response.content.decode()
    select = html[html.index('<select id="f-manager"') :]
    select = select[: select.index("</select>")]
    options = re.findall(r'<option value="(\d+)"( selected)?>', select)
    return {int(pk): bool(chosen) for pk, chosen in options}


def test_the_manager_filter_offers_the_managers_whose_accounts_he_sees(client, org):
    client.force_login(org.lead_a)
    offered = _manager_filter(client.get(reverse("accounts:list")))
    assert set(offered) == {org.lead_a.pk, org.am_a.pk, org.am_a1.pk}  # his team, its sub-team and himself
    # A manager already chosen elsewhere (a saved view, a link) stays shown, and chosen.
    offered = _manager_filter(client.get(reverse("accounts:list"), {"manager": org.am_b.pk}))
    assert offered[org.am_b.pk] is True and set(offered) == {
        org.lead_a.pk,
        org.am_a.pk,
        org.am_a1.pk,
        org.am_b.pk,
    }
    # The head sees everyone's accounts: every manager is offered.
    client.force_login(org.head)
    response = client.get(reverse("accounts:list"))
    assert {org.lead_a.pk, org.am_a.pk, org.am_a1.pk, org.am_b.pk, org.sales.pk} <= set(
        _manager_filter(response)
    )
