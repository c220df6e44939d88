"""ABC/ABCD and XYZ against hand-computed examples: the boundary account, ties, zero and negative totals, a
single client, too little history, months without purchases."""

import numpy as np
import pytest

from orbit.analytics.classes import abc_classes, xyz_classes


def _abc(totals_roubles, ids=None):
    kopecks = np.array([round(t * 100) for t in totals_roubles], dtype=np.int64)
    return list(abc_classes(kopecks, np.array(ids or range(1, len(kopecks) + 1))))


def test_the_account_that_crosses_80_percent_is_a_and_the_rest_follow():
    # Total 1000. Ranked: 500 (before 0 %), 300 (50 %), 100 (80 %: not below 80 -> B), 60 (90 % -> B),
    # 40 (96 % -> C).
    assert _abc([100, 500, 40, 300, 60]) == ["B", "A", "C", "A", "B"]


def test_a_single_client_with_most_of_the_money_is_a():
    # 900 of 1000: before it 0 % -> A; the other, before it 90 % -> B.
    assert _abc([900, 100]) == ["A", "B"]
    assert _abc([1]) == ["A"]


def test_equal_totals_take_the_better_class_whatever_their_ids():
    # By id alone the second 100 (before it 80 %) would have been B.
    classes = _abc([700, 100, 100, 50, 50], ids=[1, 2, 3, 4, 5])
    # Total 1000: 700 A (0 %); 100, 100 tie: before = 70 % -> both A; 50, 50 tie: before = 90 % -> both B.
    assert classes == ["A", "A", "A", "B", "B"]


def test_zero_and_negative_totals_are_d_and_do_not_count_in_the_total():
    # A credit note took back more than was sold (-30), nothing bought (0): D. The total is 200 + 100 = 300.
    # 200 (0 % -> A), 100 (66.7 % -> A).
    assert _abc([200, -30, 0, 100]) == ["A", "D", "D", "A"]
    assert _abc([0, -5]) == ["D", "D"]
    assert _abc([]) == []


def test_the_boundary_is_exact_in_kopecks():
    # Total 100.00: 80.00 (before 0 % -> A); 15.00 (before exactly 80 %: not below -> B); 5.00 (before exactly
    # 95 % -> C). And a kopeck under: 79.99 A, 15.01 (before 79.99 % -> A), 5.00 (before 95 % -> C).
    assert _abc([80.00, 15.00, 5.00]) == ["A", "B", "C"]
    assert _abc([79.99, 15.01, 5.00]) == ["A", "A", "C"]


def test_xyz_by_the_coefficient_of_variation():
    monthly = np.array(
        [
            [100, 100, 100, 100, 100, 100],  # CV 0 -> X
            [110, 90, 110, 90, 110, 90],  # mean 100, sd 10 -> 10 % -> X (up to 10 inclusive)
            [120, 80, 120, 80, 120, 80],  # sd 20 -> 20 % -> Y
            [300, 0, 0, 300, 0, 0],  # mean 100, sd sqrt((4·100² + 2·200²)/6) = 141.4 -> Z
            [0, 0, 0, 0, 0, 0],  # no revenue: Z
            [0, 0, 0, 0, 50, 50],  # first bought 2 months ago: too new
        ]
    )
    history = np.array([24, 6, 6, 12, 30, 2])
    classes, cv = xyz_classes(monthly, history)
    assert list(classes) == ["X", "X", "Y", "Z", "Z", ""]
    assert cv[1] == pytest.approx(10.0) and cv[2] == pytest.approx(20.0)
    assert cv[3] == pytest.approx(141.42, abs=0.01)
    assert np.isnan(cv[4]) and np.isnan(cv[5])


def test_xyz_counts_only_the_months_since_the_first_purchase():
    # Bought for the last 6 of 12 months, 100 each: CV 0 (the 6 months before him are not zeros of his).
    monthly = np.array([[0] * 6 + [100] * 6, [0] * 6 + [100] * 6])
    classes, cv = xyz_classes(monthly, np.array([6, 12]))
    assert classes[0] == "X" and cv[0] == 0
    # The same row for a client of two years: the six empty months are his -> mean 50, sd 50 -> 100 % -> Z.
    assert classes[1] == "Z" and cv[1] == pytest.approx(100.0)
