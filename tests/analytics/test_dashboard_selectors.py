"""The figures of a reader's scope (orbit.analytics.selectors.scope_figures) against hand-computed values, on
the world of tests/analytics/dashboard_world.py."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from orbit.analytics import selectors
from tests.analytics.dashboard_world import curve_values
from tests.analytics.rows import done_run, metrics
from tests.factories import make_account


def test_a_lead_narrowing_to_nothing_he_leads_sees_nothing(org, world):
    found = selectors.scope_figures(org.lead_a, team=org.team_b.pk)
    assert found.figures["accounts"] == 0 and found.figures["pareto"]["curve"] == []


def test_the_department_curve_by_hand(org, world):
    # Five accounts: the top k % is ceil(5k/100) accounts. k 1–20: 500 → 50.00; 21–40: 800 → 80.00;
    # 41–60: 900 → 90.00; 61–80: 960 → 96.00; 81–100: 1000 → 100.00.
    found = selectors.scope_figures(org.head, team=org.team_a.pk)  # narrowed: computed, not the summary
    assert not found.from_summary
    everything = selectors.scope_figures(org.head)
    assert everything.from_summary
    curve = curve_values(everything)
    assert [curve[k] for k in (1, 20, 21, 40, 41, 60, 61, 80, 81, 100)] == [
        "50.00", "50.00", "80.00", "80.00", "90.00", "90.00", "96.00", "96.00", "100.00", "100.00"
    ]  # fmt: skip
    shares = everything.figures["shares"]
    assert shares == {"key": "50.00", "top20": "50.00", "key_accounts": 1}
    # Cells: A = 500 + 300 = 800 of 1000 → AX 50.00, AY 30.00; B too new 10.00, BZ 6.00; CZ 4.00.
    cells = everything.figures["cells"]
    assert {code: (c["accounts"], c["share"]) for code, c in cells.items()} == {
        "AX": (1, "50.00"),
        "AY": (1, "30.00"),
        "B": (1, "10.00"),
        "BZ": (1, "6.00"),
        "CZ": (1, "4.00"),
    }


def test_a_manager_sees_the_figures_of_his_two_accounts_only(org, world):
    # am_a: 500 and 40, total 540. Two accounts: k 1–50 → the first, 500 / 540 = 92.59 %; k 51–100 → 100.00.
    found = selectors.scope_figures(org.am_a)
    assert not found.from_summary
    assert found.figures["accounts"] == 2
    assert found.figures["pareto"]["total"] == "540"
    curve = curve_values(found)
    assert (curve[1], curve[50], curve[51], curve[100]) == ("92.59", "92.59", "100.00", "100.00")
    assert found.figures["shares"] == {"key": "92.59", "top20": "92.59", "key_accounts": 1}
    assert set(found.figures["cells"]) == {"AX", "CZ"}
    assert set(found.figures["segments"]) == {"champion", "lost"}


def test_a_manager_cannot_narrow_into_anothers_portfolio(org, world):
    found = selectors.scope_figures(org.am_a, manager=org.am_b.pk)
    assert found.figures["accounts"] == 0


def test_a_lead_sees_his_teams_and_narrows_to_a_subteam(org, world):
    # lead_a leads team A and (policy default) its subteam A1: 500, 40, 60 = 600. Three accounts: the top k % is
    # ceil(3k/100): k 1–33 → 500 / 600 = 83.33; k 34–66 → 560 / 600 = 93.33; k 67–100 → 100.00.
    found = selectors.scope_figures(org.lead_a)
    curve = curve_values(found)
    assert found.figures["accounts"] == 3
    assert (curve[33], curve[34], curve[66], curve[67]) == ("83.33", "93.33", "93.33", "100.00")
    # Narrowed to team A1: the one account of 60, the whole curve at 100 %.
    narrowed = selectors.scope_figures(org.lead_a, team=org.team_a1.pk)
    assert narrowed.figures["pareto"]["total"] == "60"
    assert set(curve_values(narrowed).values()) == {"100.00"}
    # Team A with its subteams equals his whole scope here.
    assert selectors.scope_figures(org.lead_a, team=org.team_a.pk).figures == found.figures


def test_the_basis_of_the_run_decides_the_totals(org, world):
    run, _accounts = world
    run.params = {"settings": {"basis": "margin", "window_months": 6, "abc_a": "70", "abc_b": "90"}}
    run.save()
    found = selectors.scope_figures(org.am_a)
    # Margins are a tenth: 50 + 4 = 54.
    assert found.basis == "margin" and found.figures["pareto"]["total"] == "54"
    assert found.thresholds == (Decimal(70), Decimal(90)) and found.window_months == 6


def test_the_heads_figures_come_from_the_run_summary_in_two_queries(org, world):
    run, _accounts = world
    run.summary = {**run.summary, "accounts": 1_000_000}  # the stored figure, not a count of rows
    run.save()
    org.head.refresh_from_db()
    selectors.scope_figures(org.head)  # warms the user's access context, read once a request anyway
    with CaptureQueriesContext(connection) as queries:
        found = selectors.scope_figures(org.head)
    assert found.from_summary and found.figures["accounts"] == 1_000_000
    assert len(queries) <= 1, [q["sql"] for q in queries]  # the latest run, nothing over the metrics


def test_no_run_no_figures(org):
    found = selectors.scope_figures(org.head)
    assert found.run is None and found.figures == {}


def test_a_run_in_progress_is_not_read(org, world):
    done_run(status="running")
    assert selectors.scope_figures(org.head).run == world[0]


def test_credit_notes_below_zero_stay_off_the_curve(org, world):
    run, _accounts = world
    # A credit note took back more than was sold: -25 in the window, class D. The curve is over the positive
    # accounts (500 and 40 for am_a, still 540), D's share is counted at 0.
    extra = make_account(org.head, org.am_a, short_name="credited")
    metrics(extra, run, window_revenue=Decimal("-25"), window_margin=Decimal("-25"), abc="D", xyz="")
    found = selectors.scope_figures(org.am_a)
    assert found.figures["accounts"] == 3 and found.figures["pareto"]["total"] == "540"
    assert found.figures["cells"]["D"] == {"accounts": 1, "total": "-25", "share": "0.00"}


def test_scope_choices(org, world):
    head = selectors.scope_choices(org.head)
    assert {name for _pk, name in head.teams} == {"Team A", "Team A1", "Team B"}
    lead = selectors.scope_choices(org.lead_a)
    assert {name for _pk, name in lead.teams} == {"Team A", "Team A1"}
    assert {pk for pk, _name in lead.managers} == {org.am_a.pk, org.am_a1.pk, org.lead_a.pk}
    assert selectors.scope_choices(org.am_a) == selectors.ScopeChoices()
