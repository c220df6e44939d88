"""The API's accounts list pages by cursor (keyset, orbit/common/keyset.py) over real HTTP: next and previous
cursors walk every visible account once, `cursor=last` reads the end, and a cursor Orbit did not issue for
this sort — or one sent with an offset — is a 422 with the reason."""

import pytest

from tests.api.conftest import speak
from tests.factories import make_account


@pytest.fixture
def seven(org):
    for n in range(7):
        make_account(
            org.head, [org.am_a, org.am_a1][n % 2], legal_name=f"ООО «Клиент {n % 3}»", tier="AB"[n % 2]
        )
    make_account(org.head, org.am_b, legal_name="ООО «Чужой»")


def _walk(api, params: dict, cursor: str | None, key: str) -> list[list[int]]:
    pages = []
    while True:
        page = api.get("/accounts", params=params | ({"cursor": cursor} if cursor else {})).json()
        pages.append([item["id"] for item in page["items"]])
        cursor = page[key]
        if cursor is None:
            return pages


@pytest.mark.parametrize("sort", ["name", "-name", "-tier", "manager"])
def test_cursors_walk_every_account_once_from_either_end(call, org, seven, sort):
    api = call(org.lead_a)
    everything = [
        item["id"] for item in api.get("/accounts", params={"sort": sort, "limit": 50}).json()["items"]
    ]
    assert len(everything) == 7
    forward = _walk(api, {"sort": sort, "limit": 3}, None, "next_cursor")
    assert forward == [everything[0:3], everything[3:6], everything[6:7]]
    backward = _walk(api, {"sort": sort, "limit": 3}, "last", "previous_cursor")
    assert backward == forward[::-1]


def test_the_first_page_carries_a_next_cursor_and_offset_pages_none(call, org, seven):
    api = call(org.lead_a)
    first = api.get("/accounts", params={"limit": 3}).json()
    assert first["next_cursor"] and first["previous_cursor"] is None and first["count"] == 7
    by_offset = api.get("/accounts", params={"limit": 3, "offset": 3}).json()
    assert by_offset["next_cursor"] is None and len(by_offset["items"]) == 3


def test_a_foreign_cursor_or_a_cursor_with_an_offset_is_refused_with_the_reason(call, org, seven):
    speak(org.lead_a, "en")
    api = call(org.lead_a)
    cursor = api.get("/accounts", params={"limit": 3}).json()["next_cursor"]
    other_sort = api.get("/accounts", params={"limit": 3, "sort": "inn", "cursor": cursor})
    assert other_sort.status_code == 422 and "sort order" in other_sort.text
    forged = api.get("/accounts", params={"limit": 3, "cursor": cursor[:-4] + "abcd"})
    assert forged.status_code == 422
    both = api.get("/accounts", params={"limit": 3, "offset": 3, "cursor": cursor})
    assert both.status_code == 422 and "offset" in both.text


def test_another_persons_cursor_shows_only_what_the_reader_may_see(call, org, seven):
    """A cursor holds a sort position, never a permission: the reader's own visibility still applies."""
    cursor = call(org.head).get("/accounts", params={"limit": 1}).json()["next_cursor"]
    seen = call(org.am_b).get("/accounts", params={"limit": 50, "cursor": cursor}).json()["items"]
    assert {item["legal_name"] for item in seen} <= {"ООО «Чужой»"}
