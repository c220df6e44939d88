"""Stored KPI figures: the same figures as computed now, read while fresh, recomputed when stale."""

import datetime as dt

from django.utils import timezone

from orbit.kpi import periods, snapshots
from orbit.kpi.models import KpiSnapshot
from orbit.kpi.portfolio import kpi_page
from tests.factories import make_account
from tests.kpi.rows import at, invoice, since, touch

MARCH = periods.parse("2026-03")
LATER = dt.date(2026, 6, 15)


def _rows(page):
    return {r.pk: snapshots.row_to_json(r) for r in page.people}


def test_a_snapshot_gives_the_figures_computed_now(org):
    account = make_account(org.head, org.am_a)
    since(account, at(2025, 1, 1))
    invoice(account, org.am_a, dt.date(2026, 3, 2), 3000, 1800)
    touch(account, org.am_a, at(2026, 3, 5, 10), 90)
    live = kpi_page(org.head, MARCH, today=LATER)
    first = kpi_page(org.head, MARCH, today=LATER, stored=True)  # computes and stores
    assert first.computed_at is None and KpiSnapshot.objects.count() == 1
    again = kpi_page(org.head, MARCH, today=LATER, stored=True)  # reads
    assert again.computed_at is not None
    assert _rows(again) == _rows(live)
    row = next(r for r in again.people if r.pk == org.am_a.pk)
    assert (row.margin_per_hour, row.peer_count) == (
        next(r for r in live.people if r.pk == org.am_a.pk).margin_per_hour,
        row.peer_count,
    )
    # Narrowed to the reader when read: a manager sees his own row only.
    assert [r.pk for r in kpi_page(org.am_a, MARCH, today=LATER, stored=True).people] == [org.am_a.pk]


def test_a_stale_snapshot_is_recomputed(org):
    kpi_page(org.head, MARCH, today=LATER, stored=True)
    KpiSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(hours=25))
    account = make_account(org.head, org.am_b)
    invoice(account, org.am_b, dt.date(2026, 3, 2), 500, 100)
    page = kpi_page(org.head, MARCH, today=LATER, stored=True)
    assert page.computed_at is None  # computed now
    assert next(r for r in page.people if r.pk == org.am_b.pk).invoiced == 500


def test_refresh_stores_the_periods_people_look_at(org):
    assert snapshots.refresh(dt.date(2026, 5, 20)) == ["2026-05", "2026-04", "2026-Q2", "2026-Q1", "2026"]
    assert KpiSnapshot.objects.count() == 5
