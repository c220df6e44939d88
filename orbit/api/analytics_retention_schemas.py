"""Request and response shapes of the retention and key-account share API (orbit.analytics.retention, shares)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from orbit.analytics.retention import COHORT_CHOICES
from orbit.api.schemas import Id, Money, _fixed, _fixed_out_schema


def _cohorts(value: int) -> int:
    if value not in COHORT_CHOICES:
        raise PydanticCustomError("literal_error", "Input should be 12 or 24")
    return value


Cohorts = Annotated[
    int, AfterValidator(_cohorts), WithJsonSchema({"type": "integer", "enum": list(COHORT_CHOICES)})
]

# A ratio in per cent with 2 places as a decimal string ("87.50"); NRR may exceed 100.
Share = Annotated[Decimal, PlainSerializer(_fixed(2), return_type=str), _fixed_out_schema(2, "87.50")]


class ScopeQuery(Schema):
    team: Id | None = Field(
        None, description="Only the accounts of this team and its sub-teams (by manager)."
    )
    manager: Id | None = Field(None, description="Only the accounts of this responsible manager.")


class RetentionQuery(ScopeQuery):
    basis: Literal["logo", "nrr"] = Field("logo", description="Logo retention or net revenue retention.")
    cohorts: Cohorts = Field(
        12, description="How many cohorts (months), 12 or 24, the latest closed month last."
    )


class CellOut(Schema):
    offset: int = Field(description="Months since the cohort's first month (0 = that month).")
    accounts: int = Field(description="Members who bought (net revenue above zero) in that month.")
    revenue: Money = Field(description="The members' net revenue of that month, credit notes included.")
    value: Share | None = Field(
        description="The chosen measure in per cent; null for a cohort without members."
    )


class CohortOut(Schema):
    month: dt.date = Field(description="The cohort: the month of its members' first purchase (first day).")
    accounts: int = Field(description="Members.")
    revenue: Money = Field(description="Their net revenue in the cohort month: the base of NRR.")
    cells: list[CellOut]


class AverageOut(Schema):
    offset: int
    logo: Share | None = Field(description="Pooled over the cohorts that reached the offset.")
    nrr: Share | None


class CalendarMonthOut(Schema):
    month: dt.date
    accounts: int = Field(
        description="Accounts with positive net revenue over the twelve months a year before."
    )
    retained: int = Field(description="Of them, those with positive net revenue over the last twelve months.")
    base: Money = Field(description="Their net revenue over the twelve months a year before.")
    revenue: Money = Field(description="Their net revenue over the last twelve months.")
    logo: Share | None = Field(description="retained / accounts; null without a base.")
    nrr: Share | None = Field(description="revenue / base; null without a base.")


class RetentionOut(Schema):
    as_of: dt.date = Field(description="The day the figures were computed for.")
    last_month: dt.date = Field(description="The last closed month they include.")
    source: Literal["run", "live"] = Field(
        description="run: the latest computation's department figures; live: computed now over your accounts."
    )
    basis: Literal["logo", "nrr"]
    cohorts: list[CohortOut]
    average: list[AverageOut]
    months: list[CalendarMonthOut]


class ShareMonthOut(Schema):
    month: dt.date = Field(description="The twelve months ending with this month.")
    accounts: int = Field(description="Accounts with positive net revenue over those twelve months.")
    total: Money
    key_accounts: int = Field(description="Of them, key accounts (today's tier).")
    key: Money
    key_share: Share | None
    top_accounts: int = Field(
        description="The top 20 %: ceil(20 % × accounts), equal revenues by account id."
    )
    top: Money
    top_share: Share | None


class SharesOut(Schema):
    as_of: dt.date
    last_month: dt.date
    source: Literal["run", "live"]
    months: list[ShareMonthOut]
