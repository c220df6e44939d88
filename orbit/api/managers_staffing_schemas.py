"""Request and response shapes of the org-model API: the hybrids' time split and the hunter-or-farmer what-if."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from orbit.api.schemas import Amount, Money


class OrgModelQuery(Schema):
    hunter_salary: Amount | None = Field(
        None, description="A hunter's monthly salary; with the farmer's, the what-if."
    )
    farmer_salary: Amount | None = Field(None, description="A farmer's monthly salary.")
    farmer_capacity: int | None = Field(
        None,
        ge=0,
        le=744,
        description="A farmer's capacity, hours a month; the hybrids' average when left out.",
    )


class MonthSplitOut(Schema):
    month: dt.date
    hunting_minutes: int
    serving_minutes: int
    hunting_share: Decimal | None = Field(description="Hunting share of the month's hours, % to 0.1.")


class PersonSplitOut(Schema):
    id: int
    name: str
    months: list[MonthSplitOut]
    drift: Decimal | None = Field(description="Least-squares slope of the hunting share, pp a month.")


class WhatIfOut(Schema):
    hunter_salary: Money
    farmer_salary: Money
    farmer_capacity: int
    serving_hours_a_month: Decimal | None
    hunting_hours_a_month: Decimal | None
    hunting_hours_freed: Decimal | None
    farmers_needed: int | None
    revenue_per_hunting_hour: Money | None
    expected_new_business_revenue: Money | None
    payroll_now: Money
    payroll_split: Money | None
    added_payroll: Money | None
    balance: Money | None


class OrgModelOut(Schema):
    first_month: dt.date
    last_month: dt.date
    new_business_months: int
    hybrids: list[PersonSplitOut]
    months_with_hours: int
    hunting_minutes: int
    serving_minutes: int
    new_business_revenue: Money
    drift: Decimal | None
    what_if: WhatIfOut | None = Field(description="Present when both salaries are given.")
