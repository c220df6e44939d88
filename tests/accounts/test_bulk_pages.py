"""The bulk bar's endpoint (orbit/accounts/views_bulk.py): 4xx pages listing each refusal in the user's language,
success back to the list with the count, "all matching" through the list's filters, one write per double submit,
and the export of a selection."""

import pytest
from django.urls import reverse

from orbit.accounts import team
from orbit.accounts.models import Account, BulkAction, Segment, TeamRole, Tier
from tests.factories import make_account


@pytest.fixture
def accounts(org):
    return {
        "a1": make_account(org.head, org.am_a, legal_name="ООО «Альфа»", tier=Tier.C),
        "a2": make_account(org.head, org.am_a, legal_name="ООО «Бета»", tier=Tier.C),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Дельта»", tier=Tier.C),
    }


def _checked(*accounts) -> list[str]:
    return [f"{a.pk}:{a.version}" for a in accounts]


def _tiers(*accounts):
    return [Account.objects.get(pk=a.pk).tier for a in accounts]


def test_the_list_shows_the_bars_and_a_checkbox_per_row(client, org, accounts):
    client.force_login(org.am_a)
    body = client.get(reverse("accounts:list")).content.decode()
    assert 'id="bulk-form"' in body and body.count('name="account"') == 2 and "data-bulk-page" in body
    assert 'value="tier"' in body and "savedviews/open" in body.replace(
        reverse("savedviews:open"), "savedviews/open"
    )


def test_the_auditor_is_offered_the_export_only(client, org, accounts):
    client.force_login(org.auditor)
    body = client.get(reverse("accounts:list")).content.decode()
    # the bulk bar's actions (the column chooser has a "tier" checkbox of its own)
    assert '<option value="export">' in body and '<option value="tier">' not in body


def test_the_bulk_bar_offers_each_segment_and_receiver_by_id(client, org, accounts):
    segment = Segment.objects.create(code="retail", name_ru="Розница", name_en="Retail")
    client.force_login(org.am_a)
    body = client.get(reverse("accounts:list")).content.decode()
    bar = body.split('id="bulk-form"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{segment.pk}">Розница</option>' in bar
    # The receivers (every manager: a handoff may go to anyone) come when the handoff's field first shows.
    assert f'hx-get="{reverse("accounts:bulk_receivers")}" hx-trigger="intersect once"' in bar
    receivers = client.get(reverse("accounts:bulk_receivers")).content.decode()
    assert receivers.startswith('<option value="">—</option>')
    assert f'<option value="{org.am_b.pk}">{org.am_b.display_name}</option>' in receivers
    client.force_login(org.auditor)  # who does no bulk action gets no receivers either
    assert client.get(reverse("accounts:bulk_receivers")).status_code == 403


def test_bulk_tier_changes_and_confirms_with_the_count(client, org, accounts):
    a1, a2 = accounts["a1"], accounts["a2"]
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:bulk"),
        {"action": "tier", "tier": "A", "account": _checked(a1, a2), "query": "sort=name", "scope": "page"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:list") + "?sort=name"
    assert _tiers(a1, a2) == ["A", "A"]
    assert "2" in str(next(iter(response.context["messages"])))


def test_a_refusal_is_a_4xx_listing_each_account_in_russian(client, org, accounts):
    a1, b = accounts["a1"], accounts["b"]
    team.team_member_add(by=org.head, account=b, user=org.am_a, role=TeamRole.SUPPORT_ENGINEER)
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:bulk"), {"action": "tier", "tier": "A", "account": _checked(a1, b)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ничего не изменено" in body and "ООО «Дельта»" in body and "ООО «Альфа»" not in body
    assert _tiers(a1, b) == ["C", "C"]


def test_the_refusal_page_in_english(client, org, accounts):
    org.am_a.language = "en"
    org.am_a.save(update_fields=["language"])
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:bulk"),
        {"action": "tier", "tier": "A", "account": _checked(accounts["a1"], accounts["b"])},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was changed" in body and f"№{accounts['b'].pk}" in body


def test_a_concurrent_edit_is_a_409(client, org, accounts):
    a1 = accounts["a1"]
    stale = _checked(a1)
    Account.objects.filter(pk=a1.pk).update(version=a1.version + 1)
    client.force_login(org.am_a)
    response = client.post(reverse("accounts:bulk"), {"action": "tier", "tier": "A", "account": stale})
    assert response.status_code == 409 and _tiers(a1) == ["C"]


def test_the_auditor_gets_403_and_a_missing_field_400(client, org, accounts):
    client.force_login(org.auditor)
    response = client.post(
        reverse("accounts:bulk"), {"action": "tier", "tier": "A", "account": _checked(accounts["a1"])}
    )
    assert response.status_code == 403
    client.force_login(org.am_a)
    response = client.post(reverse("accounts:bulk"), {"action": "tier", "account": _checked(accounts["a1"])})
    assert response.status_code == 400 and "Заполните" in response.content.decode()
    response = client.post(reverse("accounts:bulk"), {"action": "tier", "tier": "A"})
    assert response.status_code == 400 and "Выберите хотя бы один" in response.content.decode()


def test_all_matching_the_filter_goes_through_the_lists_filters_and_visibility(client, org, accounts):
    extra = make_account(org.head, org.am_a, legal_name="ООО «Альфа-2»", tier=Tier.B)
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:bulk"), {"action": "tier", "tier": "A", "scope": "all", "query": "tier=C"}
    )
    assert response.status_code == 302
    # His two C accounts; not his B account (filtered out), not am_b's (not visible to him).
    assert _tiers(accounts["a1"], accounts["a2"], extra, accounts["b"]) == ["A", "A", "B", "C"]


def test_all_matching_beyond_the_cap_is_refused(client, org, accounts, settings):
    settings.ORBIT_BULK_ACTION_MAX = 1
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:bulk"), {"action": "tier", "tier": "A", "scope": "all", "query": ""}
    )
    assert response.status_code == 400 and _tiers(accounts["a1"], accounts["a2"]) == ["C", "C"]


def test_a_double_submit_applies_once(client, org, accounts):
    a1 = accounts["a1"]
    client.force_login(org.am_a)
    data = {"action": "tier", "tier": "A", "account": [str(a1.pk)], "idempotency_key": "k-1"}
    assert client.post(reverse("accounts:bulk"), data).status_code == 302
    assert client.post(reverse("accounts:bulk"), data).status_code == 302
    assert BulkAction.objects.count() == 1
    assert Account.history.filter(id=a1.pk, tier="A").count() == 1


def test_export_of_the_selection_is_the_lists_export_narrowed_to_it(client, org, accounts):
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:bulk"), {"action": "export", "format": "csv", "account": _checked(accounts["a2"])}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("imports:accounts_export"))
    csv = b"".join(client.get(response.url).streaming_content).decode("utf-8-sig")
    assert "ООО «Бета»" in csv and "ООО «Альфа»" not in csv


def test_export_of_all_matching_uses_the_lists_filters_and_an_empty_selection_exports_nothing(
    client, org, accounts
):
    client.force_login(org.am_a)
    response = client.post(
        reverse("accounts:bulk"),
        {"action": "export", "format": "csv", "scope": "all", "query": "q=Бета&page=x"},
    )
    assert response.status_code == 302 and "q=" in response.url and "page" not in response.url
    csv = b"".join(client.get(response.url).streaming_content).decode("utf-8-sig")
    assert "ООО «Бета»" in csv and "ООО «Альфа»" not in csv
    response = client.post(reverse("accounts:bulk"), {"action": "export", "format": "csv"})
    assert response.status_code == 400
