"""Moving a card on the requests board (drag or its "Move to…" menu): the status service with the card's version,
only the moves the status flow allows, the board back with the card in its column or the reason on it."""

import pytest
from django.urls import reverse

from orbit.requests.models import Request, RequestStatus

HTMX = {"HTTP_HX_REQUEST": "true"}


def _move(client, request, status, *, version=None, htmx=True, **extra):
    data = {"status": status, "version": request.version if version is None else version, **extra}
    return client.post(reverse("requests:board_move", args=[request.pk]), data, **(HTMX if htmx else {}))


def _columns(response) -> dict[str, list[int]]:
    return {c.status: [r.pk for r in c.cards] for c in response.context["columns"]}


def test_a_card_moved_to_an_allowed_column_changes_status_and_the_counts(client, org, requests_):
    fresh = requests_["new"]
    client.force_login(org.am_a)
    response = _move(client, fresh, RequestStatus.IN_PROGRESS)
    assert response.status_code == 200
    assert Request.objects.get(pk=fresh.pk).status == RequestStatus.IN_PROGRESS
    columns = _columns(response)
    assert fresh.pk in columns["in_progress"] and columns["new"] == []
    totals = {c.status: c.total for c in response.context["columns"]}
    assert totals["new"] == 0 and totals["in_progress"] == 2
    body = response.content.decode()
    assert 'id="board"' in body and "<html" not in body  # the board only, for htmx to swap
    assert "is now" in body or "теперь" in body


def test_a_move_the_status_flow_does_not_allow_is_refused_with_the_reason(client, org, requests_):
    fresh = requests_["new"]
    client.force_login(org.am_a)
    response = _move(client, fresh, RequestStatus.RESOLVED)  # new → resolved skips the work
    assert response.status_code == 400
    assert Request.objects.get(pk=fresh.pk).status == RequestStatus.NEW
    assert fresh.pk in _columns(response)["new"]  # the card back in place
    assert response.context["refusal"]
    assert f'id="req-card-{fresh.pk}-why"' in response.content.decode()


def test_a_card_changed_meanwhile_answers_409_and_stays(client, org, requests_):
    working = requests_["working"]
    client.force_login(org.am_a)
    stale = working.version - 1
    response = _move(client, working, RequestStatus.WAITING_CLIENT, version=stale)
    assert response.status_code == 409
    assert Request.objects.get(pk=working.pk).status == RequestStatus.IN_PROGRESS
    assert working.pk in _columns(response)["in_progress"]
    assert response.context["refusal"]


def test_who_may_not_work_it_gets_403_and_no_draggable_cards(client, org, requests_):
    fresh = requests_["new"]
    client.force_login(org.auditor)
    board = client.get(reverse("requests:board"))
    assert board.context["movable"] == set() and "draggable" not in board.content.decode()
    response = _move(client, fresh, RequestStatus.IN_PROGRESS)
    assert response.status_code == 403 and response.context["refusal"]
    assert Request.objects.get(pk=fresh.pk).status == RequestStatus.NEW


def test_an_invisible_request_is_a_404(client, org, requests_):
    client.force_login(org.am_b)
    assert _move(client, requests_["new"], RequestStatus.IN_PROGRESS).status_code == 404


@pytest.mark.parametrize("allowed", [True, False])
def test_without_htmx_a_move_redirects_or_shows_the_refusal(client, org, requests_, allowed):
    fresh = requests_["new"]
    client.force_login(org.am_a)
    status = RequestStatus.IN_PROGRESS if allowed else RequestStatus.RESOLVED
    response = _move(client, fresh, status, htmx=False, department="")
    if allowed:
        assert response.status_code == 302 and response["Location"] == reverse("requests:board")
    else:
        assert response.status_code == 400 and reverse("requests:board") in response.content.decode()


def test_the_board_keeps_its_filters_and_costs_few_queries(
    client, org, requests_, django_assert_max_num_queries
):
    client.force_login(org.am_a)
    url = reverse("requests:board")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    fresh = requests_["new"]
    response = _move(client, fresh, RequestStatus.IN_PROGRESS, mine="1")
    assert 'name="mine" value="1"' in response.content.decode()
    assert len(few.captured_queries) <= 20
