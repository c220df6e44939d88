"""The kanban board: columns of the open stages with count, amount and weighted amount over every visible
opportunity in them (hand-computed), the first N cards by close date, "show more" to the list; moves from the
board (htmx: the board back; a plain form: a redirect or the refusal page) and refusals that leave the card
where it was; the same number of queries for few and many opportunities."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orbit.growth import pipeline
from orbit.growth.models import LostReason, Opportunity
from orbit.growth.opportunities import opportunity_create, opportunity_move
from orbit.org.models import User
from tests.factories import make_account

D = Decimal


@pytest.fixture(autouse=True)
def _people_read_english(org):
    User.objects.update(language="en")


@pytest.fixture
def accounts(org):
    return {
        "a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»"),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Бета»"),
    }


def _open(by, account, amount, days=30, **kw):
    return opportunity_create(
        by=by,
        account=account,
        kind=kw.pop("kind", "upsell"),
        title=kw.pop("title", f"Deal {amount}"),
        amount=D(amount),
        expected_close_on=timezone.localdate() + dt.timedelta(days=days),
        **kw,
    )


@pytest.fixture
def deals(org, stages, accounts):
    g = stages["account_growth"]
    one = _open(org.am_a, accounts["a"], "100000.00", days=10, title="One")  # identified 10 %
    two = _open(org.am_a, accounts["a"], "33333.33", days=5, title="Two")  # identified 10 %
    three = _open(org.am_a, accounts["a"], "50000.00", title="Three")
    three = opportunity_move(by=org.am_a, opportunity=three, stage=g["qualified"])  # 30 %
    beta = _open(org.am_b, accounts["b"], "70000.00", title="Beta")  # identified 10 %, team B
    return {"one": one, "two": two, "three": three, "beta": beta}


def _column(board, code):
    return next(c for c in board.columns if c.stage.code == code)


def test_columns_sum_every_visible_opportunity_by_hand(org, stages, deals):
    g = stages["account_growth"]
    board = pipeline.board(org.head, pipeline.Filters(pipeline=g["identified"].pipeline_id))
    assert [c.stage.code for c in board.columns] == ["identified", "qualified", "proposal", "commitment"]
    assert (board.won.code, board.lost.code) == ("won", "lost")
    identified = _column(board, "identified")
    # 100 000.00 + 33 333.33 + 70 000.00 = 203 333.33; weighted at 10 %: 20 333.333 → 20 333.33
    assert (identified.count, identified.amount, identified.weighted) == (3, D("203333.33"), D("20333.33"))
    assert [o.title for o in identified.cards] == ["Two", "One", "Beta"]  # by expected close date
    qualified = _column(board, "qualified")
    assert (qualified.count, qualified.amount, qualified.weighted) == (1, D("50000.00"), D("15000.00"))
    assert _column(board, "proposal").count == 0
    # am_a sees only his account: 100 000.00 + 33 333.33 = 133 333.33, weighted 13 333.333 → 13 333.33
    mine = _column(pipeline.board(org.am_a, pipeline.Filters()), "identified")
    assert (mine.count, mine.amount, mine.weighted) == (2, D("133333.33"), D("13333.33"))
    # The team B filter keeps am_b's only.
    team_b = _column(pipeline.board(org.head, pipeline.Filters(team=org.team_b.pk)), "identified")
    assert (team_b.count, team_b.amount) == (1, D("70000.00"))


def test_a_column_shows_its_first_cards_and_links_to_the_rest(client, org, stages, deals):
    board = pipeline.board(org.head, pipeline.Filters(), limit=2)
    identified = _column(board, "identified")
    assert [o.title for o in identified.cards] == ["Two", "One"] and identified.more == 1
    assert identified.count == 3  # the figures still cover all three
    client.force_login(org.head)
    response = client.get(reverse("growth:board"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="board"' in body and "growth/pipeline.js" in body
    assert f'id="move-{deals["one"].pk}"' in body  # the keyboard's "Move to…" menu on each card


def test_a_drop_moves_the_card_and_answers_the_board(client, org, stages, deals):
    client.force_login(org.am_a)
    g, one = stages["account_growth"], deals["one"]
    response = client.post(
        reverse("growth:opportunity_move", args=[one.pk]),
        {
            "stage": g["qualified"].pk,
            "version": one.version,
            "from": "board",
            "pipeline": g["qualified"].pipeline_id,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.templates[0].name == "growth/pipeline/_board.html"
    one.refresh_from_db()
    assert one.stage == g["qualified"] and one.probability == 30
    qualified = _column(response.context["board"], "qualified")
    assert {o.title for o in qualified.cards} == {"One", "Three"}
    assert "is now at" in response.context["done"]


def test_a_refused_drop_answers_400_with_the_reason_and_the_card_stays(client, org, stages, deals):
    client.force_login(org.am_a)
    g, nb, one = stages["account_growth"], stages["new_business"], deals["one"]
    url = reverse("growth:opportunity_move", args=[one.pk])
    skipped = client.post(
        url, {"stage": g["commitment"].pk, "version": one.version, "from": "board"}, HTTP_HX_REQUEST="true"
    )
    assert skipped.status_code == 400
    assert any("cannot be skipped" in reason for reason in skipped.context["alert"])
    assert 'role="alert"' in skipped.content.decode()
    assert "One" in [o.title for o in _column(skipped.context["board"], "identified").cards]
    other = client.post(
        url, {"stage": nb["proposal"].pk, "version": one.version, "from": "board"}, HTTP_HX_REQUEST="true"
    )
    assert other.status_code == 400 and "another pipeline" in " ".join(other.context["alert"])
    no_reason = client.post(
        url, {"stage": g["lost"].pk, "version": one.version, "from": "board"}, HTTP_HX_REQUEST="true"
    )
    assert no_reason.status_code == 400 and "Say why" in " ".join(no_reason.context["alert"])
    stale = client.post(
        url, {"stage": g["qualified"].pk, "version": one.version + 5, "from": "board"}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409
    one.refresh_from_db()
    assert one.stage == g["identified"] and one.version == 1


def test_lost_from_the_board_with_its_reason(client, org, stages, deals):
    client.force_login(org.am_a)
    g, two = stages["account_growth"], deals["two"]
    reason = LostReason.objects.get(code="no_budget")
    response = client.post(
        reverse("growth:opportunity_move", args=[two.pk]),
        {
            "stage": g["lost"].pk,
            "version": two.version,
            "from": "board",
            "lost_reason": reason.pk,
            "lost_note": "Q1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    two.refresh_from_db()
    assert (two.status, two.lost_reason, two.lost_note) == ("lost", reason, "Q1")


def test_a_plain_form_post_redirects_to_the_board_or_shows_the_refusal(client, org, stages, deals):
    client.force_login(org.am_a)
    g, one = stages["account_growth"], deals["one"]
    url = reverse("growth:opportunity_move", args=[one.pk])
    refused = client.post(url, {"stage": g["proposal"].pk, "version": 1, "from": "board", "kind": "upsell"})
    assert refused.status_code == 400 and "cannot be skipped" in refused.content.decode()
    moved = client.post(url, {"stage": g["qualified"].pk, "version": 1, "from": "board", "kind": "upsell"})
    assert moved.status_code == 302 and moved.url == reverse("growth:board") + "?kind=upsell"


def test_the_auditor_sees_the_board_but_may_not_move(client, org, stages, deals):
    client.force_login(org.auditor)
    board = client.get(reverse("growth:board"))
    assert board.status_code == 200 and board.context["board"].columns[0].count == 3
    assert 'class="card-move"' not in board.content.decode()  # he reads: no menu, nothing to drag
    assert 'draggable="true"' not in board.content.decode()
    one = deals["one"]
    response = client.post(
        reverse("growth:opportunity_move", args=[one.pk]),
        {"stage": stages["account_growth"]["qualified"].pk, "from": "board"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    client.force_login(org.am_b)  # not his account: not found at all
    assert client.post(reverse("growth:opportunity_move", args=[one.pk]), {}).status_code == 404


def test_the_board_costs_the_same_queries_for_few_and_many_cards(client, org, stages, accounts, deals):
    client.force_login(org.head)
    url = reverse("growth:board")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    g = stages["account_growth"]
    for i in range(30):
        deal = _open(org.am_b, accounts["b"], f"{i + 1}00.00")
        if i % 3 == 0:
            opportunity_move(by=org.am_b, opportunity=deal, stage=g["qualified"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    identified = _column(response.context["board"], "identified")
    assert identified.count == 23 and len(identified.cards) == 23  # 3 + 20 new (10 of 30 moved on)
    assert Opportunity.objects.count() == 34


def test_a_scoped_board_ranks_each_columns_first_cards_in_one_query(org, stages, deals):
    """The lead's board (his visibility evaluated once for every column) shows, per column, the same first cards
    as reading the column alone would."""
    lead = pipeline.board(org.lead_a, pipeline.Filters(), limit=2)
    for column in lead.columns:
        alone = list(
            pipeline.visible(org.lead_a)
            .filter(stage_id=column.stage.pk, status="open")
            .order_by("expected_close_on", "id")[:2]
        )
        assert column.cards == alone, column.stage.code
    assert sum(len(column.cards) for column in lead.columns) >= 2  # not a vacuous comparison
