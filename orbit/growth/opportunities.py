"""Opportunities: open, change, move through the stages, win, lose, reopen; one keyword-only function per use
case, permission first, all rules checked at once so a form shows every problem.

Stage rules:
- a stage must belong to the opportunity's pipeline;
- going forward to an open stage or to won, every `required` stage before the target must have been passed
  (the opportunity stood on it once: its stage history says so); going back is always allowed;
- lost needs a reason; a lost opportunity may be reopened (moved to an open stage); won is final — invoices,
  a project and the plan's fact hang on it;
- the probability follows the stage on every move (the owner may then adjust it on an open opportunity).

Amounts are kept in their currency and in the base currency at the rate of the day they were last set, so the
weighted pipeline (amount_base × probability / 100) is one sum over one table.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts import open_work
from orbit.accounts.models import Account
from orbit.common.errors import ConflictError
from orbit.common.validators import validate_reasonable_date
from orbit.growth.models import (
    LostReason,
    Opportunity,
    OpportunityKind,
    OpportunityStageChange,
    Pipeline,
    Stage,
    StageOutcome,
)
from orbit.growth.permissions import require_sell
from orbit.org.models import User
from orbit.revenue.money import MONEY_LIMIT, round_money
from orbit.revenue.rates import rate_on

EDITABLE = (
    "title",
    "kind",
    "amount",
    "currency",
    "probability",
    "expected_close_on",
    "next_step",
    "next_step_on",
    "product_line",
    "description",
    "owner",
)
# Orbit's default: new business goes through the hunters' pipeline, everything else through account growth.
PIPELINE_FOR_KIND = {OpportunityKind.NEW_BUSINESS: "new_business"}
GROWTH_PIPELINE = "account_growth"


def default_pipeline(kind: str) -> Pipeline:
    code = PIPELINE_FOR_KIND.get(kind, GROWTH_PIPELINE)
    pipeline = Pipeline.objects.filter(code=code, is_active=True).first()
    return pipeline or Pipeline.objects.filter(is_active=True).order_by("position", "id").first()


def first_stage(pipeline: Pipeline) -> Stage:
    return pipeline.stages.filter(outcome=StageOutcome.OPEN).order_by("position").first()


def _check_version(opportunity: Opportunity, expected: int | None) -> None:
    if expected is not None and opportunity.version != expected:
        raise ConflictError(
            _(
                "The opportunity was changed by someone else while you were editing (version %(theirs)s, yours "
                "%(yours)s). Reload to see their change, then apply yours again."
            )
            % {"theirs": opportunity.version, "yours": expected},
            current=opportunity,
        )


def _ensure_live(account: Account) -> None:
    if account.archived_at is not None:
        raise ValidationError(
            {"account": _("The account is archived: restore it before working its opportunities.")},
            code="archived",
        )


def _validate(opportunity: Opportunity, today: dt.date) -> None:
    """The rules of one opportunity's fields, as field errors, all at once."""
    errors: dict[str, str] = {}
    opportunity.title = (opportunity.title or "").strip()
    if not opportunity.title:
        errors["title"] = _("Say what the opportunity is about.")
    if opportunity.kind not in OpportunityKind.values:
        errors["kind"] = _("Choose the kind of the opportunity.")
    amount = opportunity.amount
    if amount is None:
        errors["amount"] = _("Enter the expected amount.")
    elif amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    elif amount >= MONEY_LIMIT or amount != round(amount, 2):
        errors["amount"] = _("Enter an amount below 10^16 with at most two decimal places (kopecks).")
    probability = opportunity.probability
    if probability is None or not (0 <= probability <= 100):
        errors["probability"] = _("The probability is a whole number of per cent from 0 to 100.")
    for name in ("expected_close_on", "next_step_on"):
        try:
            validate_reasonable_date(getattr(opportunity, name))
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if opportunity.expected_close_on is None:
        errors.setdefault("expected_close_on", _("Enter the expected close date."))
    elif opportunity.status == StageOutcome.OPEN and opportunity.expected_close_on < today:
        errors.setdefault(
            "expected_close_on",
            _("An open opportunity cannot be expected to close in the past: move the date or close it."),
        )
    owner = opportunity.owner if opportunity.owner_id else None
    if owner is None or not owner.is_active:
        errors["owner"] = _("The owner must be a working member of staff.")
    if errors:
        raise ValidationError(errors)


