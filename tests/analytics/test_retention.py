"""Retention by cohort and by calendar month, against hand-computed figures (the arithmetic in the comments).

Month offsets count from the cohort month; the window ends with the last complete month before `as_of`.
"""

import datetime as dt

import pytest

from orbit.accounts import services
from orbit.accounts.models import Tier
from orbit.analytics import retention
from tests.analytics.retention_rows import lines, revenue
from tests.analytics.rows import done_run
from tests.factories import make_account

AS_OF = dt.date(2026, 6, 15)  # last complete month: May 2026; 12 cohorts Jun 2025 … May 2026


def _cohort(figures: dict, month: str) -> dict:
    return next(row for row in figures["cohorts"] if row["month"] == month)


def _month(figures: dict, month: str) -> dict:
    return next(row for row in figures["months"] if row["month"] == month)


@pytest.fixture
def three(org):
    """The January 2026 cohort: one account stops, one shrinks, one grows (with a credit note in May)."""
    equipment, service = lines()
    stops, shrinks, grows = (make_account(org.head, org.am_a) for _ in range(3))
    for month, amounts in {
        "2026-01": ("100", "200", "100"),
        "2026-02": ("50", "150", "200"),
        "2026-03": (None, "100", "300"),
        "2026-04": (None, "50", "400"),
        "2026-05": (None, "50", "400"),
    }.items():
        for account, amount in zip((stops, shrinks, grows), amounts, strict=True):
            if amount:
                revenue(account, month, amount, equipment)
    revenue(grows, "2026-05", "-100", service)  # a credit note in May: May nets 300
    return stops, shrinks, grows


def test_a_cohort_that_stops_shrinks_and_grows(three):
    figures = retention.present(retention.compute(retention.department_rows(), AS_OF))
    january = _cohort(figures, "2026-01-01")
    assert january["accounts"] == 3
    assert january["revenue"] == "400.00"  # 100 + 200 + 100
    # Logo: members who bought / 3.   NRR: their net / 400 (January's).
    # k=0 Jan: 3/3 = 100 %;  400/400 = 100 %
    # k=1 Feb: 3/3 = 100 %;  (50 + 150 + 200) = 400/400 = 100 %
    # k=2 Mar: 2/3 = 66.67 %; (100 + 300) = 400/400 = 100 %
    # k=3 Apr: 2/3 = 66.67 %; (50 + 400) = 450/400 = 112.50 % (the grower outweighs the shrinker)
    # k=4 May: 2/3 = 66.67 %; (50 + 400 − 100) = 350/400 = 87.50 % (the credit note lowers NRR)
    assert [c["logo"] for c in january["cells"]] == ["100.00", "100.00", "66.67", "66.67", "66.67"]
    assert [c["nrr"] for c in january["cells"]] == ["100.00", "100.00", "100.00", "112.50", "87.50"]
    assert [c["revenue"] for c in january["cells"]] == ["400.00", "400.00", "400.00", "450.00", "350.00"]
    # The window: 12 cohorts Jun 2025 … May 2026, offsets 0 … 11; May 2026's row has one cell.
    assert figures["cohorts"][0]["month"] == "2025-06-01"
    assert figures["cohorts"][-1]["month"] == "2026-05-01"
    assert len(figures["cohorts"][-1]["cells"]) == 1
    assert figures["offsets"] == list(range(12))
    # The other cohorts are empty: no members, no figures.
    assert _cohort(figures, "2026-02-01")["accounts"] == 0
    assert _cohort(figures, "2026-02-01")["cells"][0]["logo"] is None
    # Only one cohort has members, so the average curve is January's.
    assert [a["logo"] for a in figures["average"]] == ["100.00", "100.00", "66.67", "66.67", "66.67"]
    assert [a["nrr"] for a in figures["average"]][:5] == ["100.00", "100.00", "100.00", "112.50", "87.50"]


def test_an_account_whose_first_month_is_a_credit_note_joins_when_it_buys(org, three):
    equipment, service = lines()
    late = make_account(org.head, org.am_a)
    revenue(late, "2026-02", "-80", equipment)  # only a credit note: not a member of February
    revenue(late, "2026-03", "120", equipment)  # its first purchase: the March cohort
    zero = make_account(org.head, org.am_a)
    revenue(zero, "2026-01", "100", equipment)  # sold and credited in the same month: January nets 0
    revenue(zero, "2026-01", "-100", service)
    revenue(zero, "2026-02", "30", equipment)  # so its cohort is February
    figures = retention.present(retention.compute(retention.department_rows(), AS_OF))
    assert _cohort(figures, "2026-01-01")["accounts"] == 3  # the three of the fixture, not `zero`
    february = _cohort(figures, "2026-02-01")
    march = _cohort(figures, "2026-03-01")
    assert (february["accounts"], february["revenue"]) == (1, "30.00")
    assert (march["accounts"], march["revenue"]) == (1, "120.00")
    # March: bought in Mar, not in Apr or May → 100 %, 0 %, 0 %; NRR 120/120, 0/120, 0/120.
    assert [c["logo"] for c in march["cells"]] == ["100.00", "0.00", "0.00"]
    assert [c["nrr"] for c in march["cells"]] == ["100.00", "0.00", "0.00"]
    # The average curve pools the cohorts that reached the offset:
    # k=1: Jan 3 of 3, Feb 0 of 1, Mar 0 of 1 → 3/5 = 60 %; NRR (400 + 0 + 0)/(400 + 30 + 120) = 72.73 %
    # k=3: Jan 2 of 3, Feb 0 of 1 (May; Mar has not reached k=3) → 2/4 = 50 %; NRR 450/430 = 104.65 %
    assert figures["average"][1]["logo"] == "60.00"
    assert figures["average"][1]["nrr"] == "72.73"
    assert figures["average"][3]["logo"] == "50.00"
    assert figures["average"][3]["nrr"] == "104.65"


