"""Whitespace: accounts × product lines against a hand-computed example (window edges at local month
boundaries, credit notes bringing a line to zero or below), filters, visibility, query counts, the one-click
opportunity for a gap (defaults, one per account and line, refusals in the cell) and the card's lines."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from orbit.accounts.models import AccountStatus, Segment, Tier
from orbit.accounts.services import account_archive
from orbit.growth import whitespace as ws
from orbit.growth.models import Opportunity
from orbit.growth.opportunities import opportunity_create
from orbit.revenue.models import AccountRevenueMonth, ProductLine
from tests.factories import make_account

D = Decimal
TODAY = dt.date(2026, 12, 4)  # the 12-month window: 2026-01-01 … 2026-12 (the current month included)


def _month(account, month: str, line, net: str) -> None:
    year, mon = map(int, month.split("-"))
    AccountRevenueMonth.objects.create(
        account=account,
        month=dt.date(year, mon, 1),
        product_line=line,
        net_base=D(net),
        cost_base=D("0"),
        lines=1,
    )


@pytest.fixture
def lines(db):
    return {
        "equipment": ProductLine.objects.create(
            code="equipment", name_ru="Оборудование", name_en="Equipment"
        ),
        "service": ProductLine.objects.create(code="service", name_ru="Сервис", name_en="Service"),
        "software": ProductLine.objects.create(code="software", name_ru="Программы", name_en="Software"),
    }


@pytest.fixture
def book(org, lines, stages):
    """Three accounts and their monthly nets.

    Альфа (am_a, key, segment «Розница»):
      equipment 2025-12 +5,000 (outside), 2026-01 +1,000 (first month of the window)   → in window 1,000: bought
      service   2026-06 +300, 2026-07 −300 (credit note)                                 → 0: not bought
      software  2026-12 +250 (current month), 2027-01 +900 (a future month: outside)     → 250: bought
      no line   2026-05 +70 ("Other" is not a column)
    Бета (am_a, tier C):
      equipment 2026-03 +500, 2026-11 −700                                               → −200: not bought
      service   2025-12-01 +800 (the month before the window)                            → none: not bought
      an open opportunity on service                                                     → gap, opportunity open
    Гамма (am_b, tier B): service 2026-12 +100                                            → bought
    """
    retail = Segment.objects.create(code="retail", name_ru="Розница", name_en="Retail")
    alpha = make_account(org.head, org.am_a, short_name="Альфа", tier=Tier.KEY, segment=retail)
    beta = make_account(org.head, org.am_a, short_name="Бета", tier=Tier.C)
    gamma = make_account(org.head, org.am_b, short_name="Гамма", tier=Tier.B)
    eq, sv, sw = lines["equipment"], lines["service"], lines["software"]
    _month(alpha, "2025-12", eq, "5000")
    _month(alpha, "2026-01", eq, "1000")
    _month(alpha, "2026-06", sv, "300")
    _month(alpha, "2026-07", sv, "-300")
    _month(alpha, "2026-12", sw, "250")
    _month(alpha, "2027-01", sw, "900")
    _month(alpha, "2026-05", None, "70")
    _month(beta, "2026-03", eq, "500")
    _month(beta, "2026-11", eq, "-700")
    _month(beta, "2025-12", sv, "800")
    _month(gamma, "2026-12", sv, "100")
    opening = opportunity_create(
        by=org.am_a,
        account=beta,
        kind="cross_sell",
        title="Service for Бета",
        amount=D("0"),
        expected_close_on=timezone.localdate() + dt.timedelta(days=30),
        product_line=sv,
    )
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "opening": opening, "retail": retail}


def _states(rows) -> dict:
    return {
        row.account.short_name: {cell.line.code: (cell.state, cell.net) for cell in row.cells} for row in rows
    }


def _matrix(user, today=TODAY, **filters):
    flt = ws.WhitespaceFilters(**filters)
    accounts = list(ws.whitespace_accounts(user, flt, today=today))
    return _states(ws.whitespace_rows(user, accounts, ws.product_lines(), ws.window_of(today, flt.months)))


def test_the_matrix_against_the_hand_computed_example(org, book):
    with translation.override("en"):
        got = _matrix(org.head)
    assert got == {
        "Альфа": {
            "equipment": ("bought", D("1000.00")),  # 2025-12 is outside the window
            "service": ("gap", D("0.00")),  # 300 − 300
            "software": ("bought", D("250.00")),  # 2027-01 is after the current month
        },
        "Бета": {
            "equipment": ("gap", D("-200.00")),  # 500 − 700
            "service": ("gap_open", None),  # 2025-12 is outside; an open opportunity on the line
            "software": ("gap", None),
        },
        "Гамма": {"equipment": ("gap", None), "service": ("bought", D("100.00")), "software": ("gap", None)},
    }


def test_a_shorter_window_drops_the_older_months(org, book):
    # 3 months on 2026-12-04: 2026-10 … 2026-12. Альфа's equipment (2026-01) falls out; Бета's equipment is
    # only the −700 of 2026-11.
    got = _matrix(org.head, months=3)
    assert got["Альфа"]["equipment"] == ("gap", None)
    assert got["Альфа"]["software"] == ("bought", D("250.00"))
    assert got["Бета"]["equipment"] == ("gap", D("-700.00"))
    assert ws.window_of(TODAY, 3) == ws.Window(dt.date(2026, 10, 1), dt.date(2026, 12, 1), 3)


def test_the_window_edge_follows_the_local_month(org, book, client, settings):
    """At 23:30 on 31 December in Moscow the window is 2026-01 … 2026-12; an hour later (00:30 on 1 January,
    still 31 December in UTC) it is 2026-02 … 2027-01: Альфа's equipment of 2026-01 drops out and its software
    of 2027-01 comes in (250 + 900 = 1,150)."""
    settings.TIME_ZONE = "Europe/Moscow"
    url = reverse("growth:whitespace")
    with time_machine.travel(dt.datetime(2026, 12, 31, 20, 30, tzinfo=dt.UTC), tick=False):
        client.force_login(org.head)  # a session of that day
        before = _states([row for row, _cells in client.get(url).context["rows"]])
    with time_machine.travel(dt.datetime(2026, 12, 31, 21, 30, tzinfo=dt.UTC), tick=False):
        response = client.get(url)
        after = _states([row for row, _cells in response.context["rows"]])
    assert before["Альфа"]["equipment"] == ("bought", D("1000.00"))
    assert before["Альфа"]["software"] == ("bought", D("250.00"))
    assert after["Альфа"]["equipment"] == ("gap", None)
    assert after["Альфа"]["software"] == ("bought", D("1150.00"))
    assert response.context["window"] == ws.Window(dt.date(2026, 2, 1), dt.date(2027, 1, 1), 12)


def test_filters(org, book, lines):
    assert set(_matrix(org.head, tier=Tier.KEY)) == {"Альфа"}
    assert set(_matrix(org.head, segment=book["retail"].pk)) == {"Альфа"}
    assert set(_matrix(org.head, manager=org.am_b.pk)) == {"Гамма"}
    assert set(_matrix(org.head, team=org.team_a.pk)) == {"Альфа", "Бета"}
    assert set(_matrix(org.head, q="гамм")) == {"Гамма"}
    # Gaps in equipment: Альфа buys it (1,000); Бета's −200 and Гамма's nothing are gaps.
    assert set(_matrix(org.head, gaps_in=lines["equipment"].pk)) == {"Бета", "Гамма"}
    # Gaps in service: Альфа's credited 0 is a gap; Гамма buys it.
    assert set(_matrix(org.head, gaps_in=lines["service"].pk)) == {"Альфа", "Бета"}
    assert set(_matrix(org.head, gaps_in=lines["service"].pk, months=3)) == {"Альфа", "Бета"}


def test_each_sees_only_his_accounts(org, book):
    assert set(_matrix(org.am_a)) == {"Альфа", "Бета"}
    assert set(_matrix(org.am_b)) == {"Гамма"}
    assert set(_matrix(org.lead_a)) == {"Альфа", "Бета"}
    assert set(_matrix(org.head)) == {"Альфа", "Бета", "Гамма"}
    assert _matrix(org.outsider) == {}


def test_the_page_shows_cells_in_words_and_filters(org, book, client):
    client.force_login(org.am_a)
    response = client.get(reverse("growth:whitespace"), {"tier": "C"})  # in his language: Russian
    html = response.content.decode()
    assert response.status_code == 200
    assert "Бета" in html and "Альфа" not in html and "Гамма" not in html
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    assert html.count(">Открыть сделку<") == 2  # Бета's equipment and software; service has one open
    assert 'Не покупает</span> <span class="sub"' in html  # equipment: net −200 shown in words, not colour
    assert "есть открытая сделка" in html
    empty = client.get(reverse("growth:whitespace"), {"manager": org.am_b.pk}).content.decode()
    assert "Ни один клиент не подходит под эти фильтры." in empty


def test_query_count_does_not_grow_with_the_page(org, lines, client, settings):
    accounts = [make_account(org.head, org.am_a, short_name=f"Клиент {n:02d}") for n in range(12)]
    for n, account in enumerate(accounts):
        _month(account, "2026-11", lines["equipment" if n % 2 else "service"], "100")

    def count(page_size: int) -> int:
        settings.ORBIT_PAGE_SIZE = page_size
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("growth:whitespace"))
        assert len(response.context["rows"]) == page_size
        return len(captured.captured_queries)

    client.force_login(org.head)
    assert count(2) == count(10)
    client.force_login(org.am_a)
    small, big = count(2), count(10)
    assert small == big <= 14


# --- One click on a gap -------------------------------------------------------------------------------


def _click(client, account, line, **headers):
    return client.post(
        reverse("growth:whitespace_open", args=[account.pk]),
        {"line": line.pk},
        HTTP_HX_REQUEST="true",
        **headers,
    )


def test_one_click_opens_a_cross_sell_and_a_second_click_finds_it(org, book, lines, client):
    client.force_login(org.am_a)
    alpha = book["alpha"]
    response = _click(client, alpha, lines["service"])
    assert response.status_code == 200
    opened = Opportunity.objects.get(account=alpha, product_line=lines["service"])
    assert opened.kind == "cross_sell" and opened.status == "open"
    assert opened.amount == D("0.00") and opened.owner == org.am_a
    assert opened.expected_close_on == timezone.localdate() + dt.timedelta(days=90)
    assert opened.pipeline.code == "account_growth"
    assert "есть открытая сделка" in response.content.decode()  # the cell, swapped in place
    assert opened.title == "Сервис для Альфа"
    again = _click(client, alpha, lines["service"])
    assert again.status_code == 200
    assert Opportunity.objects.filter(account=alpha, product_line=lines["service"]).count() == 1


def test_the_title_in_both_languages(org, book, lines):
    with translation.override("ru"):
        assert ws.gap_title(book["alpha"], lines["service"]) == "Сервис для Альфа"
    with translation.override("en"):
        assert ws.gap_title(book["alpha"], lines["service"]) == "Service for Альфа"


def test_the_kind_follows_the_account(org, lines, stages):
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT, short_name="Лид")
    dormant = make_account(org.head, org.am_a, status=AccountStatus.DORMANT)
    churned = make_account(org.head, org.am_a, status=AccountStatus.CHURNED)
    new, created = ws.open_gap_opportunity(by=org.sales, account=prospect, product_line=lines["equipment"])
    assert created and new.kind == "new" and new.pipeline.code == "new_business" and new.owner == org.sales
    for account in (dormant, churned):
        opp, _ = ws.open_gap_opportunity(by=org.am_a, account=account, product_line=lines["software"])
        assert opp.kind == "reactivation"


def test_refusals_are_shown_in_the_cell_and_write_nothing(org, book, lines, client):
    before = Opportunity.objects.count()
    client.force_login(org.auditor)  # sees everything, sells nothing
    refused = _click(client, book["alpha"], lines["service"])
    assert refused.status_code == 403
    assert 'role="alert"' in refused.content.decode()
    assert "Вы не можете" in refused.content.decode() or "may not" in refused.content.decode()
    client.force_login(org.am_b)  # not his account: it does not exist for him
    assert _click(client, book["alpha"], lines["service"]).status_code == 404
    account_archive(by=org.head, account=book["alpha"])
    client.force_login(org.am_a)
    archived = _click(client, book["alpha"], lines["service"]).content.decode()
    assert "Аккаунт в архиве" in archived
    assert _click(client, book["alpha"], lines["service"]).status_code == 400
    no_line = client.post(reverse("growth:whitespace_open", args=[book["beta"].pk]), {"line": "x"})
    assert no_line.status_code == 400
    assert Opportunity.objects.count() == before


def test_a_plain_post_goes_to_the_opportunity(org, book, lines, client):
    client.force_login(org.am_a)
    response = client.post(
        reverse("growth:whitespace_open", args=[book["beta"].pk]), {"line": lines["software"].pk}
    )
    assert response.status_code == 302
    assert Opportunity.objects.filter(account=book["beta"], product_line=lines["software"]).exists()


# --- The card -----------------------------------------------------------------------------------------


def test_the_card_lines(org, book, lines, rf):
    with translation.override("en"):
        card = ws.account_product_lines(org.am_a, book["alpha"], TODAY)
        assert [(c.line.code, c.net) for c in card.bought] == [
            ("equipment", D("1000.00")),
            ("software", D("250.00")),
        ]
        assert [(c.line.code, c.net) for c in card.not_bought] == [("service", D("0.00"))]
        assert card.total == D("1250.00")
        beta = ws.account_product_lines(org.am_a, book["beta"], TODAY)
        assert beta.bought == []
        assert [(c.line.code, c.opportunity_id) for c in beta.not_bought] == [
            ("equipment", None),
            ("service", book["opening"].pk),
            ("software", None),
        ]
        from django.template.loader import render_to_string

        html = render_to_string(
            "growth/whitespace/_card_lines.html", {"lines": beta, "account": book["beta"]}
        )
    assert "Nothing bought in this window." in html and "opportunity open" in html
    assert "Equipment" in html and "Software" in html


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_open_one(postgres_only):
    """Two requests racing: the account row is locked first, so the second waits and finds the first one's."""
    import threading

    from orbit.growth.defaults import ensure_defaults
    from tests.factories import Org

    ensure_defaults()  # the flush of a transactional test emptied the default pipelines
    org = Org()
    account = make_account(org.head, org.am_a, short_name="Гонка")
    line = ProductLine.objects.create(code="service", name_ru="Сервис", name_en="Service")
    barrier = threading.Barrier(2)
    results: list = []
    errors: list = []

    def click():
        try:
            barrier.wait()
            opportunity, created = ws.open_gap_opportunity(by=org.am_a, account=account, product_line=line)
            results.append((opportunity.pk, created))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(created for _pk, created in results) == [False, True]
    assert len({pk for pk, _created in results}) == 1
    assert Opportunity.objects.filter(account=account, product_line=line).count() == 1


def test_the_card_panel_is_served_to_those_who_see_the_account(org, book, lines, client):
    client.force_login(org.am_a)
    response = client.get(reverse("growth:account_panel", args=[book["alpha"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Оборудование" in html and "Не покупает ещё" not in html and "Ещё не покупает:" in html
    # The card's lines on their own (the panel's other parts are counted in test_card_panel.py): the access
    # context, the lines, the nets, the openings.
    with CaptureQueriesContext(connection) as captured:
        ws.account_product_lines(org.am_a, book["alpha"], timezone.localdate())
    assert len(captured.captured_queries) <= 4
    client.force_login(org.am_b)
    assert client.get(reverse("growth:account_panel", args=[book["alpha"].pk])).status_code == 404
