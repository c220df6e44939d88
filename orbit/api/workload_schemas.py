"""Shapes of the workload API: per person demand, capacity and load of a month."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from orbit.api.growth_plans_schemas import Month


class WorkloadQuery(Schema):
    month: Month | None = Field(
        None, description="The month as YYYY-MM; this month (local date) when left out."
    )


class WorkloadPersonOut(Schema):
    id: int
    name: str
    team: str = Field("", description="The person's team.")
    accounts: dict[str, int] = Field(description="Accounts held at the month's end, by tier (key, A, B, C).")
    demand_hours: Decimal = Field(
        description="Hours his portfolio needs in the month (norms × accounts, covers)."
    )
    capacity_hours: Decimal = Field(description="Hours he can give in the month; 0 = no capacity this month.")
    load_percent: Decimal | None = Field(
        description="Demand ÷ capacity × 100, 1 place; null without capacity."
    )
    status: str = Field(description="over (> 100 %), under (below the underload threshold), ok, or none.")


class WorkloadOut(Schema):
    month: dt.date
    norm_hours: dict[str, Decimal] = Field(
        description="Hours a month per account of each tier, in force now."
    )
    underload_percent: Decimal
    people: list[WorkloadPersonOut]
