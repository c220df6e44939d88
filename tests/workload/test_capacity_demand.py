"""Capacity and demand on hand-worked examples (the calendar's arithmetic is in conftest.calendar)."""

import datetime as dt
from decimal import Decimal

import pytest

from orbit.accounts.models import Account, OwnershipPeriod, Tier
from orbit.handoffs.models import Cover
from orbit.org.models import Role
from orbit.workload import selectors
from orbit.workload.capacity import capacity_hours, details
from orbit.workload.demand import demand_hours
from orbit.workload.models import PersonSetting
from tests.factories import make_account, make_user
from tests.workload.conftest import set_norms

NOV = dt.date(2026, 11, 1)
pytestmark = pytest.mark.django_db


def _cover(owner, deputy, start, end, by, **fields):
    return Cover.objects.create(
        owner=owner, deputy=deputy, starts_on=start, ends_on=end, reason="vacation", created_by=by, **fields
    )


def _backdate():
    OwnershipPeriod.objects.update(started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_capacity_with_holiday_short_day_cover_hunting_share_and_an_empty_month(calendar):
    head = make_user("head", Role.HEAD)
    anna = make_user("anna", Role.ACCOUNT_MANAGER, monthly_capacity_hours=140)
    boris = make_user("boris", Role.ACCOUNT_MANAGER, Role.SALES_MANAGER, monthly_capacity_hours=140)
    carl = make_user("carl", Role.ACCOUNT_MANAGER, monthly_capacity_hours=140)
    dora = make_user("dora", Role.ACCOUNT_MANAGER, Role.SALES_MANAGER, monthly_capacity_hours=100)
    PersonSetting.objects.create(user=boris, hunting_percent=25, updated_by=head)
    # Anna is away Mon 23 – Fri 27 November: 5 × 8 = 40 working hours (the weekend after adds none).
    _cover(anna, carl, dt.date(2026, 11, 23), dt.date(2026, 11, 29), head)
    # Carl is away the whole month (and a cancelled cover counts for nothing).
    _cover(carl, anna, dt.date(2026, 10, 20), dt.date(2026, 12, 3), head)
    _cover(
        boris, anna, NOV, dt.date(2026, 11, 30), head, cancelled_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    )

    found = capacity_hours([anna.pk, boris.pk, carl.pk, dora.pk], NOV)
    # Anna: 140 × (159 / 173.25) × ((159 − 40) / 159) = 140 × 119 / 173.25 = 96.1616… → 96.16
    assert found[anna.pk] == Decimal("96.16")
    # Boris hunts 25 %: 140 × 159 / 173.25 × 0.75 = 96.3636… → 96.36
    assert found[boris.pk] == Decimal("96.36")
    # Carl: no working hour left → 0, "no capacity this month", no load (never a division by zero)
    assert found[carl.pk] == Decimal("0.00")
    # Dora, a hybrid without her own setting: Orbit's default 40 % → 100 × 159 / 173.25 × 0.6 = 55.0649… → 55.06
    assert found[dora.pk] == Decimal("55.06")
    detail = details([anna.pk], NOV)[anna.pk]
    assert (detail.month_hours, detail.average_month_hours, detail.away_hours) == (
        Decimal(159),
        Decimal("173.25"),
        Decimal(40),
    )
    assert selectors.load_percent(Decimal(10), found[carl.pk]) is None
    assert selectors.status_of(None) == selectors.NONE


def test_demand_from_month_end_portfolio_norms_and_covers(calendar):
    head = make_user("head", Role.HEAD)
    anna = make_user("anna", Role.ACCOUNT_MANAGER)
    boris = make_user("boris", Role.ACCOUNT_MANAGER)
    set_norms(head, key=(2, 60, 1, 60), A=(1, 30, 1, 30), B=(1, 30, 0, 0), C=(1, 30, 0, 0))
    # key: 2 × 60 + 1 × 60 = 180 min = 3 h; C: 1 × 30 = 30 min = 0.5 h
    make_account(head, anna, tier=Tier.KEY)
    make_account(head, anna, tier=Tier.C)
    make_account(head, anna, tier=Tier.C)
    moved = make_account(head, boris, tier=Tier.C)
    _backdate()
    # The C account went to Boris on 1 December (after November's end): in November it was Anna's.
    OwnershipPeriod.objects.filter(account=moved).update(
        started_at=dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    )
    OwnershipPeriod.objects.create(
        account=moved,
        manager=anna,
        started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ended_at=dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC),
        reason="reassignment",
    )
    assert demand_hours([anna.pk, boris.pk], NOV) == {anna.pk: Decimal("4.50"), boris.pk: Decimal("0.00")}
    # Anna's whole portfolio is covered by Boris for Mon 23 – Fri 27 November: 40 of 159 working hours.
    _cover(anna, boris, dt.date(2026, 11, 23), dt.date(2026, 11, 27), head)
    # moved: 4.5 × 40 / 159 = 1.1320… → Anna 4.5 − 1.132 = 3.3679… → 3.37; Boris 1.13
    assert demand_hours([anna.pk, boris.pk], NOV) == {anna.pk: Decimal("3.37"), boris.pk: Decimal("1.13")}
    # Asked about Boris alone, the deputy still carries Anna's load.
    assert demand_hours([boris.pk], NOV) == {boris.pk: Decimal("1.13")}


