"""The sales pipeline for integrations and reports: opportunities (list, read, open, change, move through the
stages) and the weighted pipeline per owner or team.

As elsewhere in the API: reads go through `visible_to(user)` (an opportunity of an account the user may not see
answers 404, exactly like a missing id, and so does such an account's id in a payload); writes need `can_sell`
on the account (403 with the reason, before the payload's ids are looked at); the services decide the rest and
their field errors come back as 422, a stale `version` as 409 with the opportunity as it is now.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orbit.accounts.selectors import account_get
from orbit.api.accounts import WRITE_ERRORS, _page
from orbit.api.growth_pipeline_schemas import (
    OpportunityCreateIn,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatchIn,
    OpportunityQuery,
    WeightedPipelineOut,
    WeightedQuery,
)
from orbit.api.schemas import ErrorOut, Id
from orbit.common import idempotency
from orbit.growth import opportunities, pipeline
from orbit.growth.models import LostReason, Opportunity, Pipeline, Stage
from orbit.growth.permissions import require_sell
from orbit.org.models import User
from orbit.revenue.models import ProductLine
from orbit.revenue.rates import base_currency

router = Router()

READ = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LIST = {401: ErrorOut, 422: ErrorOut}


def _opportunities(user):
    return Opportunity.objects.visible_to(user).select_related(
        "account", "pipeline", "stage", "owner", "product_line", "lost_reason"
    )


def _opportunity(user, pk: int) -> Opportunity:
    found = _opportunities(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def opportunity_json(user, opportunity: Opportunity) -> dict | None:
    """The opportunity as its reader sees it now (the `current` of a 409), or None when he may not see it."""
    try:
        return OpportunityOut.from_orm(_opportunity(user, opportunity.pk)).model_dump(mode="json")
    except Http404:
        return None


def _invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


# Ids in a payload → records: reference data anyone may pick; owners among the active staff.
_REFERENCES = {
    "pipeline": lambda: Pipeline.objects.filter(is_active=True),
    "stage": lambda: Stage.objects.all(),
    "product_line": lambda: ProductLine.objects.all(),
    "owner": lambda: User.objects.filter(is_active=True),
    "lost_reason": lambda: LostReason.objects.all(),
}


def _resolve(data: dict) -> dict:
    errors = {}
    for name, queryset in _REFERENCES.items():
        if data.get(name) is None:
            continue
        record = queryset().filter(pk=data[name]).first()
        if record is None:
            errors[name] = [_invalid_choice()]
        else:
            data[name] = record
    if errors:
        raise ValidationError(errors)
    return data


def _sent(payload, *, every: bool = False) -> dict:
    """The fields sent (all of them with `every`), as Python values: `model_dump` would serialise the money
    types to strings."""
    names = type(payload).model_fields if every else payload.model_fields_set
    return {name: getattr(payload, name) for name in names}


def _text(data: dict) -> dict:
    """What a form field would do: strip text; null text is blank."""
    for name in ("title", "next_step", "description"):
        if name in data:
            data[name] = (data[name] or "").strip()
    return data


@router.get("/opportunities", response={200: OpportunityPage, **LIST}, tags=["pipeline"])
def opportunity_list(request, filters: Query[OpportunityQuery]):
    """Opportunities you may see (open ones unless `status` says otherwise), filtered, sorted and paginated."""
    chosen = pipeline.Filters(
        pipeline=filters.pipeline,
        stage=filters.stage,
        kind=filters.kind or "",
        owner=filters.owner,
        team=filters.team,
        status="" if filters.status == "all" else filters.status,
        close_month=filters.close_month.replace(day=1) if filters.close_month else None,
        account=filters.account,
        sort=filters.sort,
    )
    rows = pipeline.opportunity_list(request.auth, chosen).select_related("product_line", "lost_reason")
    return _page(rows, filters.limit, filters.offset)


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, **READ}, tags=["pipeline"])
def opportunity_detail(request, opportunity_id: Id):
    return _opportunity(request.auth, opportunity_id)


@router.post("/opportunities", response={201: OpportunityOut, **WRITE_ERRORS}, tags=["pipeline"])
def opportunity_create(request, payload: OpportunityCreateIn):
    """Open an opportunity on an account you may work. Send an `Idempotency-Key` to make a retry harmless."""
    user = request.auth
    account = account_get(user, payload.account)  # 404 for an account you may not see
    require_sell(user, account)  # 403 before the payload's ids are looked at
    data = _resolve(_text({k: v for k, v in _sent(payload).items() if k != "account"}))
    if data.get("pipeline") is None and data.get("stage") is not None:
        data["pipeline"] = data["stage"].pipeline
    data.setdefault("currency", base_currency())
    for name in ("next_step", "description"):
        data[name] = data.get(name) or ""
    opportunity, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="opportunity_create",
        model=Opportunity,
        write=lambda: opportunities.opportunity_create(by=user, account=account, **data),
    )
    return Status(201, _opportunity(user, opportunity.pk))


@router.patch(
    "/opportunities/{opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS}, tags=["pipeline"]
)
def opportunity_update(request, opportunity_id: Id, payload: OpportunityPatchIn):
    """Change the fields sent (not the stage: see `move`), if nobody changed the opportunity since `version`."""
    user = request.auth
    opportunity = _opportunity(user, opportunity_id)
    require_sell(user, opportunity.account)
    data = _sent(payload)
    version = data.pop("version")
    for name in ("title", "kind", "amount", "currency", "expected_close_on", "owner", "probability"):
        if name in data and data[name] is None:
            raise ValidationError({name: _("This field is required.")})
    changes = _resolve(_text(data))
    opportunities.opportunity_update(by=user, opportunity=opportunity, version=version, **changes)
    return _opportunity(user, opportunity_id)


@router.post(
    "/opportunities/{opportunity_id}/move",
    response={200: OpportunityOut, **WRITE_ERRORS},
    tags=["pipeline"],
)
def opportunity_move(request, opportunity_id: Id, payload: OpportunityMoveIn):
    """Move to a stage of its pipeline: forward (no required stage skipped), back, to won, to lost (with a
    reason), or reopen a lost one (with a new expected close date when the old one is past)."""
    user = request.auth
    opportunity = _opportunity(user, opportunity_id)
    require_sell(user, opportunity.account)
    data = _resolve(_sent(payload, every=True))
    opportunities.opportunity_move(
        by=user,
        opportunity=opportunity,
        stage=data["stage"],
        version=data["version"],
        lost_reason=data["lost_reason"],
        lost_note=data["lost_note"].strip(),
        expected_close_on=data["expected_close_on"],
    )
    return _opportunity(user, opportunity_id)


def _cell(cell: pipeline.Cell) -> dict:
    return {"count": cell.count, "amount": cell.amount, "weighted": cell.weighted}


def _row(row: pipeline.ForecastRow) -> dict:
    return {
        "id": row.key,
        "name": row.name,
        **{bucket: _cell(row.buckets[bucket]) for bucket in pipeline.BUCKETS},
        "total": _cell(row.total),
    }


@router.get("/pipeline/weighted", response={200: WeightedPipelineOut, **LIST}, tags=["pipeline"])
def weighted_pipeline(request, filters: Query[WeightedQuery]):
    """Open opportunities you see, per owner or per team (a team's row includes its subteams), by expected
    close month: count, amount and weighted amount (amount × probability) in the base currency."""
    chosen = pipeline.Filters(pipeline=filters.pipeline, kind=filters.kind or "")
    result = pipeline.weighted_pipeline(
        request.auth, by=filters.by, today=timezone.localdate(), filters=chosen
    )
    return {
        "by": result.by,
        "currency": base_currency(),
        "this_month": result.months["this_month"],
        "next_month": result.months["next_month"],
        "rows": [_row(row) for row in result.rows],
        "total": _row(result.total),
    }
