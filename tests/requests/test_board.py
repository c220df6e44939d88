"""The requests board (a column per status, cards with their SLA state) and the list opening on open ones."""

from django.urls import reverse


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