def _price(opportunity: Opportunity, today: dt.date) -> None:
    """The amount in the base currency at today's rate (a missing rate is a field error, not a crash)."""
    try:
        opportunity.rate = rate_on(opportunity.currency, today)
    except ValidationError as exc:
        raise ValidationError({"currency": exc.messages}) from exc
    opportunity.amount_base = round_money(Decimal(opportunity.amount) * opportunity.rate)


def _record_move(opportunity: Opportunity, *, frm: Stage | None, by: User | None, at: dt.datetime) -> None:
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage=frm, to_stage=opportunity.stage, changed_at=at, changed_by=by
    )


def _tell_owner(opportunity: Opportunity, *, by: User) -> None:
    if opportunity.owner_id == by.pk:
        return
    from orbit.notifications.kinds import Kind
    from orbit.notifications.services import notify

    notify(
        recipients=[opportunity.owner],
        kind=Kind.OPPORTUNITY_ASSIGNED,
        title=format_lazy(
            gettext_lazy("Opportunity «{title}» on {account} is yours"),
            title=opportunity.title,
            account=opportunity.account.display_name,
        ),
        url=reverse("growth:opportunity", args=[opportunity.pk]),
        account=opportunity.account,
    )


@transaction.atomic
def opportunity_create(
    *,
    by: User,
    account: Account,
    kind: str,
    title: str,
    amount: Decimal,
    expected_close_on: dt.date,
    currency: str = "RUB",
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    probability: int | None = None,
    owner: User | None = None,
    product_line=None,
    next_step: str = "",
    next_step_on: dt.date | None = None,
    description: str = "",
) -> Opportunity:
    """Open an opportunity. Defaults: the pipeline of its kind, the pipeline's first stage, the stage's
    probability; the owner is the account's responsible manager for growth, the author for new business."""
    require_sell(by, account)
    _ensure_live(account)
    today, now = timezone.localdate(), timezone.now()
    pipeline = pipeline or default_pipeline(kind)
    stage = stage or first_stage(pipeline)
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": _("This stage belongs to another pipeline.")}, code="other_pipeline")
    if stage.outcome != StageOutcome.OPEN:
        raise ValidationError({"stage": _("A new opportunity starts at an open stage.")}, code="closed_stage")
    _check_skips(pipeline, stage, visited=set())
    if owner is None:
        owner = by if kind == OpportunityKind.NEW_BUSINESS else (account.responsible_manager or by)
    opportunity = Opportunity(
        account=account,
        kind=kind,
        title=title,
        pipeline=pipeline,
        stage=stage,
        status=StageOutcome.OPEN,
        owner=owner,
        amount=amount,
        currency=currency,
        probability=stage.probability if probability is None else probability,
        expected_close_on=expected_close_on,
        next_step=next_step,
        next_step_on=next_step_on,
        product_line=product_line,
        description=description,
        stage_changed_at=now,
        created_by=by,
    )
    _validate(opportunity, today)
    _price(opportunity, today)
    opportunity.save()
    _record_move(opportunity, frm=None, by=by, at=now)
    _tell_owner(opportunity, by=by)
    return opportunity


