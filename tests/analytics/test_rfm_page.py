"""The RFM page (analytics:rfm): the 5×5 R×F grid counts the scope's accounts per score pair, coloured by the
segment the pair maps to, with the complete legend and the segments linking to the table."""

import pytest
from django.urls import reverse

from orbit.analytics import selectors
from orbit.org.models import User


@pytest.fixture(autouse=True)
def english(org):
    User.objects.update(language="en")


def test_the_grid_counts_per_score_pair(org, world):
    # (R, F): big (5, 5), small (1, 1), b1 (3, 5), b2 (5, 1), a1 (2, 3).
    assert selectors.rfm_grid(org.head) == {(5, 5): 1, (1, 1): 1, (3, 5): 1, (5, 1): 1, (2, 3): 1}
    assert selectors.rfm_grid(org.am_a) == {(5, 5): 1, (1, 1): 1}
    assert selectors.rfm_grid(org.head, team=org.team_b.pk) == {(3, 5): 1, (5, 1): 1}


def test_the_heads_grid_comes_from_the_run_when_it_stores_one(org, world):
    run = world[0]
    run.summary = {**run.summary, "rfm_grid": [[5, 5, 700], [1, 1, 300]]}
    run.save()
    assert selectors.rfm_grid(org.head, run=run) == {(5, 5): 700, (1, 1): 300}
    # Narrowed, or a reader who does not see everything: counted over his rows.
    assert selectors.rfm_grid(org.head, team=org.team_b.pk, run=run) == {(3, 5): 1, (5, 1): 1}
    assert selectors.rfm_grid(org.am_a, run=run) == {(5, 5): 1, (1, 1): 1}


def test_the_page(client, org, world):
    client.force_login(org.am_a)
    page = client.get(reverse("analytics:rfm")).content.decode()
    # R5 F5 is a champions' cell holding "big"; R1 F1 is lost, holding "small"; R3 F5 (b1, am_b's) shows 0.
    assert 'aria-label="R5 F5, Champions: 1 account">1</a>' in page
    assert 'aria-label="R1 F1, Lost: 1 account">1</a>' in page
    assert 'aria-label="R3 F5, Loyal: 0 accounts">0</a>' in page
    assert page.count('class="seg-cell seg-') == 25
    # The legend has all eleven segments; the list links each to the table.
    for label in (
        "Champions",
        "Need attention",
        "Can&#x27;t lose them",
        "Hibernating",
        "Potential loyalists",
    ):
        assert label in page
    assert f'href="{reverse("analytics:accounts")}?segment=about_to_sleep"' in page
    assert "R, recency" in page and "F, frequency" in page and "M, monetary" in page
    assert 'aria-current="page">RFM</a>' in page


def test_no_run(client, org):
    client.force_login(org.head)
    assert "No figures yet." in client.get(reverse("analytics:rfm")).content.decode()
