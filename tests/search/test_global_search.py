"""Global search: what each group finds, the states of the box, the role matrix (results and counts) and the
query count, which does not grow with the rows found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orbit.accounts import services
from orbit.search import selectors
from tests.access.personas import PERSONAS, VISIBLE
from tests.factories import make_account


def _found(results, kind):
    group = next((g for g in results.groups if g.kind == kind), None)
    return group


def test_accounts_by_name_short_name_and_inn(org, found):
    head = org.head
    assert len(_found(selectors.global_search(head, "кристалл"), "accounts").items) == 4
    assert [a.pk for a in _found(selectors.global_search(head, "Кристалл-А"), "accounts").items] == [
        found.accounts["acct_a"].pk
    ]
    inn = found.accounts["acct_b"].inn
    assert [a.pk for a in _found(selectors.global_search(head, inn), "accounts").items] == [
        found.accounts["acct_b"].pk
    ]
    # The legal form narrows nothing and is dropped, as in the accounts list.
    assert len(_found(selectors.global_search(head, "ооо кристалл"), "accounts").items) == 4


@pytest.mark.parametrize(
    "typed",
    ["+7 921 555-02-12", "8 (921) 555 02 12", "89215550212", "555-02-12", "anna.orlova2@", "ORLOVA2@EXAMPLE"],
)
def test_contacts_by_phone_digits_and_email(org, found, typed):
    contacts = _found(selectors.global_search(org.head, typed), "contacts").items
    assert [c.pk for c in contacts] == [found.contacts["acct_b"].pk]


def test_contacts_by_name_sorted_archived_left_out(org, found):
    contacts = _found(selectors.global_search(org.head, "орлова анна"), "contacts").items
    assert [c.full_name for c in contacts] == sorted(c.full_name for c in found.contacts.values())
    services.contact_set_archived(by=org.head, contact=found.contacts["acct_a"], archived=True)
    contacts = _found(selectors.global_search(org.head, "орлова"), "contacts").items
    assert found.contacts["acct_a"].pk not in {c.pk for c in contacts}


@pytest.mark.parametrize("prefix", ["", "№", "#", "№ "])
def test_request_by_number(org, found, prefix):
    request = found.requests["acct_a1"]
    results = selectors.global_search(org.head, f"{prefix}{request.pk}")
    assert [r.pk for r in _found(results, "requests").items] == [request.pk]


def test_short_text_and_short_numbers(org, found):
    assert selectors.global_search(org.head, "кр").too_short
    assert not selectors.global_search(org.head, "").groups
    # A short number is a request number only: its digits are not looked for among INNs and phones.
    assert [g.kind for g in selectors.global_search(org.head, "555").groups] == ["requests"]


def test_groups_are_capped_and_counted(org, found):
    for n in range(7):
        make_account(org.head, org.am_a, legal_name=f"ООО «Кристалл {n}»")
    group = _found(selectors.global_search(org.head, "кристалл"), "accounts")
    assert (len(group.items), group.count, group.more, group.capped) == (5, 11, True, False)


def test_count_past_the_cap_is_shown_as_more(org, found, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    group = _found(selectors.global_search(org.head, "кристалл"), "accounts")
    assert group.capped and group.count == 2


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_role_matrix_results_and_counts(org, found, client, persona):
    """Each persona finds exactly the accounts, contacts and requests of the accounts he sees, and the counts
    say no more (an AM must not learn that another team has a «Кристалл»)."""
    client.force_login(getattr(org, persona))
    visible = VISIBLE[persona]
    page = client.get(reverse("search:page"), {"q": "кристалл"})
    accounts = _found(page.context["results"], "accounts")
    assert {a.pk for a in accounts.items} == {found.accounts[k].pk for k in visible}
    assert accounts.matched == len(visible)
    contacts = _found(client.get(reverse("search:page"), {"q": "орлова"}).context["results"], "contacts")
    assert {c.pk for c in contacts.items} == {found.contacts[k].pk for k in visible}
    assert contacts.matched == len(visible)
    for key, request in found.requests.items():
        suggest = client.get(reverse("search:suggest"), {"q": f"№{request.pk}"}).content.decode()
        assert (reverse("requests:detail", args=[request.pk]) in suggest) == (key in visible), key
    for key, contact in found.contacts.items():
        suggest = client.get(reverse("search:suggest"), {"q": contact.email}).content.decode()
        assert (contact.full_name in suggest) == (key in visible), key
    listed = client.get(reverse("search:page"), {"q": "орлова", "kind": "contacts"})
    assert {c.pk for c in listed.context["contacts_page"].object_list} == {
        found.contacts[k].pk for k in visible
    }


def test_suggest_query_count_does_not_grow(org, found, client):
    client.force_login(org.head)
    url = reverse("search:suggest")

    def count(text):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"q": text})
        assert response.status_code == 200
        return len(captured.captured_queries)

    few = count("кристалл")
    for n in range(12):
        account = make_account(org.head, org.am_a, legal_name=f"ООО «Кристалл {n}»")
        services.contact_create(by=org.head, account=account, full_name=f"Кристаллова {n}")
    many = count("кристалл")
    assert many == few  # one query a group, however many rows it finds
    assert many <= 6  # the session, the user and one query per group


def test_suggest_states_and_links(org, found, client):
    client.force_login(org.am_a)
    url = reverse("search:suggest")
    assert "3" in client.get(url, {"q": "кр"}).content.decode()  # type at least 3 characters
    nothing = client.get(url, {"q": "зззззз"}).content.decode()
    assert "зззззз" in nothing and 'role="option"' not in nothing
    for n in range(6):
        make_account(org.head, org.am_a, legal_name=f"ООО «Кристалл {n}»")
    html = client.get(url, {"q": "кристалл"}).content.decode()
    assert html.count('role="option"') == 6  # five accounts and "all 7 results"
    assert f"{reverse('accounts:list')}?q=%D0%BA" in html
    assert client.get(reverse("search:page")).status_code == 200
