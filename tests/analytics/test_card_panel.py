"""The account card's analytics panel (analytics:account_panel): the account's classes, segment, money, rhythm
and prediction, its segment history newest first, a 404 for an account the reader may not see, and the card
loading it."""

import pytest
from django.urls import reverse

from orbit.org.models import User
from tests.factories import make_account


@pytest.fixture(autouse=True)
def english(org):
    User.objects.update(language="en")


def test_the_panel_shows_the_figures_and_history(client, org, world, django_assert_max_num_queries):
    _run, accounts = world
    client.force_login(org.am_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("analytics:account_panel", args=[accounts["big"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "AX" in page and "Key account manager · Monthly strategic meeting" in page
    assert "Champions" in page and "R5 F5 M3" in page
    assert "500.00" in page.replace("\xa0", " ").replace(" ", "")  # the window's revenue
    assert "p(alive) 0.9" in page
    # Newest first: the RFM move of today before the class move a month ago.
    rfm, abc = page.index("RFM segment</strong>"), page.index("ABC class</strong>")
    assert rfm < abc
    assert "Loyal → Champions" in page and "B → A" in page


def test_a_dormant_account_says_so(client, org, world):
    client.force_login(org.am_a)
    page = client.get(reverse("analytics:account_panel", args=[world[1]["small"].pk])).content.decode()
    assert "Dormant: no purchase since" in page


def test_an_account_without_figures(client, org, world):
    fresh = make_account(org.head, org.am_a, short_name="fresh")
    client.force_login(org.am_a)
    page = client.get(reverse("analytics:account_panel", args=[fresh.pk])).content.decode()
    assert "No figures yet" in page and "No changes recorded" in page


def test_another_managers_account_is_404(client, org, world):
    client.force_login(org.am_a)
    assert client.get(reverse("analytics:account_panel", args=[world[1]["b1"].pk])).status_code == 404
    client.force_login(org.lead_b)
    assert client.get(reverse("analytics:account_panel", args=[world[1]["b1"].pk])).status_code == 200


def test_the_card_loads_the_panel(client, org, world):
    account = world[1]["big"]
    client.force_login(org.am_a)
    url = reverse("analytics:account_panel", args=[account.pk])
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert f'hx-get="{url}" hx-trigger="orbit-tab-open once"' in page  # when its tab is first opened
    page = client.get(reverse("accounts:detail", args=[account.pk]), {"tab": "analytics"}).content.decode()
    assert f'hx-get="{url}" hx-trigger="load"' in page  # its tab chosen in the address: loaded with the card
