"""The requests board (a column per status, cards with their SLA state) and the list opening on open ones."""

import pytest
from django.urls import reverse

from orbit.requests import services
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, RequestStatus
from tests.factories import make_account


@pytest.fixture
def requests_(org):
    ensure_defaults()
    account = make_account(org.head, org.am_a, legal_name="ООО «Клиент»", short_name="Клиент")
    department = Department.objects.get(code="support")

    def create(subject):
        return services.request_create(
            by=org.am_a,
            account=account,
            request_type="question",
            priority="normal",
            department=department,
            subject=subject,
        )

    def move(request, status):
        request.refresh_from_db()
        services.request_change_status(
            by=org.am_a, request=request, status=status, version=request.version, comment="Ответили"
        )

    fresh = create("Новый вопрос")
    working = create("В работе")
    move(working, RequestStatus.IN_PROGRESS)
    closed = create("Закрытый")
    for status in (RequestStatus.IN_PROGRESS, RequestStatus.RESOLVED, RequestStatus.CLOSED):
        move(closed, status)
    return {"new": fresh, "working": working, "closed": closed}


def test_the_board_has_a_column_per_status(client, org, requests_):
    client.force_login(org.am_a)
    response = client.get(reverse("requests:board"))
    columns = {c.status: [r.subject for r in c.cards] for c in response.context["columns"]}
    assert columns == {
        "new": ["Новый вопрос"],
        "in_progress": ["В работе"],
        "waiting_client": [],
        "resolved": [],
    }
    cards = [r for c in response.context["columns"] for r in c.cards]
    assert all(r.sla_state in ("ok", "warning", "overdue", "none") for r in cards)
    assert "Закрытый" not in response.content.decode()


def test_the_board_is_read_through_visibility(client, org, requests_):
    client.force_login(org.am_b)
    columns = client.get(reverse("requests:board")).context["columns"]
    assert sum(c.total for c in columns) == 0


def test_the_list_opens_on_open_requests(client, org, requests_):
    client.force_login(org.am_a)
    url = reverse("requests:list")
    subjects = {r.subject for r in client.get(url).context["page"].object_list}
    assert subjects == {"Новый вопрос", "В работе"}
    everything = {r.subject for r in client.get(url, {"status": ""}).context["page"].object_list}
    assert everything == {"Новый вопрос", "В работе", "Закрытый"}
    only_closed = {r.subject for r in client.get(url, {"status": "closed"}).context["page"].object_list}
    assert only_closed == {"Закрытый"}
