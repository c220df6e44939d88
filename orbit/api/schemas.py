"""Request and response shapes of the API.

Output schemas read model instances (ninja resolves attributes); input schemas carry ids and plain values
that the routers hand to the services. Choices are checked here (so OpenAPI lists them); everything else —
lengths, INN checksum, KPP, uniqueness, holding cycles — is checked by the services, so the API and the forms
give the same messages.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import ConfigDict

from orbit.accounts.models import AccountStatus, BuyingRole, Currency, Tier
from orbit.accounts.selectors import SORTS

StatusValue = Literal[tuple(AccountStatus.values)]  # type: ignore[valid-type]
TierValue = Literal[tuple(Tier.values)]  # type: ignore[valid-type]
CurrencyValue = Literal[tuple(Currency.values)]  # type: ignore[valid-type]
BuyingRoleValue = Literal[("", *BuyingRole.values)]  # type: ignore[valid-type]
SortValue = Literal[tuple(SORTS)]  # type: ignore[valid-type]
NewAccountStatus = Literal[AccountStatus.PROSPECT.value, AccountStatus.ACTIVE.value]


def money(value: Decimal | None) -> str | None:
    """Money leaves the API as a decimal string with two places («1500000.00»): exact, never a float."""
    return None if value is None else f"{value:.2f}"


# --- errors -------------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the user's language.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages per field of the request; `__all__` holds those about the request as a whole.",
    )


# --- references -------------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class ReferenceOut(Schema):
    id: int
    code: str
    name: str = Field(description="In the user's language.")

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class AccountRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


# --- accounts ---------------------------------------------------------------------------------------------


class AccountListItem(Schema):
    id: int
    legal_name: str
    short_name: str
    display_name: str
    inn: str
    kpp: str
    status: StatusValue
    tier: TierValue
    industry: ReferenceOut | None
    region: ReferenceOut | None
    segment: ReferenceOut | None
    parent_id: int | None
    responsible_manager: UserRef | None
    version: int
    updated_at: dt.datetime
    archived_at: dt.datetime | None


class AccountDetail(AccountListItem):
    status_changed_at: dt.datetime | None
    created_at: dt.datetime
    created_by: UserRef | None
    goals: str
    strategy: str
    investment_plans: str
    financial_indicators: str
    agreed_budget: str | None = Field(
        description="Decimal string with two places, in `budget_currency` (e.g. «1500000.00»)."
    )
    budget_currency: CurrencyValue
    competitors: str
    switching_barriers: str

    @staticmethod
    def resolve_agreed_budget(obj) -> str | None:
        return money(obj.agreed_budget)


class AccountPage(Schema):
    count: int = Field(
        description="Accounts matching the filters that the user may see, counted up to a cap."
    )
    count_exact: bool = Field(description="False when more accounts match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[AccountListItem]


class AccountQuery(Schema):
    q: str = Field("", max_length=200, description="Words of the name or digits of the INN.")
    status: list[StatusValue] = Field(default_factory=list)
    tier: list[TierValue] = Field(default_factory=list)
    segment: list[int] = Field(default_factory=list)
    region: list[int] = Field(default_factory=list)
    industry: list[int] = Field(default_factory=list)
    manager: list[int] = Field(default_factory=list, description="Responsible manager ids.")
    parent: int | None = Field(None, description="Subsidiaries of this holding.")
    archived: bool = Field(False, description="The archive instead of the live accounts.")
    sort: SortValue = "name"
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0)


class _AccountFields(Schema):
    """The editable fields; a field left out is not changed (PATCH) or takes its default (POST)."""

    model_config = ConfigDict(extra="forbid")

    legal_name: str | None = None
    short_name: str | None = None
    inn: str | None = Field(None, description="10 digits (organisation) or 12 (entrepreneur).")
    kpp: str | None = Field(None, description="Required with a 10-digit INN, absent with a 12-digit one.")
    industry: int | None = Field(None, description="Industry id.")
    region: int | None = Field(None, description="Region id.")
    segment: int | None = Field(None, description="Segment id.")
    tier: TierValue | None = None
    parent: int | None = Field(None, description="Holding (parent account) id; must be visible to you.")
    goals: str | None = None
    strategy: str | None = None
    investment_plans: str | None = None
    financial_indicators: str | None = None
    agreed_budget: Decimal | None = Field(None, description="A decimal string or number, two places at most.")
    budget_currency: CurrencyValue | None = None
    competitors: str | None = None
    switching_barriers: str | None = None


class AccountCreateIn(_AccountFields):
    legal_name: str
    inn: str
    status: NewAccountStatus = AccountStatus.PROSPECT.value
    responsible_manager: int | None = Field(
        None, description="User id; required for an active client. Only the head or a lead assigns others."
    )


class AccountPatchIn(_AccountFields):
    version: int = Field(description="The `version` you read; a stale one is answered with 409.")


class ConflictOut(ErrorOut):
    current: dict | None = Field(description="The record as it is now.")


class OwnershipPeriodOut(Schema):
    id: int
    manager: UserRef
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str
    reason_label: str
    comment: str
    changed_by: UserRef | None

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return str(obj.get_reason_display())


class ResponsibleOut(Schema):
    account_id: int
    on: dt.datetime | dt.date
    manager: UserRef | None


# --- contacts ---------------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    account: AccountRef
    full_name: str
    position: str
    phone: str = Field(description="E.164, e.g. +74951234567.")
    email: str
    buying_role: BuyingRoleValue
    consent_given: bool
    consent_date: dt.date | None
    consent_source: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    archived_at: dt.datetime | None


class ContactPage(Schema):
    count: int = Field(description="Contacts matching, counted up to a cap.")
    count_exact: bool = Field(description="False when more contacts match than `count`.")
    limit: int
    offset: int
    items: list[ContactOut]


class ContactQuery(Schema):
    account: int | None = Field(None, description="Contacts of this account.")
    q: str = Field("", max_length=200, description="Words of the name, position, e-mail or phone.")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0)


class _ContactFields(Schema):
    model_config = ConfigDict(extra="forbid")

    full_name: str | None = None
    position: str | None = None
    phone: str | None = Field(None, description="Any common form; stored as E.164.")
    email: str | None = None
    buying_role: BuyingRoleValue | None = None
    consent_given: bool | None = None
    consent_date: dt.date | None = None
    consent_source: str | None = None


class ContactCreateIn(_ContactFields):
    full_name: str


class ContactPatchIn(_ContactFields):
    version: int = Field(description="The `version` you read; a stale one is answered with 409.")


# --- auth -------------------------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    name: str
    language: str
    roles: list[str]

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.role_set)


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="The first characters of the token, to tell tokens apart.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="What the token is for, e.g. «reporting script».")


class TokenIssuedOut(TokenOut):
    token: str = Field(description="The secret; shown this once and never again. Send it as `Bearer`.")
