"""Issue 10, defect 9 on the web pages: far dates and NUL bytes get a field error, never a server error."""

import pytest
from django.urls import reverse

from tests.factories import make_account


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_who_was_responsible_on_a_far_date_is_a_field_error(client, org, account, day):
    client.force_login(org.head)
    response = client.get(reverse("accounts:responsible_on", args=[account.pk]), {"on": day})
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["on"]


@pytest.mark.parametrize(("start", "end"), [("2026-01-01", "9999-12-31"), ("0001-01-01", "2026-01-01")])
def test_the_reassignment_report_over_far_dates_is_a_field_error(client, org, start, end):
    client.force_login(org.head)
    response = client.get(reverse("accounts:reassignments"), {"start": start, "end": end})
    assert response.status_code in (200, 400)
    assert response.context["form"].errors


@pytest.mark.parametrize("name", ["accounts:list", "accounts:lookup", "requests:list"])
def test_a_nul_byte_in_a_search_is_not_a_server_error(client, org, account, name):
    client.force_login(org.head)
    response = client.get(reverse(name), {"q": "Ром\x00ашка"})
    assert response.status_code < 500
