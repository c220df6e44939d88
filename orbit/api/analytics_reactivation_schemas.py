"""Shapes of the reactivation queue and segment changes API."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from ninja import Field, Schema

from orbit.api.schemas import MAX_OFFSET, Day, Id, Money


class CaseOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.display_name")
    manager: int = Field(alias="manager_id")
    status: str = Field(description="open, reactivated or lost")
    opened_on: dt.date = Field(description="The day the run found the account dormant.")
    last_purchase_on: dt.date | None
    typical_interval_days: Decimal | None = Field(
        None,
        alias="typical_interval",
        description="The mean days between purchase days (the account's figures).",
    )
    clv: Money | None = Field(None, description="Predicted LTV (discounted revenue), when figures exist.")
    closed_on: dt.date | None
    lost_reason: str
    version: int


class CasePage(Schema):
    count: int = Field(description="Cases matching the filters that you may see, counted up to a cap.")
    count_exact: bool
    limit: int
    offset: int
    items: list[CaseOut]


class CaseQuery(Schema):
    status: str = Field("open", pattern="^(open|reactivated|lost|all)$")
    manager: Id | None = None
    team: Id | None = Field(None, description="Only this team's tree.")
    start: Day | None = Field(
        None, description="Closed cases: closed on or after this day (default: 90 days ago)."
    )
    end: Day | None = Field(None, description="Closed cases: closed on or before this day (default: today).")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class LostIn(Schema):
    reason: str = Field(description="Why the account is lost (required).")
    version: int | None = Field(None, description="The case's version you read; a stale one answers 409.")


class ChangeOut(Schema):
    id: int
    run: int = Field(alias="run_id")
    on: dt.date
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.display_name")
    kind: str = Field(description="abc, xyz, rfm, dormant, awake or ltv_drop")
    old: str
    new: str
    text: str = Field(description="The change in words, in your language.")


class ChangePage(Schema):
    count: int
    count_exact: bool
    limit: int
    offset: int
    items: list[ChangeOut]


class ChangeQuery(Schema):
    run: Id | None = Field(None, description="A finished run's changes (default: the latest run's).")
    since: Day | None = Field(None, description="Every run's changes since this day, instead of one run's.")
    kind: str = Field("", pattern="^(|abc|xyz|rfm|dormant|awake|ltv_drop)$")
    manager: Id | None = None
    team: Id | None = None
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
