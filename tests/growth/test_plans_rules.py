"""The plan service's rules: who may set a plan, for whom, with what figures; conflicts; the grid all-or-nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from orbit.common.errors import ConflictError
from orbit.growth import plans
from orbit.growth.models import SalesPlan
from orbit.growth.plans import PlanEntry

D = Decimal
MARCH = dt.date(2026, 3, 1)


def test_the_head_sets_and_changes_a_plan_the_version_goes_up(org):
    plan = plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue="1 000 000,50", margin="250000")
    assert (plan.revenue, plan.margin, plan.version) == (D("1000000.50"), D("250000"), 1)
    same = plans.plan_set(
        by=org.head, month=MARCH, user=org.am_a, revenue=D("1000000.50"), margin=D("250000"), version=1
    )
    assert same.version == 1  # nothing changed: no new version
    changed = plans.plan_set(
        by=org.head, month=MARCH, user=org.am_a, revenue=D("900000"), margin=D("200000"), version=1
    )
    assert (changed.pk, changed.version, changed.updated_by) == (plan.pk, 2, org.head)


def test_a_stale_version_is_a_conflict_and_changes_nothing(org):
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("100"), margin=D("10"))
    plans.plan_set(by=org.lead_a, month=MARCH, user=org.am_a, revenue=D("200"), margin=D("20"), version=1)
    with pytest.raises(ConflictError) as caught:
        plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("300"), margin=D("30"), version=1)
    assert "changed by someone else" in caught.value.messages[0]
    assert SalesPlan.objects.get(user=org.am_a).revenue == D("200")
    # The same figures as now at a stale version (a double submit): nothing to lose, no conflict.
    again = plans.plan_set(
        by=org.head, month=MARCH, user=org.am_a, revenue=D("200"), margin=D("20"), version=1
    )
    assert again.version == 2
    # He saw no plan (version 0) but one was set meanwhile: a conflict too.
    with pytest.raises(ConflictError):
        plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("300"), margin=D("30"), version=0)


def test_a_lead_sets_his_people_and_teams_only(org):
    plans.plan_set(by=org.lead_a, month=MARCH, user=org.am_a1, revenue=D("1"), margin=D("0"))  # sub-team
    plans.plan_set(by=org.lead_a, month=MARCH, team=org.team_a1, revenue=D("1"), margin=D("0"))
    for by, target in (
        (org.lead_a, {"user": org.am_b}),
        (org.lead_a, {"team": org.team_b}),
        (org.am_a, {"user": org.am_a}),  # not even his own
        (org.auditor, {"user": org.am_a}),
    ):
        with pytest.raises(PermissionDenied):
            plans.plan_set(by=by, month=MARCH, revenue=D("1"), margin=D("0"), **target)
    assert SalesPlan.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Am_A has left the company: plans are set only for people who work here."),
        ("ru", "Am_A покинул(а) компанию: планы ставятся только работающим сотрудникам."),
    ],
)
def test_a_person_who_has_left_gets_no_plan(org, language, expected):
    org.am_a.is_active = False
    org.am_a.save()
    with translation.override(language), pytest.raises(ValidationError) as caught:
        plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("1"), margin=D("0"))
    assert caught.value.message_dict["user"] == [expected]
    assert not SalesPlan.objects.exists()


@pytest.mark.parametrize(
    ("language", "fields", "field", "expected"),
    [
        ("en", {"revenue": D("-1"), "margin": D("0")}, "revenue", "The revenue plan cannot be negative."),
        (
            "ru",
            {"revenue": D("-1"), "margin": D("0")},
            "revenue",
            "План выручки не может быть отрицательным.",
        ),
        (
            "en",
            {"revenue": D("100"), "margin": D("101")},
            "margin",
            "The margin plan cannot exceed the revenue plan (margin is revenue less cost).",
        ),
        ("en", {"revenue": D("1.005"), "margin": D("0")}, "revenue", None),
        ("en", {"revenue": "много", "margin": D("0")}, "revenue", "Enter an amount like 1 234 567,89."),
        (
            "en",
            {"revenue": D("1"), "margin": D("0"), "month": dt.date(2026, 3, 15)},
            "month",
            "A plan is for a whole month: give its first day (2026-03-01).",
        ),
        (
            "ru",
            {"revenue": D("1"), "margin": D("0"), "month": dt.date(2026, 3, 15)},
            "month",
            "План ставится на весь месяц: укажите его первый день (2026-03-01).",
        ),
    ],
)
def test_bad_figures_are_refused_at_their_field(org, language, fields, field, expected):
    fields = {"month": MARCH, **fields}
    with translation.override(language), pytest.raises(ValidationError) as caught:
        plans.plan_set(by=org.head, user=org.am_a, **fields)
    assert field in caught.value.message_dict
    if expected:
        assert caught.value.message_dict[field] == [expected]
    assert not SalesPlan.objects.exists()


def test_exactly_one_of_person_and_team(org):
    for target in ({}, {"user": org.am_a, "team": org.team_a}):
        with pytest.raises(ValidationError) as caught:
            plans.plan_set(by=org.head, month=MARCH, revenue=D("1"), margin=D("0"), **target)
        assert "user" in caught.value.message_dict


def test_the_grid_saves_all_rows_or_none(org):
    rows = [
        PlanEntry(key=f"u{org.am_a.pk}", revenue="100", margin="10", version=0, user=org.am_a),
        PlanEntry(key=f"u{org.am_b.pk}", revenue="-5", margin="0", version=0, user=org.am_b),
        PlanEntry(key=f"u{org.sales.pk}", revenue="", margin="", version=0, user=org.sales),  # blank: skipped
    ]
    with pytest.raises(ValidationError) as caught:
        plans.plans_save(by=org.head, month=MARCH, entries=rows)
    assert set(caught.value.message_dict) == {f"u{org.am_b.pk}-revenue"}
    assert not SalesPlan.objects.exists()  # am_a's good row was not kept either
    rows[1].revenue = "50"
    saved = plans.plans_save(by=org.head, month=MARCH, entries=rows)
    assert sorted(p.revenue for p in saved) == [D("50"), D("100")]


def test_the_grid_names_the_rows_changed_meanwhile(org):
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("100"), margin=D("10"))
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("120"), margin=D("10"), version=1)
    rows = [
        PlanEntry(key="a", revenue="150", margin="10", version=1, user=org.am_a),
        PlanEntry(key="b", revenue="10", margin="1", version=0, user=org.am_b),
    ]
    with pytest.raises(ConflictError) as caught:
        plans.plans_save(by=org.head, month=MARCH, entries=rows)
    assert "Am_A" in caught.value.messages[0] and "a-revenue" in caught.value.fields
    assert not SalesPlan.objects.filter(user=org.am_b).exists()


def test_copy_last_month_keeps_what_is_entered_and_skips_who_left(org):
    february = dt.date(2026, 2, 1)
    for person, amount in ((org.am_a, "100"), (org.am_b, "200"), (org.am_a1, "300")):
        plans.plan_set(by=org.head, month=february, user=person, revenue=amount, margin="1")
    plans.plan_set(by=org.head, month=february, team=org.team_a, revenue="1000", margin="1")
    plans.plan_set(by=org.head, month=MARCH, user=org.am_b, revenue="999", margin="1")
    org.am_a1.is_active = False
    org.am_a1.save()
    copied = plans.plans_copy_month(
        by=org.head, month=MARCH, people=[org.am_a, org.am_b, org.am_a1], teams=[org.team_a]
    )
    assert sorted(str(p.revenue) for p in copied) == ["100.00", "1000.00"]
    assert SalesPlan.objects.get(user=org.am_b, month=MARCH).revenue == D("999")
