"""Request and response shapes of the sales pipeline API: opportunities, their moves and the weighted pipeline.
Money uses the exact types of orbit.api.schemas (a JSON number or a string in, a decimal string out). The rules
(a negative amount, a probability outside 0–100, a past close date, a skipped stage, another pipeline's stage)
are the services', so the API and the forms give the same messages."""

import datetime as dt
from typing import Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import ConfigDict

from orbit.api.schemas import (
    MAX_OFFSET,
    AccountRef,
    Amount,
    CurrencyValue,
    Day,
    Id,
    Int64,
    Money,
    Rate,
    ReferenceOut,
    Text,
    UserRef,
)
from orbit.growth.models import OpportunityKind, StageOutcome
from orbit.growth.pipeline import SORTS, weighted

KindValue = Literal[tuple(OpportunityKind.values)]  # type: ignore[valid-type]
OutcomeValue = Literal[tuple(StageOutcome.values)]  # type: ignore[valid-type]
StatusFilter = Literal[(*StageOutcome.values, "all")]  # type: ignore[valid-type]
SortValue = Literal[tuple(key for name in SORTS for key in (name, f"-{name}"))]  # type: ignore[valid-type]


class StageOut(Schema):
    id: int
    code: str
    name: str = Field(description="In the user's language.")
    position: int
    probability: int = Field(description="The stage's default chance to win, per cent.")
    required: bool = Field(description="Cannot be skipped on the way to a later stage or to won.")
    outcome: OutcomeValue

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class OpportunityOut(Schema):
    id: int
    account: AccountRef
    kind: KindValue
    title: str
    pipeline: ReferenceOut
    stage: StageOut
    status: OutcomeValue
    owner: UserRef
    amount: Money
    currency: CurrencyValue
    rate: Rate = Field(description="To the base currency, on the day the amount was last set.")
    amount_base: Money = Field(description="The amount in the base currency.")
    probability: int = Field(description="Per cent.")
    weighted_base: Money = Field(description="amount_base × probability / 100.")
    expected_close_on: dt.date
    next_step: str
    next_step_on: dt.date | None
    product_line: ReferenceOut | None
    lost_reason: ReferenceOut | None
    lost_note: str
    closed_on: dt.date | None
    stage_changed_at: dt.datetime
    description: str
    version: int = Field(description="Send it back with a change: a stale one is answered with 409.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_weighted_base(obj):
        return weighted(obj.amount_base * obj.probability)


class OpportunityPage(Schema):
    count: int = Field(
        description="Opportunities matching the filters that you may see, counted up to a cap."
    )
    count_exact: bool = Field(description="False when more match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[OpportunityOut]


class OpportunityQuery(Schema):
    pipeline: Id | None = Field(None, description="Pipeline id.")
    stage: Id | None = Field(None, description="Stage id.")
    kind: KindValue | None = None
    owner: Id | None = Field(None, description="Owner (user) id.")
    team: Id | None = Field(None, description="Owners in this team or its subteams.")
    account: Id | None = Field(None, description="Opportunities of this account.")
    status: StatusFilter = Field("open", description="open (the default), won, lost or all.")
    close_month: Day | None = Field(
        None, description="Any day of the month the opportunity is expected to close."
    )
    sort: SortValue = Field("close", description="A column; a leading minus sorts descending.")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class _OpportunityFields(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text | None = Field(None, max_length=300)
    kind: KindValue | None = None
    amount: Amount | None = None
    currency: CurrencyValue | None = None
    probability: Int64 | None = Field(None, description="Per cent, 0–100.")
    expected_close_on: Day | None = None
    owner: Id | None = Field(None, description="User id of the owner.")
    product_line: Id | None = Field(None, description="Product line id.")
    next_step: Text | None = Field(None, max_length=300)
    next_step_on: Day | None = None
    description: Text | None = None


class OpportunityCreateIn(_OpportunityFields):
    account: Id = Field(description="The account's id; it must be one you may see and work.")
    kind: KindValue
    title: Text = Field(max_length=300)
    amount: Amount
    expected_close_on: Day
    pipeline: Id | None = Field(None, description="Blank: the pipeline of the kind (new business or growth).")
    stage: Id | None = Field(None, description="An open stage of the pipeline; blank: its first stage.")
    probability: Int64 | None = Field(None, description="Per cent, 0–100; blank: the stage's probability.")
    owner: Id | None = Field(
        None, description="Blank: the account's responsible manager (new business: you)."
    )


class OpportunityPatchIn(_OpportunityFields):
    version: Int64 = Field(description="The `version` you read; a stale one is answered with 409.")


class OpportunityMoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stage: Id = Field(description="A stage of the opportunity's pipeline (won and lost included).")
    version: Int64 | None = Field(
        None, description="The `version` you read; a stale one is answered with 409."
    )
    lost_reason: Id | None = Field(None, description="Required when the stage is lost: a reason id.")
    lost_note: Text = Field("", max_length=500)
    expected_close_on: Day | None = Field(None, description="A new date when a lost opportunity is reopened.")


class WeightedCellOut(Schema):
    count: int
    amount: Money
    weighted: Money


class WeightedRowOut(Schema):
    id: int | None = Field(description="The owner's or the team's id; null on the total.")
    name: str
    this_month: WeightedCellOut = Field(description="Expected this month, or already overdue.")
    next_month: WeightedCellOut
    later: WeightedCellOut
    total: WeightedCellOut


class WeightedQuery(Schema):
    by: Literal["owner", "team"] = Field(
        "owner", description="Rows per owner or per team (with its subteams)."
    )
    pipeline: Id | None = None
    kind: KindValue | None = None


class WeightedPipelineOut(Schema):
    by: Literal["owner", "team"]
    currency: str = Field(description="The base currency of every amount.")
    this_month: dt.date = Field(description="The first day of this month.")
    next_month: dt.date
    rows: list[WeightedRowOut]
    total: WeightedRowOut = Field(description="Every open opportunity you see, each once.")
