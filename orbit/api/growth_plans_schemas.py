"""Request and response shapes of the plans API: plan vs fact per person and team, and setting a plan."""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from orbit.api.schemas import Amount, Day, Id, Int64, Money
from orbit.common.validators import EARLIEST_DATE, LATEST_DATE

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month(value):
    """ "2026-03" → 1 March 2026, within the dates Orbit accepts anywhere."""
    match = _MONTH.match(value) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError("date_parsing", "Enter a valid date.")
    month = dt.date(max(int(match[1]), 1), int(match[2]), 1)
    if not (EARLIEST_DATE.replace(day=1) <= month <= LATEST_DATE):
        raise PydanticCustomError("date_range", "The date is out of range.")
    return month


Month = Annotated[
    dt.date,
    BeforeValidator(_month),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "examples": ["2026-03"]}),
]


class PlanFactQuery(Schema):
    month: Month | None = Field(
        None, description="The month as YYYY-MM; this month (the local date) when left out."
    )
    team: Id | None = Field(None, description="Only this team's tree: its people and its sub-teams.")
    person: Id | None = Field(None, description="Only this person.")


class FigureOut(Schema):
    plan: Money | None = Field(description="The plan; null when none is set.")
    fact: Money
    percent: Decimal | None = Field(
        description="Fact as a percent of the plan, 1 place; null without a plan."
    )
    gap: Money | None = Field(description="fact − plan: negative while behind.")


class PlanFactRowOut(Schema):
    kind: str = Field(description="person, team or total.")
    id: int
    name: str
    team: str = Field("", description="The person's team (people only).")
    plan_source: str = Field(
        description="own: the row's own plan; people: a team without its own plan, the sum of its people's; none."
    )
    plan_version: int = Field(
        description="The version of the row's own plan, to send back when changing it; 0: none."
    )
    invoiced: FigureOut = Field(description="Revenue plan vs invoiced revenue (net of VAT, base currency).")
    paid: FigureOut = Field(description="Revenue plan vs paid revenue (net share of the money received).")
    margin: FigureOut = Field(description="Margin plan vs invoiced margin (net − cost).")
    paid_margin: FigureOut = Field(
        description="Margin plan vs paid margin (the paid share of the invoices' margin)."
    )
    expected: Money | None = Field(
        description="plan × pace: where the row should be by now (this month only)."
    )


class PlanFactOut(Schema):
    month: dt.date
    currency: str
    pace_percent: Decimal | None = Field(
        description="Share of the month passed by the end of today (this month)."
    )
    pace_basis: str = Field(description="working: working hours of the default calendar; calendar: days.")
    people: list[PlanFactRowOut]
    teams: list[PlanFactRowOut]
    total: PlanFactRowOut


class PlanIn(Schema):
    month: Day = Field(description="The first day of the month (2026-03-01); another day is refused.")
    user: Id | None = Field(None, description="The person, or…")
    team: Id | None = Field(None, description="…the team (exactly one of the two).")
    revenue: Amount = Field(description="Revenue plan, net of VAT, base currency; not negative.")
    margin: Amount = Field(description="Margin plan (revenue − cost); at most the revenue.")
    version: Int64 = Field(
        0, description="The `plan_version` you read (0: there was no plan); a stale one is 409."
    )


class PlanOut(Schema):
    id: int
    month: dt.date
    user: int | None = Field(None, alias="user_id")
    team: int | None = Field(None, alias="team_id")
    revenue: Money
    margin: Money
    version: int