def test_calendar_months_trailing_twelve(org):
    equipment, _ = lines()
    p, q, r, s, t = (make_account(org.head, org.am_a) for _ in range(5))
    revenue(p, "2024-07", "1000", equipment)
    revenue(p, "2026-03", "700", equipment)
    revenue(q, "2024-12", "500", equipment)  # nothing since: lost
    revenue(r, "2025-05", "300", equipment)  # May 2025 = m − 12 for May 2026: the base year's last month
    revenue(r, "2025-06", "450", equipment)  # Jun 2025 = m − 11: the current year's first month
    revenue(s, "2024-05", "999", equipment)  # May 2024 = m − 24: outside May 2026's base year
    revenue(s, "2025-06", "100", equipment)
    revenue(t, "2025-01", "200", equipment)
    revenue(t, "2026-02", "-50", equipment)  # a credit note: its year nets −50
    figures = retention.present(retention.compute(retention.department_rows(), AS_OF))
    may = _month(figures, "2026-05-01")
    # Base year Jun 2024 … May 2025: p 1000, q 500, r 300, t 200 (s's May 2024 is outside) → 4 accounts, 2000.
    # Year to May 2026: p 700, q 0, r 450, t −50 → 1100; bought (net > 0): p, r.
    assert (may["accounts"], may["retained"], may["base"], may["revenue"]) == (4, 2, "2000.00", "1100.00")
    assert (may["logo"], may["nrr"]) == ("50.00", "55.00")  # 2/4; 1100/2000
    april = _month(figures, "2026-04-01")
    # Base year May 2024 … Apr 2025: p 1000, q 500, s 999, t 200 = 2699 (r's first is May 2025: not in the base).
    # Year to Apr 2026 (May 2025 … Apr 2026): p 700, q 0, s 100, t −50 = 750; bought: p, s.
    assert (april["accounts"], april["retained"], april["base"], april["revenue"]) == (
        4,
        2,
        "2699.00",
        "750.00",
    )
    assert (april["logo"], april["nrr"]) == ("50.00", "27.79")  # 2/4; 750/2699 = 27.788…
    # June 2025: base year Jul 2023 … Jun 2024 holds only s (999); it bought 100 in Jun 2025 → 100 %, 10.01 %.
    june = _month(figures, "2025-06-01")
    assert (june["accounts"], june["logo"], june["nrr"]) == (1, "100.00", "10.01")  # 100/999 = 10.010…


def test_month_ends_and_leap_years(org):
    equipment, _ = lines()
    account = make_account(org.head, org.am_a)
    revenue(account, "2023-12", "100", equipment)
    revenue(account, "2024-01", "100", equipment)
    revenue(account, "2024-02", "100", equipment)  # the month of 29 February
    # On 29 February the month is not over: the window ends with January; the cohort (Dec 2023) has two cells.
    on_29th = retention.present(retention.compute(retention.department_rows(), dt.date(2024, 2, 29)))
    assert on_29th["last_month"] == "2024-01-01"
    assert [c["logo"] for c in _cohort(on_29th, "2023-12-01")["cells"]] == ["100.00", "100.00"]
    # On 1 March February is complete: offsets 0, 1, 2 across the year end (Dec → Jan → Feb).
    on_1st = retention.present(retention.compute(retention.department_rows(), dt.date(2024, 3, 1)))
    assert on_1st["last_month"] == "2024-02-01"
    assert [c["offset"] for c in _cohort(on_1st, "2023-12-01")["cells"]] == [0, 1, 2]
    assert [c["nrr"] for c in _cohort(on_1st, "2023-12-01")["cells"]] == ["100.00", "100.00", "100.00"]
    assert retention.month_of(retention.month_index(dt.date(2024, 2, 29))) == dt.date(2024, 2, 1)


def test_no_revenue_at_all_is_empty(org):
    figures = retention.present(retention.compute(retention.department_rows(), AS_OF))
    assert figures["empty"] is True
    assert len(figures["cohorts"]) == 12
    assert all(row["accounts"] == 0 for row in figures["cohorts"])
    assert figures["average"] == []
    assert all(m["logo"] is None and m["nrr"] is None for m in figures["months"])


