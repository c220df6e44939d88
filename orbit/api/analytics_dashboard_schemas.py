"""Request and response shapes of the analytics dashboard API: the figures of the caller's scope, the accounts
with their stored figures, one account's figures and segment history. Money and shares are decimal strings with
2 places, never floats (orbit.api.schemas)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import PlainSerializer

from orbit.analytics.models import Basis, ChangeKind
from orbit.analytics.rfm import Segment
from orbit.analytics.selectors import SORTS, TOO_NEW
from orbit.api.schemas import MAX_OFFSET, AccountRef, Id, Money, Text, UserRef

# A share of a total, per cent with 2 places (responses only).
Share = Annotated[Decimal, PlainSerializer(lambda value: f"{value:.2f}", return_type=str)]
SortValue = Literal[tuple(SORTS)]  # type: ignore[valid-type]
SegmentValue = Literal[tuple(Segment.values)]  # type: ignore[valid-type]
ClassValue = Literal["A", "B", "C", "D"]
XyzValue = Literal["X", "Y", "Z", TOO_NEW]


class ScopeQuery(Schema):
    team: Id | None = Field(
        None, description="Narrow to the accounts of this team's managers (with subteams)."
    )
    manager: Id | None = Field(None, description="Narrow to the accounts of this responsible manager.")


class CellOut(Schema):
    accounts: int
    total: Money = Field(description="The cell's basis total in the window, base currency.")
    share: Share = Field(description="Per cent of the scope's positive total.")


class ParetoOut(Schema):
    accounts: int = Field(description="Accounts with a positive total in the window (D is not on the curve).")
    total: Money
    curve: list[tuple[int, Share]] = Field(
        description="[k, share]: the top k % of the accounts hold `share` % of the total, k = 1 … 100."
    )


class SharesOut(Schema):
    key: Share = Field(description="Per cent of the total from key accounts.")
    top20: Share = Field(description="Per cent of the total from the top 20 % of the accounts.")
    key_accounts: int


class FiguresOut(Schema):
    as_of: dt.date | None = Field(
        description="The day of the last finished computation; null before the first."
    )
    window_months: int
    basis: Literal[tuple(Basis.values)]  # type: ignore[valid-type]
    abc_a: Share = Field(description="A up to this per cent of the total.")
    abc_b: Share = Field(description="B up to this per cent of the total.")
    whole_department: bool = Field(description="The department's stored figures (you see every account).")
    accounts: int = Field(description="Accounts with figures in the scope.")
    pareto: ParetoOut | None
    cells: dict[str, CellOut] = Field(
        description='ABC×XYZ cells: "AX" … "CZ", "A"/"B"/"C" for accounts too new for XYZ, "D"; empty ones left out.'
    )
    segments: dict[str, CellOut] = Field(description="RFM segment code → its accounts and share.")
    shares: SharesOut | None


class MetricsOut(Schema):
    account: AccountRef
    manager: UserRef | None = Field(description="The account's responsible manager.")
    as_of: dt.date
    abc: str = Field(description='"A" … "D"; blank without revenue history.')
    xyz: str = Field(description='"X", "Y", "Z"; blank when too new to class.')
    cv_percent: Share | None = Field(description="Coefficient of variation of the monthly revenue, per cent.")
    window_revenue: Money
    window_margin: Money
    first_purchase_on: dt.date | None
    last_purchase_on: dt.date | None
    purchase_days: int
    window_purchase_days: int
    typical_interval_days: Decimal | None
    dormant_after_days: int | None
    is_dormant: bool
    recency: int | None
    frequency: int | None
    monetary: int | None
    rfm_segment: str = Field(description="An RFM segment code; blank without a purchase in the window.")
    margin_to_date: Money
    revenue_to_date: Money
    p_alive: Decimal | None = Field(description="Probability the client is still buying, 0–1.")
    expected_purchases: Decimal | None = Field(description="Expected purchases over the LTV horizon.")
    expected_spend: Money | None = Field(description="Expected spend per purchase.")
    clv: Money | None = Field(description="Predicted LTV: discounted revenue over the LTV horizon.")
    clv_margin: Money | None = Field(description="Predicted LTV on margin.")

    @staticmethod
    def resolve_manager(obj):
        return obj.account.responsible_manager


class MetricsPage(Schema):
    count: int = Field(description="Accounts matching the filters that you may see, counted up to a cap.")
    count_exact: bool = Field(description="False when more match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[MetricsOut]


class MetricsQuery(ScopeQuery):
    abc: ClassValue | None = None
    xyz: XyzValue | None = Field(None, description=f'X, Y, Z, or "{TOO_NEW}" for accounts too new to class.')
    cell: Literal["AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ", "A", "B", "C", "D"] | None = Field(
        None,
        description='An ABC×XYZ cell as on the dashboard (overrides abc and xyz); "A" = A too new for XYZ.',
    )
    segment: SegmentValue | None = None
    dormant: bool | None = None
    q: Text = Field("", max_length=100, description="Name or INN.")
    sort: SortValue = Field("-revenue", description="A column; a leading minus sorts descending.")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ChangeOut(Schema):
    on: dt.date
    kind: Literal[tuple(ChangeKind.values)]  # type: ignore[valid-type]
    old: str = Field(description="Class letters, segment codes, ISO dates (dormant, awake) or LTV amounts.")
    new: str


class AccountFiguresOut(Schema):
    account: AccountRef
    metrics: MetricsOut | None = Field(description="Null until a computation has included the account.")
    changes: list[ChangeOut] = Field(description="Its last segment changes, newest first.")