@transaction.atomic
def opportunity_update(
    *, by: User, opportunity: Opportunity, version: int | None, **changes: Any
) -> Opportunity:
    """Change an opportunity's fields (not its stage: `opportunity_move`). A stale version is a conflict."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    locked = Opportunity.objects.select_for_update().select_related("account", "owner").get(pk=opportunity.pk)
    require_sell(by, locked.account)
    _ensure_live(locked.account)
    _check_version(locked, version)
    if locked.status == StageOutcome.WON:
        raise ValidationError(_("The opportunity is won: it cannot be changed any more."), code="won")
    old_owner_id = locked.owner_id
    for name, value in changes.items():
        setattr(locked, name, value)
    today = timezone.localdate()
    _validate(locked, today)
    if {"amount", "currency"} & set(changes):
        _price(locked, today)
    locked.version += 1
    locked.save()
    if locked.owner_id != old_owner_id:
        _tell_owner(locked, by=by)
    return locked


def _visited(opportunity: Opportunity) -> set[int]:
    return set(
        OpportunityStageChange.objects.filter(opportunity=opportunity).values_list("to_stage_id", flat=True)
    ) | {opportunity.stage_id}


def _check_skips(pipeline: Pipeline, target: Stage, *, visited: set[int]) -> None:
    """Going to `target`, no required open stage before it may be missing from `visited`."""
    if target.outcome == StageOutcome.LOST:
        return
    skipped = [
        stage
        for stage in pipeline.stages.filter(
            required=True, outcome=StageOutcome.OPEN, position__lt=target.position
        )
        if stage.pk not in visited
    ]
    if skipped:
        raise ValidationError(
            {
                "stage": _("Stage «%(stage)s» cannot be skipped: move the opportunity through it first.")
                % {"stage": skipped[0]}
            },
            code="skipped_stage",
        )


@transaction.atomic
def opportunity_move(
    *,
    by: User,
    opportunity: Opportunity,
    stage: Stage,
    version: int | None = None,
    lost_reason: LostReason | None = None,
    lost_note: str = "",
    expected_close_on: dt.date | None = None,
) -> Opportunity:
    """Move to another stage of the same pipeline: forward (no required stage skipped), back, to won or to lost
    (with a reason), or reopen a lost one. Moving to the stage it stands on changes nothing (a double drop).
    `expected_close_on` may be given with a reopening, whose old date is usually past."""
    locked = (
        Opportunity.objects.select_for_update()
        .select_related("account", "owner", "stage")
        .get(pk=opportunity.pk)
    )
    require_sell(by, locked.account)
    _ensure_live(locked.account)
    _check_version(locked, version)
    if stage.pipeline_id != locked.pipeline_id:
        raise ValidationError(
            {"stage": _("This stage belongs to another pipeline than the opportunity's.")},
            code="other_pipeline",
        )
    if stage.pk == locked.stage_id:
        return locked
    if locked.status == StageOutcome.WON:
        raise ValidationError({"stage": _("The opportunity is won: it cannot move any more.")}, code="won")
    _check_skips(locked.pipeline, stage, visited=_visited(locked))
    today, now = timezone.localdate(), timezone.now()
    frm = locked.stage
    locked.stage, locked.status, locked.probability = stage, stage.outcome, stage.probability
    locked.stage_changed_at = now
    if stage.outcome == StageOutcome.OPEN:
        locked.closed_on, locked.lost_reason, locked.lost_note = None, None, ""
        if expected_close_on is not None:
            locked.expected_close_on = expected_close_on
    else:
        locked.closed_on = today
    if stage.outcome == StageOutcome.LOST:
        if lost_reason is None:
            raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")}, code="no_reason")
        locked.lost_reason, locked.lost_note = lost_reason, (lost_note or "").strip()
    _validate(locked, today)
    locked.version += 1
    locked.save()
    _record_move(locked, frm=frm, by=by, at=now)
    return locked


# Responsibility moves: the open opportunities of the old manager follow the account ---------------------------


@open_work.register
def move_open_opportunities(*, account: Account, frm: User, to: User) -> int:
    return Opportunity.objects.filter(account=account, owner=frm, status=StageOutcome.OPEN).update(
        owner=to, version=F("version") + 1, updated_at=timezone.now()
    )