def test_a_manager_sees_only_his_accounts_cohorts(org, three):
    equipment, _ = lines()
    other = make_account(org.head, org.am_b)
    revenue(other, "2026-01", "1000", equipment)
    mine = retention.present(retention.compute(retention.reader_rows(org.am_a), AS_OF))
    theirs = retention.present(retention.compute(retention.reader_rows(org.am_b), AS_OF))
    everyone = retention.present(retention.compute(retention.department_rows(), AS_OF))
    assert _cohort(mine, "2026-01-01")["accounts"] == 3
    assert _cohort(theirs, "2026-01-01")["accounts"] == 1
    assert _cohort(theirs, "2026-01-01")["revenue"] == "1000.00"
    assert _cohort(everyone, "2026-01-01")["accounts"] == 4
    # The head narrowed to a manager or a team: within what he sees.
    assert (
        _cohort(
            retention.present(retention.compute(retention.reader_rows(org.head, manager=org.am_b.pk), AS_OF)),
            "2026-01-01",
        )["accounts"]
        == 1
    )
    assert (
        _cohort(
            retention.present(retention.compute(retention.reader_rows(org.head, team=org.team_a.pk), AS_OF)),
            "2026-01-01",
        )["accounts"]
        == 3
    )
    # A manager narrowing to someone else's accounts sees nothing (the intersection is empty).
    assert (
        _cohort(
            retention.present(retention.compute(retention.reader_rows(org.am_a, manager=org.am_b.pk), AS_OF)),
            "2026-01-01",
        )["accounts"]
        == 0
    )


def test_a_handoff_moves_the_accounts_whole_history(org, three):
    """Figures follow visibility, which follows the current responsible manager: after a handoff in the window
    the new manager's cohorts hold the account from its first purchase on, the old manager's no longer do."""
    _stops, _shrinks, grows = three
    services.account_reassign(by=org.head, account=grows, manager=org.am_b)
    old = retention.present(retention.compute(retention.reader_rows(org.am_a), AS_OF))
    new = retention.present(retention.compute(retention.reader_rows(org.am_b), AS_OF))
    # am_a: stops (100) and shrinks (200): Jan base 300; May: shrinks 50 → logo 1/2 = 50 %, NRR 50/300 = 16.67 %
    assert _cohort(old, "2026-01-01")["accounts"] == 2
    assert _cohort(old, "2026-01-01")["cells"][4]["logo"] == "50.00"
    assert _cohort(old, "2026-01-01")["cells"][4]["nrr"] == "16.67"
    # am_b: grows alone, January 100 → May 400 − 100 = 300: 300 %.
    assert _cohort(new, "2026-01-01")["accounts"] == 1
    assert _cohort(new, "2026-01-01")["cells"][4]["nrr"] == "300.00"


def test_the_head_reads_the_runs_figures_others_compute_theirs(org, three):
    stored = retention.department_summary(AS_OF)
    done_run(as_of=AS_OF, summary={"retention": stored})
    figures, source = retention.for_reader(org.head, today=AS_OF)
    assert (figures, source) == (stored, "run")
    # Narrowed, or a lead: computed on the fly.
    assert retention.for_reader(org.head, team=org.team_a.pk, today=AS_OF)[1] == "live"
    assert retention.for_reader(org.lead_a, today=AS_OF)[1] == "live"


def test_without_a_stored_summary_the_head_gets_it_computed(org, three):
    done_run(as_of=AS_OF, summary={})  # a run from before retention was stored
    figures, source = retention.for_reader(org.head, today=AS_OF)
    assert source == "live"
    assert _cohort(retention.present(figures), "2026-01-01")["accounts"] == 3


def test_a_shorter_window_is_a_slice_of_the_stored_one(three):
    stored = retention.department_summary(AS_OF)
    assert len(stored["cohorts"]) == 24 and len(stored["months"]) == 24
    assert (
        retention.present(stored, 12)["cohorts"]
        == retention.present(retention.compute(retention.department_rows(), AS_OF, 12), 12)["cohorts"]
    )


def test_key_tier_does_not_change_retention(org, three):
    stops, _, _ = three
    stops.tier = Tier.KEY
    stops.save(update_fields=["tier"])
    figures = retention.present(retention.compute(retention.department_rows(), AS_OF))
    assert _cohort(figures, "2026-01-01")["accounts"] == 3


def test_the_figures_take_two_queries(org, three, django_assert_num_queries):
    rows = retention.department_rows()
    with django_assert_num_queries(2):  # the triangle and the calendar months
        retention.compute(rows, AS_OF)


def test_an_archived_account_stays_in_its_cohort_as_lost(org, three):
    stops, _shrinks, _grows = three
    services.account_archive(by=org.head, account=stops)
    figures = retention.present(retention.compute(retention.reader_rows(org.am_a), AS_OF))
    january = _cohort(figures, "2026-01-01")
    # Still 3 members: the one that stopped counts as lost from March (2/3), it does not vanish (which would
    # read 2/2 = 100 %).
    assert january["accounts"] == 3
    assert january["cells"][2]["logo"] == "66.67"