def test_rows_take_a_fixed_number_of_queries_whatever_the_number_of_people(
    calendar, django_assert_max_num_queries
):
    head = make_user("head", Role.HEAD)
    set_norms(head, key=(2, 60, 1, 60), A=(1, 30, 1, 30), B=(1, 30, 0, 0), C=(1, 30, 0, 0))
    few = [make_user(f"m{i}", Role.ACCOUNT_MANAGER) for i in range(2)]
    for person in few:
        make_account(head, person, tier=Tier.B)
    _cover(few[1], few[0], dt.date(2026, 11, 2), dt.date(2026, 11, 3), head)
    _backdate()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    selectors.rows(head, NOV)  # warms the norms' and the ended months' caches, as a second reader finds them
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.rows(head, NOV)) == 2
    many = [make_user(f"n{i}", Role.ACCOUNT_MANAGER) for i in range(12)]
    for person in many:
        make_account(head, person, tier=Tier.A)
        _cover(person, few[0], dt.date(2026, 11, 2), dt.date(2026, 11, 3), head)
    _backdate()
    selectors.rows(head, NOV)
    with CaptureQueriesContext(connection) as large:
        assert len(selectors.rows(head, NOV)) == 14
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_staff_cut_shows_in_the_portfolio_over_time(calendar):
    head = make_user("head", Role.HEAD)
    set_norms(head, key=(2, 60, 1, 60), A=(1, 60, 0, 0), B=(1, 30, 0, 0), C=(1, 30, 0, 0))
    anna = make_user("anna", Role.ACCOUNT_MANAGER)
    boris = make_user("boris", Role.ACCOUNT_MANAGER)
    kept = [make_account(head, anna, tier=Tier.A) for _ in range(2)]
    gone = [make_account(head, boris, tier=Tier.A) for _ in range(2)]
    _backdate()
    # Boris leaves on 15 October: his two accounts go to Anna.
    cut = dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC)
    OwnershipPeriod.objects.filter(account__in=gone).update(ended_at=cut)
    for account in gone:
        OwnershipPeriod.objects.create(account=account, manager=anna, started_at=cut, reason="departure")
    Account.objects.filter(pk__in=[a.pk for a in gone]).update(responsible_manager=anna)
    boris.is_active = False
    boris.save()
    points = selectors.over_time([anna], NOV, count=3, everyone=True)
    # September: 4 accounts held by 2 managers; October and November: 4 by Anna alone. Each A account
    # needs 1 h: demand 4 h a month throughout; capacity halves when Boris goes (his October is not
    # counted: he held nothing at its end).
    assert [(p.month.month, p.accounts, p.people, p.demand) for p in points] == [
        (9, 4, 2, Decimal("4.00")),
        (10, 4, 1, Decimal("4.00")),
        (11, 4, 1, Decimal("4.00")),
    ]
    assert points[0].capacity > points[1].capacity and points[0].load < points[1].load
    assert kept  # Anna's own accounts stayed hers
