"""Response shapes of the bonuses API: monthly statements per person, with their lines."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from orbit.api.growth_plans_schemas import Month
from orbit.api.schemas import Money


class StatementsQuery(Schema):
    month: Month | None = Field(None, description="The month as YYYY-MM; this month when left out.")


class LineOut(Schema):
    kind: str = Field(description="payment, late, clawback, fixed, threshold, accelerator, cap or cap_amount")
    account_id: int | None
    account: str
    invoice_id: int | None
    invoice: str
    payment_id: int | None
    received_on: dt.date | None
    allocation_id: int | None
    allocation_amount: Money | None = Field(
        description="In the invoice's currency (a change, for a clawback)."
    )
    sale_kind: str
    share: Decimal | None = Field(description="% of the paid share that is this person's (hunter / farmer).")
    base: Money | None = Field(description="The bonus base of the line, base currency.")
    rate: Decimal | None = Field(description="% of the base paid (a multiplier for the accelerator).")
    amount: Money
    rule_version_id: int | None
    note: str


class StatementOut(Schema):
    month: dt.date
    person_id: int
    person: str
    role: str
    status: str = Field(description="provisional (the month is open) or closed")
    rules_from: str = Field(description="The first month of the rule version in force, MM.YYYY; '' for none.")
    base: str
    plan: Money | None
    fact: Money
    fixed: Money
    variable: Money
    total: Money
    currency: str
    lines: list[LineOut] | None = None


class StatementsOut(Schema):
    month: dt.date
    status: str
    currency: str
    count: int
    items: list[StatementOut]
