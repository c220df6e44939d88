"""The KPI pages, drill-downs, ranking and API: who sees what (a colleague's figures are 404 by every door)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from orbit.kpi.models import PublishedRanking
from tests.factories import make_account
from tests.kpi.rows import at, invoice, since, touch

DRILLS = ("invoices", "payments", "hours", "requests", "cadence", "cases")
MARCH = "2026-03"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(org):
    for manager in (org.am_a, org.am_b):
        account = make_account(org.head, manager)
        since(account, at(2025, 1, 1))
        invoice(account, manager, dt.date(2026, 3, 2), 3000, 1800)
        touch(account, manager, at(2026, 3, 5, 10), 90)
    return org


# who → (whose page) → expected status
MATRIX = {
    "head": {"am_a": 200, "am_b": 200, "lead_a": 200},
    "auditor": {"am_a": 200, "am_b": 200},
    "lead_a": {"am_a": 200, "am_a1": 200, "am_b": 404},
    "lead_b": {"am_a": 404, "am_b": 200},
    "am_a": {"am_a": 200, "am_b": 404, "am_a1": 404, "lead_a": 404},
    "am_b": {"am_a": 404, "am_b": 200},
    "outsider": {"am_a": 404},
}


@pytest.mark.parametrize("viewer", list(MATRIX))
def test_every_door_to_a_persons_figures(world, viewer):
    client = _client(getattr(world, viewer))
    for whose, expected in MATRIX[viewer].items():
        person = getattr(world, whose)
        page = client.get(reverse("kpi:person", args=[person.pk]), {"period": MARCH})
        assert page.status_code == expected, (viewer, whose)
        for code in DRILLS:
            drill = client.get(reverse("kpi:drill", args=[person.pk, code]), {"period": MARCH})
            assert drill.status_code == expected, (viewer, whose, code)
        api = client.get("/api/kpi", {"period": MARCH, "person": person.pk})
        assert api.status_code == expected, (viewer, whose, "api")


def test_a_manager_gets_his_own_page_and_the_rules_link(world):
    response = _client(world.am_a).get(reverse("kpi:page"), {"period": MARCH})
    assert response.status_code == 200
    assert response.context["row"].pk == world.am_a.pk
    body = response.content.decode()
    assert "/managers/bonuses/" in body and "Am_B" not in body
    api = _client(world.am_a).get("/api/kpi", {"period": MARCH}).json()
    assert [p["name"] for p in api["people"]] == ["Am_A"] and api["teams"] == []


def test_the_head_sees_everyone_and_the_figures(world):
    response = _client(world.head).get(reverse("kpi:page"), {"period": MARCH})
    names = {r.name for r in response.context["people"].object_list}
    assert {"Am_A", "Am_B", "Am_A1"} <= names
    api = _client(world.head).get("/api/kpi", {"period": MARCH}).json()
    am_a = next(p for p in api["people"] if p["name"] == "Am_A")
    # margin 1200 over 1.5 h = 800.00
    assert (am_a["margin"], am_a["hours"], am_a["margin_per_hour"]) == ("1200.00", "1.50", "800.00")


def test_a_lead_sees_his_team(world):
    response = _client(world.lead_a).get(reverse("kpi:page"), {"period": MARCH})
    assert {r.name for r in response.context["people"].object_list} == {"Lead_A", "Am_A", "Am_A1"}
    assert {t.name for t in response.context["teams"]} == {"Team A", "Team A1"}


def test_a_bad_period_is_said_and_the_api_answers_422(world):
    client = _client(world.head)
    assert client.get(reverse("kpi:page"), {"period": "2026-13"}).status_code == 200
    assert client.get("/api/kpi", {"period": "soon"}).status_code == 422


def test_the_root_of_the_area_and_the_navigation(world):
    client = _client(world.am_a)
    response = client.get("/managers/")
    assert response.status_code == 302 and response.url == reverse("kpi:page")
    page = client.get(reverse("kpi:page"))
    assert any(item["url"] == reverse("kpi:page") for item in page.context["nav_items"])


def test_ranking_publish_and_who_sees_it(world):
    head, lead, am = _client(world.head), _client(world.lead_a), _client(world.am_a)
    assert am.get(reverse("kpi:ranking"), {"period": MARCH}).context["live"] is None
    live = lead.get(reverse("kpi:ranking"), {"period": MARCH}).context["live"]
    assert {p.name for p in live} <= {"Lead_A", "Am_A", "Am_A1"}
    assert lead.post(reverse("kpi:ranking_publish"), {"period": MARCH}).status_code == 403
    assert am.post(reverse("kpi:ranking_publish"), {"period": MARCH}).status_code == 403
    assert head.post(reverse("kpi:ranking_publish"), {"period": "x"}).status_code == 400
    assert PublishedRanking.objects.count() == 0
    key = {"period": MARCH, "idempotency_key": "k1"}
    assert head.post(reverse("kpi:ranking_publish"), key).status_code == 302
    assert head.post(reverse("kpi:ranking_publish"), key).status_code == 302  # a double click: one snapshot
    assert PublishedRanking.objects.count() == 1
    published = am.get(reverse("kpi:ranking"), {"period": MARCH}).context["published"]
    assert published.published_by == world.head
    # Both managers have margin 1200 over 1.5 h and no plan: they tie on the fair basis
    places = {row["name"]: row["rank"] for row in published.rows}
    assert places["Am_A"] == places["Am_B"]


def test_the_page_asks_a_fixed_number_of_queries_whatever_the_number_of_managers(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orbit.kpi.models import KpiSnapshot
    from orbit.org.models import Role
    from tests.factories import make_user

    client = _client(world.head)

    def count() -> tuple[int, int]:
        KpiSnapshot.objects.all().delete()
        found = []
        for _ in range(2):  # computed and stored, then read
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("kpi:page"), {"period": MARCH}).status_code == 200
            found.append(len(queries.captured_queries))
        return found[0], found[1]

    few = count()
    for n in range(15):
        person = make_user(f"more{n}", Role.ACCOUNT_MANAGER, team=world.team_b)
        account = make_account(world.head, person)
        invoice(account, person, dt.date(2026, 3, 3), 100, 50)
        touch(account, person, at(2026, 3, 3, 10), 10)
    assert count() == few
