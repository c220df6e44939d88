"""The invoices list (filters by account, manager on the date and status) and the invoice page (lines with VAT,
credit notes, allocations, what is open, the manager on the date): scoped, and a fixed number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orbit.accounts import ownership
from orbit.accounts.models import ChangeReason
from tests.factories import make_account
from tests.revenue.conftest import client_since_2024
from tests.revenue.story import NOON, client_story

D = Decimal


@pytest.fixture
def story(shop, time_machine):
    time_machine.move_to(NOON)
    return client_story(shop)


def _numbers(client, user, **params):
    client.force_login(user)
    page = client.get(reverse("revenue:invoices"), params).context["page"]
    return {invoice.number for invoice in page.object_list}


def test_the_status_filter_follows_what_is_open_and_overdue_on_today(client, story, shop):
    s, am_a = story, shop.org.am_a
    # On 2026-06-15: B 520 open and 42 days late, C 122 open and due today; D and A settled (tests/revenue/story.py).
    assert _numbers(client, am_a, status="open") == {s.b.number, s.c.number}
    assert _numbers(client, am_a, status="overdue") == {s.b.number}
    assert _numbers(client, am_a, status="paid") == {s.a.number, s.d.number}
    assert _numbers(client, am_a, status="credit_notes") == {s.note.number}
    assert len(_numbers(client, am_a)) == 5


def test_the_account_and_manager_filters(client, story, shop):
    other = make_account(shop.org.head, shop.org.am_a)
    everything = {i.number for i in (story.a, story.b, story.c, story.d, story.note)}
    assert _numbers(client, shop.org.head, account=story.account.pk) == everything
    assert _numbers(client, shop.org.head, account=other.pk) == set()
    assert _numbers(client, shop.org.head, manager=shop.org.am_a.pk) == everything
    assert _numbers(client, shop.org.head, manager=shop.org.am_b.pk) == set()


def test_the_manager_on_the_date_stays_when_the_account_changes_hands(client, story, shop):
    ownership.transfer(
        account=story.account, manager=shop.org.am_b, by=shop.org.head, reason=ChangeReason.REASSIGNMENT
    )
    client.force_login(shop.org.head)
    page = client.get(reverse("revenue:invoice", args=[story.b.pk]))
    assert page.context["invoice"].manager == shop.org.am_a  # issued while am_a was responsible
    assert _numbers(client, shop.org.head, manager=shop.org.am_b.pk) == set()


@pytest.mark.parametrize(("persona", "count"), [("am_b", 0), ("lead_b", 0), ("auditor", 5), ("lead_a", 5)])
def test_the_list_shows_only_invoices_of_visible_accounts(client, story, shop, persona, count):
    assert len(_numbers(client, getattr(shop.org, persona))) == count


def test_an_account_filter_on_an_unseen_account_names_nothing(client, story, shop):
    shop.org.am_b.language = "en"
    shop.org.am_b.save(update_fields=["language"])
    client.force_login(shop.org.am_b)
    response = client.get(reverse("revenue:invoices"), {"account": story.account.pk})
    assert response.context["account"] is None
    assert story.account.display_name not in response.content.decode()


def test_the_invoice_page_shows_lines_credit_notes_and_allocations(client, story, shop):
    shop.org.am_a.language = "en"
    shop.org.am_a.save(update_fields=["language"])
    client.force_login(shop.org.am_a)
    response = client.get(reverse("revenue:invoice", args=[story.a.pk]))
    page = response.context["page"]
    # A: 2 routers at 1000, VAT 22 % (2026) = 440, total 2440; credited 1220 by the note, paid 1220 by the
    # payment of 2026-05-20 (after D's 200), nothing open.
    [line] = page.lines
    assert (line.quantity, line.net_amount, line.vat_percent, line.vat_amount) == (
        D("2.000"),
        D("2000.00"),
        D("22.00"),
        D("440.00"),
    )
    assert [n.pk for n in page.credit_notes] == [story.note.pk]
    assert [(a.payment_id, a.amount) for a in page.allocations] == [(story.payments[1].pk, D("1220.00"))]
    invoice = response.context["invoice"]
    assert (invoice.credited_total, invoice.paid_total, invoice.open_amount) == (
        D("1220.00"),
        D("1220.00"),
        D("0.00"),
    )
    html = response.content.decode()
    assert "₽2,440.00" in html and "₽440.00" in html and story.note.number in html
    assert reverse("revenue:credit_note_create", args=[story.a.pk]) in html


def test_an_overdue_invoice_says_by_how_many_days(client, story, shop):
    client.force_login(shop.org.am_a)
    page = client.get(reverse("revenue:invoice", args=[story.b.pk])).context["page"]
    assert page.overdue_days == 42  # due 2026-05-04, today 2026-06-15


def test_a_credit_note_page_leads_to_the_invoice_it_corrects(client, story, shop):
    client.force_login(shop.org.auditor)
    response = client.get(reverse("revenue:invoice", args=[story.note.pk]))
    html = response.content.decode()
    assert reverse("revenue:invoice", args=[story.a.pk]) in html
    assert reverse("revenue:credit_note_create", args=[story.a.pk]) not in html  # the auditor bills nothing


@pytest.mark.parametrize("persona", ["am_b", "outsider", "sales"])
def test_an_invoice_of_an_unseen_account_is_404(client, story, shop, persona):
    client.force_login(getattr(shop.org, persona))
    assert client.get(reverse("revenue:invoice", args=[story.a.pk])).status_code == 404


def test_the_list_and_the_page_cost_a_fixed_number_of_queries(
    client, story, shop, django_assert_max_num_queries
):
    for _ in range(3):
        client_story(shop, client_since_2024(shop.org.head, shop.org.am_a))
    client.force_login(shop.org.head)
    # session, user, access context, count, page (with account, manager, corrected invoice), managers
    with django_assert_max_num_queries(7):
        response = client.get(reverse("revenue:invoices"))
    assert len(response.context["page"].object_list) == 20
    # + the invoice with its account and people, lines, credit notes, allocations with payments, can_bill
    with django_assert_max_num_queries(12):
        client.get(reverse("revenue:invoice", args=[story.a.pk]))


def test_quantities_and_rates_read_as_numbers(client, story, shop):
    client.force_login(shop.org.am_a)
    older = client.get(reverse("revenue:invoice", args=[story.d.pk])).content.decode()
    assert "20 %" in older  # VAT of 2025 (a Decimal 20.00 printed plainly, not 2E+1)
    cables = client.get(reverse("revenue:invoice", args=[story.c.pk])).content.decode()
    assert "10 шт" in cables and "E+" not in cables
