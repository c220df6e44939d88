"""The peers' median and band on a hand-worked set of seven managers (orbit/kpi/peers.py)."""

from decimal import Decimal

from orbit.kpi import peers
from orbit.kpi.peers import Features, band_of, compare, peer_groups, quantile

D = Decimal
EDGES = {"accounts": [30, 100], "a_share": [D(20)], "key_share": [D(10)], "budget": [D(10_000_000)]}


def test_bands_put_a_value_on_an_edge_in_the_upper_bucket():
    assert band_of(Features(29, D(0), D(0), D(0)), EDGES) == (0, 0, 0, 0)
    assert band_of(Features(30, D(20), D(10), D(10_000_000)), EDGES) == (1, 1, 1, 1)
    assert band_of(Features(100, D("19.9"), D("9.9"), D("9999999.99")), EDGES) == (2, 0, 0, 0)


def test_quantiles_interpolate_between_ranks():
    # [100, 200, 200, 300]: median at position 1.5 = 200; p25 at 0.75 = 100 + 0.75 × 100 = 175; p75 at 2.25 = 225
    values = [D(300), D(100), D(200), D(200)]
    assert [quantile(values, D(q)) for q in ("0.5", "0.25", "0.75")] == [D(200), D(175), D(225)]
    assert quantile([], D("0.5")) is None
    assert quantile([D(7)], D("0.25")) == D(7)


def test_seven_managers_ties_and_the_fallback_below_three_peers():
    """p1–p5 have alike portfolios (band X), p6 and p7 another (band Y). Margin per hour: p1 100, p2 200,
    p3 200 (a tie), p4 300, p5 none (no hours), p6 50, p7 400."""
    x, y = (1, 0, 0, 0), (2, 1, 1, 1)
    bands = {1: x, 2: x, 3: x, 4: x, 5: x, 6: y, 7: y}
    groups = peer_groups(bands)
    assert groups[1].ids == {2, 3, 4, 5} and not groups[1].fallback
    # p6 has one peer in his band (< 3): compared with all six others, and says so
    assert groups[6].ids == {1, 2, 3, 4, 5, 7} and groups[6].fallback
    values = {1: D(100), 2: D(200), 3: D(200), 4: D(300), 5: None, 6: D(50), 7: D(400)}
    stats = compare(values, groups)
    # p1: peers' values [200, 200, 300] (p5 has none): median 200; p25 at 0.5 → 200; p75 at 1.5 → 250
    assert (stats[1].median, stats[1].p25, stats[1].p75, stats[1].count) == (D(200), D(200), D(250), 3)
    # p2: [100, 200, 300]: median 200; p25 at 0.5 → 150; p75 at 1.5 → 250
    assert (stats[2].median, stats[2].p25, stats[2].p75) == (D(200), D(150), D(250))
    # p4: [100, 200, 200]: median 200; p25 150; p75 at 1.5 → 200
    assert (stats[4].median, stats[4].p25, stats[4].p75) == (D(200), D(150), D(200))
    # p5 (no figure himself) still has peers: [100, 200, 200, 300] → 200, 175, 225
    assert (stats[5].median, stats[5].p25, stats[5].p75) == (D(200), D(175), D(225))
    # p6 (fallback): [100, 200, 200, 300, 400] → median 200; p25 at 1 → 200; p75 at 3 → 300
    assert (stats[6].median, stats[6].p25, stats[6].p75) == (D(200), D(200), D(300))
    # p7 (fallback): [50, 100, 200, 200, 300] → median 200; p25 100; p75 200
    assert (stats[7].median, stats[7].p25, stats[7].p75) == (D(200), D(100), D(200))


def test_exactly_three_peers_is_enough():
    bands = {1: (0,), 2: (0,), 3: (0,), 4: (0,), 5: (1,), 6: (1,), 7: (1,)}
    groups = peer_groups(bands)
    assert not groups[1].fallback and len(groups[1].ids) == 3
    assert groups[5].fallback and groups[5].ids == {1, 2, 3, 4, 6, 7}


def test_the_default_bands_are_a_setting(settings):
    settings.ORBIT_KPI_PEER_BANDS = {"accounts": [10]}
    assert peers.bands()["accounts"] == [10] and peers.bands()["budget"] == peers.DEFAULT_BANDS["budget"]
