import pytest

from orbit.accounts import services
from orbit.accounts.models import AccountStatus
from tests.api.conftest import speak
from tests.factories import make_account


@pytest.fixture
def book(org, refs):
    return {
        "a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»", tier="A", region=refs["region"]),
        "a1": make_account(org.head, org.am_a1, legal_name="ООО «Бета»", tier="key"),
        "lead": make_account(org.head, org.lead_a, legal_name="АО «Гамма»", tier="B"),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Дельта»", tier="A", region=refs["region"]),
        "prospect": make_account(org.sales, status=AccountStatus.PROSPECT, legal_name="ООО «Эпсилон»"),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("am_a", {"a"}),
        ("am_a1", {"a1"}),
        ("lead_a", {"a", "a1", "lead"}),  # his team and its sub-team
        ("am_b", {"b"}),
        ("lead_b", {"b", "prospect"}),  # and the prospects his people created
        ("sales", {"prospect"}),
        ("head", {"a", "a1", "lead", "b", "prospect"}),
        ("auditor", {"a", "a1", "lead", "b", "prospect"}),
        ("outsider", set()),
    ],
)
def test_each_persona_sees_exactly_his_accounts(call, org, book, persona, expected):
    response = call(getattr(org, persona)).get("/accounts")
    assert ids(response) == {book[key].pk for key in expected}
    assert response.json()["count"] == len(expected)


def test_search_cannot_find_an_invisible_account(call, org, book):
    api = call(org.am_a)
    assert api.get("/accounts", params={"q": book["b"].inn}).json() == {
        "count": 0,
        "count_exact": True,
        "limit": 25,
        "offset": 0,
        "next_cursor": None,
        "previous_cursor": None,
        "items": [],
    }
    assert api.get("/accounts", params={"q": "дельта"}).json()["count"] == 0
    assert ids(api.get("/accounts", params={"q": book["a"].inn})) == {book["a"].pk}


def test_filters_cannot_reveal_invisible_accounts(call, org, book, refs):
    api = call(org.am_a)
    assert api.get("/accounts", params={"manager": org.am_b.pk}).json()["count"] == 0
    assert ids(api.get("/accounts", params={"region": refs["region"].pk})) == {book["a"].pk}
    assert ids(api.get("/accounts", params={"tier": ["A", "key"]})) == {book["a"].pk}
    child = make_account(org.head, org.am_b, parent=book["a"])
    assert api.get("/accounts", params={"parent": book["a"].pk}).json()["count"] == 0
    assert ids(call(org.head).get("/accounts", params={"parent": book["a"].pk})) == {child.pk}


def test_multi_valued_filters_and_sorting(call, org, book):
    api = call(org.head)
    response = api.get("/accounts", params={"status": ["prospect", "active"], "sort": "-name"})
    names = [item["legal_name"] for item in response.json()["items"]]
    assert names == ["ООО «Эпсилон»", "ООО «Дельта»", "АО «Гамма»", "ООО «Бета»", "ООО «Альфа»"]
    response = call(org.lead_a).get("/accounts", params={"sort": "manager"})
    managers = [item["responsible_manager"]["name"] for item in response.json()["items"]]
    assert managers == sorted(managers) and len(managers) == 3


def test_archive_is_a_separate_view(call, org, book):
    services.account_archive(by=org.am_a, account=book["a"])
    api = call(org.am_a)
    assert api.get("/accounts").json()["count"] == 0
    assert ids(api.get("/accounts", params={"archived": "true"})) == {book["a"].pk}
    assert call(org.am_b).get("/accounts", params={"archived": "true"}).json()["count"] == 0


def test_pagination_with_limit_and_offset(call, org, book):
    api = call(org.head)
    first = api.get("/accounts", params={"limit": 2}).json()
    second = api.get("/accounts", params={"limit": 2, "offset": 2}).json()
    rest = api.get("/accounts", params={"limit": 2, "offset": 4}).json()
    assert first["count"] == second["count"] == rest["count"] == 5
    assert [len(p["items"]) for p in (first, second, rest)] == [2, 2, 1]
    seen = [item["id"] for page in (first, second, rest) for item in page["items"]]
    assert len(set(seen)) == 5


def test_page_size_is_capped(call, org, book, settings):
    speak(org.head, "en")
    response = call(org.head).get("/accounts", params={"limit": settings.ORBIT_MAX_PAGE_SIZE + 1})
    assert response.status_code == 422
    assert response.json()["errors"] == {"limit": ["Ensure this value is less than or equal to 200."]}


def test_bad_filter_values_are_field_errors(call, org, book):
    speak(org.head, "ru")
    response = call(org.head).get("/accounts", params={"status": "lost", "region": "msk", "sort": "size"})
    assert response.status_code == 422
    choice = "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."
    assert response.json()["errors"] == {
        "status": [choice],
        "region": ["Введите целое число."],
        "sort": [choice],
    }


def test_list_items_carry_manager_and_references(call, org, book, refs):
    speak(org.am_a, "en")
    item = call(org.am_a).get("/accounts").json()["items"][0]
    assert item["responsible_manager"] == {"id": org.am_a.pk, "name": "Am_A"}
    assert item["region"] == {"id": refs["region"].pk, "code": "msk", "name": "Moscow"}
    assert item["industry"] is None and item["parent_id"] is None
    assert item["status"] == "active" and item["version"] >= 1


def test_count_stops_at_the_cap(live_server, org, settings):
    import httpx

    from orbit.api.models import ApiToken
    from tests.factories import make_account

    settings.ORBIT_COUNT_CAP = 3
    for _ in range(5):
        make_account(org.head, org.am_a)
    _token, raw = ApiToken.issue(user=org.am_a, name="cap")
    body = httpx.get(f"{live_server.url}/api/accounts", headers={"Authorization": f"Bearer {raw}"}).json()
    assert (body["count"], body["count_exact"], len(body["items"])) == (3, False, 5)
