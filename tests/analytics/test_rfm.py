"""RFM scores by quintile and the segments, against hand-computed examples (ties, recency's direction, one
account, the whole R×F grid)."""

import numpy as np

from orbit.analytics.rfm import Segment, quintile_scores, rfm_scores, rfm_segments


def test_ten_distinct_values_make_two_per_quintile():
    # worse counts 0..9 -> 1 + ⌊5·k/10⌋ = 1,1,2,2,3,3,4,4,5,5
    assert list(quintile_scores(np.arange(10, 20))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_recency_is_better_when_smaller_and_ties_share_a_score():
    days = np.array([3, 400, 30, 30, 90])
    # strictly larger: 3 -> 4 of 5 -> 1 + ⌊20/5⌋ = 5; 400 -> 0 -> 1; 30 (twice) -> 2 -> 1 + ⌊10/5⌋ = 3;
    # 90 -> 1 -> 1 + ⌊5/5⌋ = 2
    assert list(quintile_scores(days, higher_is_better=False)) == [5, 1, 3, 3, 2]
    money = np.array([100, 100, 100, 5])
    # strictly smaller: 1, 1, 1, 0 of 4 -> 1 + ⌊5/4⌋ = 2 for the three, 1 for the last
    assert list(quintile_scores(money)) == [2, 2, 2, 1]


def test_one_account_and_none():
    assert list(quintile_scores(np.array([7.0]))) == [1]
    assert list(quintile_scores(np.array([]))) == []


def test_rfm_scores_and_segments_of_a_small_book():
    recency = np.array([2, 10, 200, 365, 40])
    frequency = np.array([20, 2, 15, 1, 8])
    monetary = np.array([9e5, 1e4, 5e5, 2e3, 1e5])
    r, f, m = rfm_scores(recency, frequency, monetary)
    assert list(r) == [5, 4, 2, 1, 3]
    assert list(f) == [5, 2, 4, 1, 3]
    assert list(m) == [5, 2, 4, 1, 3]
    assert list(rfm_segments(r, f)) == [
        Segment.CHAMPION,  # bought two days ago, most often
        Segment.POTENTIAL,  # recent, rarely
        Segment.AT_RISK,  # used to buy often, not for 200 days
        Segment.LOST,  # a year ago, once
        Segment.ATTENTION,  # middle of both
    ]


def test_every_cell_of_the_grid_has_a_segment():
    r, f = np.meshgrid(np.arange(1, 6), np.arange(1, 6), indexing="ij")
    grid = rfm_segments(r.ravel(), f.ravel()).reshape(5, 5)
    assert set(grid.ravel()) == set(Segment.values)
    assert grid[4][0] == Segment.NEW and grid[3][0] == Segment.PROMISING  # R5 F1, R4 F1
    assert grid[0][4] == grid[1][4] == Segment.CANNOT_LOSE  # R1–2, F5
    assert grid[2][1] == Segment.ABOUT_TO_SLEEP and grid[2][3] == Segment.LOYAL


def test_the_segments_have_russian_names():
    from django.utils import translation

    with translation.override("ru"):
        assert (
            str(Segment.CHAMPION.label) == "Чемпионы" and str(Segment.CANNOT_LOSE.label) == "Нельзя потерять"
        )
    with translation.override("en"):
        assert str(Segment.AT_RISK.label) == "At risk"
