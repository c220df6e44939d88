"""Bonus statements against hand-worked examples (docs/managers-bonuses.md).

The world: am_a's account since 2024 (tests/revenue/conftest.py), manual lines without VAT and without cost, so
an invoice's net = its total and the paid share of an allocation = the allocation itself:
round(allocation × net_total_base / total, 2) = allocation. The rule version from 2026-01: account managers
10 000 fixed + 5 % of paid revenue; sales managers 10 %; the hunter's share 40 % for 2 months.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orbit.bonuses import closing, statements
from orbit.bonuses.models import ClosedLine, ClosedStatement
from orbit.growth import plans
from tests.bonuses.conftest import am_rule, hand_over, save_version
from tests.revenue.ledger import credit, issue, manual, pay

D = Decimal
JAN, FEB, MARCH, APRIL, MAY = (dt.date(2026, m, 1) for m in (1, 2, 3, 4, 5))
MSK = timezone.get_default_timezone()


def _one(month, person):
    found = statements.month_statements(month, {person.pk})
    assert len(found) == 1
    return found[0]


def _kinds(statement):
    return [(line.kind, line.amount) for line in statement.lines]


def _paid(world, amount="10000", day=dt.date(2026, 3, 10), issued=dt.date(2026, 3, 2)):
    invoice = issue(world.shop, issued, manual(amount), by=world.org.head)
    pay(world.shop, day, amount, allocate=[(invoice, D(amount))], by=world.org.head)
    return invoice


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        # No plan: 10 000 fixed + 5 % × 10 000 = 500, no threshold / accelerator to apply (a note says so).
        (None, [("fixed", D("10000")), ("payment", D("500.00")), ("threshold", D("0.00"))]),
        # Plan 25 000: fact 10 000 = 40 % < threshold 50 %: the variable 500 is not paid.
        ("25000", [("fixed", D("10000")), ("payment", D("500.00")), ("threshold", D("-500.00"))]),
        # Plan 8 000: 125 %; the 2 000 above plan earn × 2: 500 × 2 000 / 10 000 × (2 − 1) = 100.
        ("8000", [("fixed", D("10000")), ("payment", D("500.00")), ("accelerator", D("100.00"))]),
        # Plan 5 000, cap 150 % = 7 500: accelerated part 7 500 − 5 000 = 2 500 → 500 × 2 500 / 10 000 = 125;
        # the 2 500 above the cap earn nothing → −125.
        (
            "5000",
            [
                ("fixed", D("10000")),
                ("payment", D("500.00")),
                ("accelerator", D("125.00")),
                ("cap", D("-125.00")),
            ],
        ),
    ],
)
def test_threshold_accelerator_and_cap_of_plan(world, plan, expected):
    org = world.org
    save_version(org.head, am=am_rule(threshold_percent="50", accelerator="2", cap_percent="150"))
    if plan:
        plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D(plan), margin=D("1"))
    _paid(world)
    statement = _one(MARCH, org.am_a)
    assert _kinds(statement) == expected
    assert statement.fact == D("10000.00")
    assert statement.total == sum(amount for _k, amount in expected)


def test_cap_on_the_variable_pay_a_month(world):
    org = world.org
    # Plan 8 000: 500 + accelerator 100 = 600 > cap 550 → −50; total 10 000 + 550.
    save_version(org.head, am=am_rule(accelerator="2", cap_amount="550"))
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("8000"), margin=D("1"))
    _paid(world)
    statement = _one(MARCH, org.am_a)
    assert _kinds(statement)[-1] == ("cap_amount", D("-50.00"))
    assert (statement.variable, statement.total) == (D("550.00"), D("10550.00"))


def test_paid_margin_base_uses_the_allocations_share_of_the_margin(world):
    org = world.org
    save_version(org.head, am=am_rule(base="margin", fixed="0"))
    # Two routers: net 2 000, VAT 22 % 440, total 2 440, cost 1 200. Paid 1 220 (half):
    # margin share = round(1 220 × (2 000 − 1 200) / 2 440, 2) = 400.00; 5 % → 20.00.
    from tests.revenue.ledger import routers

    invoice = issue(world.shop, dt.date(2026, 3, 2), routers(world.shop, 2), by=org.head)
    pay(world.shop, dt.date(2026, 3, 10), "1220", allocate=[(invoice, D("1220"))], by=org.head)
    statement = _one(MARCH, org.am_a)
    line = statement.lines[0]
    assert (line.paid_base, line.base, line.rate, line.amount) == (
        D("400.00"),
        D("400.00"),
        D("5"),
        D("20.00"),
    )


def test_hunter_and_farmer_split_across_the_end_of_the_window(world):
    org = world.org
    save_version(org.head)
    # Decided 2026-01-31 22:30 UTC = 2026-02-01 01:30 in Moscow: the window is the local 01.02–31.03
    # (2 months: up to 2026-04-01, excluded). Had the UTC date been taken, 31.03 would fall outside.
    hand_over(world.account, org.sales, org.am_a, dt.datetime(2026, 1, 31, 22, 30, tzinfo=dt.UTC), org.head)
    _paid(world, "1000", day=dt.date(2026, 3, 31))  # the window's last day
    _paid(world, "1000", day=dt.date(2026, 4, 1), issued=dt.date(2026, 4, 1))  # the day after it ends
    march_sales, march_am = _one(MARCH, org.sales), _one(MARCH, org.am_a)
    # 31.03: the hunter 40 % of 1 000 = 400 × 10 % = 40; the farmer 60 % = 600 × 5 % = 30.
    assert [(x.share, x.base, x.amount) for x in march_sales.lines] == [(D("40"), D("400.00"), D("40.00"))]
    money = [x for x in march_am.lines if x.kind == "payment"]
    assert [(x.share, x.base, x.amount) for x in money] == [(D("60"), D("600.00"), D("30.00"))]
    # 01.04: all to the farmer: 1 000 × 5 % = 50; the hunter has nothing.
    april_am = _one(APRIL, org.am_a)
    assert [(x.share, x.amount) for x in april_am.lines if x.kind == "payment"] == [(D("100"), D("50.00"))]
    assert [x for x in _one(APRIL, org.sales).lines if x.kind == "payment"] == []


def test_rule_versions_each_month_with_the_version_in_force(world):
    org = world.org
    save_version(org.head)  # 5 % from January
    save_version(org.head, "2026-04", am=am_rule(percent_repeat="8", percent_new="8"))
    _paid(world, "1000", day=dt.date(2026, 3, 31))
    _paid(world, "1000", day=dt.date(2026, 4, 1), issued=dt.date(2026, 4, 1))
    # March: 1 000 × 5 % = 50; April: 1 000 × 8 % = 80.
    assert [x.amount for x in _one(MARCH, org.am_a).lines if x.kind == "payment"] == [D("50.00")]
    assert [x.amount for x in _one(APRIL, org.am_a).lines if x.kind == "payment"] == [D("80.00")]


def test_a_closed_month_is_untouched_by_a_later_rule_change_and_a_late_payment(world):
    org = world.org
    version = save_version(org.head)
    invoice = _paid(world, "1000")
    other = issue(world.shop, dt.date(2026, 3, 20), manual("300"), by=org.head)
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=MSK), tick=False):
        closing.month_close(by=org.head, month=MARCH)
    assert ClosedStatement.objects.get(person=org.am_a, month=MARCH).total == D("10050.00")
    # The head raises March's rate to 9 % after closing it, and a payment dated 25.03 is recorded in April.
    from orbit.bonuses import rules

    rules.version_save(
        by=org.head,
        existing=version,
        version=version.version,
        valid_from="2026-01",
        rules={"account_manager": am_rule(percent_repeat="9", percent_new="9")},
    )
    with time_machine.travel(dt.datetime(2026, 4, 10, 12, 0, tzinfo=MSK), tick=False):
        pay(world.shop, dt.date(2026, 3, 25), "300", allocate=[(other, D("300"))], by=org.head)
    march = _one(MARCH, org.am_a)
    assert march.closed and [(k, a) for k, a in _kinds(march)] == [
        ("fixed", D("10000")),
        ("payment", D("50.00")),
    ]
    # The late payment falls into April (the first open month), at April's rule (9 %): 300 × 9 % = 27.
    april = _one(APRIL, org.am_a)
    late = [x for x in april.lines if x.kind == "late"]
    assert [(x.allocation_amount, x.amount) for x in late] == [(D("300.00"), D("27.00"))]
    assert "closed month" in late[0].note
    # Recorded in April: not in May (the line is April's only).
    assert [x for x in _one(MAY, org.am_a).lines if x.kind == "late"] == []
    assert invoice.pk != other.pk


def test_clawback_by_a_credit_note_in_a_later_month_at_the_original_rate(world):
    org = world.org
    save_version(org.head)  # 5 %
    invoice = _paid(world, "1000")
    closing.month_close(by=org.head, month=MARCH, today=dt.date(2026, 4, 2))
    save_version(org.head, "2026-04", am=am_rule(percent_repeat="8", percent_new="8"))  # April: 8 %
    # A credit note of −400 on 20.04 on the paid invoice: 1 000 − 400 = 600 left, paid 1 000 → 400 released.
    credit(world.shop, invoice, dt.date(2026, 4, 20), manual("400", quantity="-1"), by=org.head)
    april = _one(APRIL, org.am_a)
    # Clawback at the 5 % it was paid at (not April's 8 %): −400 × 5 % = −20.
    claw = [x for x in april.lines if x.kind == "clawback"]
    assert [(x.allocation_amount, x.base, x.rate, x.amount) for x in claw] == [
        (D("-400.00"), D("-400.00"), D("5.0000"), D("-20.00"))
    ]
    assert april.total == D("10000") - D("20.00")
    assert _one(MARCH, org.am_a).total == D("10050.00")  # closed: still what was paid
    # Closing April freezes the clawback: May has nothing more to take back.
    closing.month_close(by=org.head, month=APRIL, today=dt.date(2026, 5, 2))
    assert [x for x in _one(MAY, org.am_a).lines if x.kind == "clawback"] == []


def test_reopening_is_the_heads_with_a_reason_and_recorded(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    org = world.org
    save_version(org.head)
    _paid(world, "1000")
    closing.month_close(by=org.head, month=MARCH, today=dt.date(2026, 4, 2))
    with pytest.raises(PermissionDenied):
        closing.month_reopen(by=org.lead_a, month=MARCH, reason="late invoice")
    with pytest.raises(ValidationError) as error:
        closing.month_reopen(by=org.head, month=MARCH, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why the month is reopened."]}
    record = closing.month_reopen(by=org.head, month=MARCH, reason="a payment was missed")
    # The month's statements summed to am_a's 10 050 + am_b's fixed 10 000 (no money of his) = 20 050.
    assert (record.reopened_by, record.reason, record.total_before) == (
        org.head,
        "a payment was missed",
        D("20050.00"),
    )
    assert not ClosedLine.objects.exists()
    assert not _one(MARCH, org.am_a).closed


def test_the_current_month_cannot_be_closed_and_a_double_close_is_one(world):
    from django.core.exceptions import ValidationError

    org = world.org
    with pytest.raises(ValidationError) as error:
        closing.month_close(by=org.head, month=APRIL, today=dt.date(2026, 4, 30))
    assert list(error.value.message_dict) == ["month"]
    first = closing.month_close(by=org.head, month=MARCH, today=dt.date(2026, 4, 2))
    assert closing.month_close(by=org.head, month=MARCH, today=dt.date(2026, 4, 2)) == first


def test_queries_do_not_grow_with_payments(world):
    org = world.org
    save_version(org.head)
    _paid(world, "100")

    def count():
        with CaptureQueriesContext(connection) as queries:
            statements.month_statements(MARCH, None)
        return len(queries)

    few = count()
    for day in range(11, 21):
        _paid(world, "100", day=dt.date(2026, 3, day))
    assert count() == few


def test_percentages_by_kind_of_sale(world):
    org = world.org
    save_version(org.head, am=am_rule(percent_new="10", percent_repeat="5"))
    # The account's first invoice (March) is new business for its first 3 months of buying (March–May); one of
    # June is repeat business (orbit.growth.sale_kinds). Both paid in June: 1 000 × 10 % + 2 000 × 5 % = 200.
    first = issue(world.shop, dt.date(2026, 3, 2), manual("1000"), by=org.head)
    june = issue(world.shop, dt.date(2026, 6, 2), manual("2000"), by=org.head)
    pay(
        world.shop,
        dt.date(2026, 6, 10),
        "3000",
        allocate=[(first, D("1000")), (june, D("2000"))],
        by=org.head,
    )
    statement = _one(dt.date(2026, 6, 1), org.am_a)
    money = sorted((x.sale_kind, x.rate, x.amount) for x in statement.lines if x.kind == "payment")
    assert money == [("new", D("10"), D("100.00")), ("repeat", D("5"), D("100.00"))]
    assert statement.by_sale_kind() == {"new": D("100.00"), "repeat": D("100.00")}


def test_reopening_a_month_whose_clawback_a_later_closed_month_took(world):
    org = world.org
    save_version(org.head)  # 5 %
    invoice = _paid(world, "1000")
    closing.month_close(by=org.head, month=MARCH, today=dt.date(2026, 5, 2))
    credit(world.shop, invoice, dt.date(2026, 4, 20), manual("400", quantity="-1"), by=org.head)
    closing.month_close(by=org.head, month=APRIL, today=dt.date(2026, 5, 2))  # stores the clawback −20
    closing.month_reopen(by=org.head, month=MARCH, reason="check")
    # March again: the allocation is 600 now, and April's closed clawback took −400 of it already: March still
    # pays for 600 − (−400) = 1 000 → 50; over both months 50 − 20 = 30 = 600 × 5 %.
    march = _one(MARCH, org.am_a)
    assert [(x.allocation_amount, x.amount) for x in march.lines if x.kind == "payment"] == [
        (D("1000.00"), D("50.00"))
    ]
    assert [x.amount for x in _one(APRIL, org.am_a).lines if x.kind == "clawback"] == [D("-20.00")]
    assert [x for x in _one(MAY, org.am_a).lines if x.kind != "fixed"] == []
