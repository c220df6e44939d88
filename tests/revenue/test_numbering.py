"""Document numbers: a sequence per kind and year ("СЧ-2026-000001", "КР-2026-000001"), skipping numbers
already taken by hand or by an integration."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from orbit.revenue.models import DocumentCounter
from tests.revenue.ledger import credit, issue, routers


def test_invoices_and_credit_notes_are_numbered_per_kind_and_year(shop):
    a = issue(shop, dt.date(2025, 12, 31), routers(shop))
    b = issue(shop, dt.date(2026, 1, 1), routers(shop, 2))
    c = issue(shop, dt.date(2026, 1, 2), routers(shop))
    note = credit(shop, b, dt.date(2026, 1, 3), routers(shop, "-1"))
    assert [a.number, b.number, c.number, note.number] == [
        "СЧ-2025-000001",
        "СЧ-2026-000001",
        "СЧ-2026-000002",
        "КР-2026-000001",
    ]
    assert DocumentCounter.objects.get(kind="invoice", year=2026).last == 2


def test_a_number_taken_by_hand_is_skipped(shop):
    issue(shop, dt.date(2026, 1, 1), routers(shop), number="СЧ-2026-000002")
    first = issue(shop, dt.date(2026, 1, 2), routers(shop))
    second = issue(shop, dt.date(2026, 1, 3), routers(shop))
    assert (first.number, second.number) == ("СЧ-2026-000001", "СЧ-2026-000003")


def test_a_refused_invoice_uses_no_number(shop):
    with pytest.raises(ValidationError):
        issue(shop, dt.date(2026, 1, 1), routers(shop, "-1"))
    assert issue(shop, dt.date(2026, 1, 1), routers(shop)).number == "СЧ-2026-000001"
