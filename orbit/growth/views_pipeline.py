"""The sales pipeline's pages: the opportunity list, one opportunity (with its moves), the create and edit
forms, the kanban board and the weighted pipeline per manager or team. Thin views over `growth.pipeline`
(reads) and `growth.opportunities` (writes).

Reads go through `visible_to` (404 for what the reader may not see); writes need `can_sell` (403 otherwise);
a refused write answers 400 with its reasons (409 when someone else changed the opportunity first), never a
redirect that looks like success. The create form carries an idempotency key: a double click writes once.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.access import policy
from orbit.accounts import card_tabs
from orbit.accounts.selectors import account_get, manager_choices
from orbit.common import idempotency
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error, arm_conflict
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.refusal import refused
from orbit.growth import opportunities, pipeline
from orbit.growth.forms_pipeline import ListFilterForm, MoveForm, OpportunityForm
from orbit.growth.models import Opportunity, OpportunityKind, Pipeline, StageOutcome
from orbit.growth.permissions import can_sell
from orbit.org.models import Team
from orbit.revenue.models import ProductLine
from orbit.revenue.rates import base_currency

BOARD_FILTERS = ("pipeline", "owner", "team", "kind")


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def list_filters(params, *, default_status: str = StageOutcome.OPEN) -> pipeline.Filters:
    """The filters of the address; a value that is not valid is ignored (a list, not a form to correct)."""
    form = ListFilterForm(params)
    form.is_valid()
    data = form.cleaned_data
    status = data.get("status") or default_status
    return pipeline.Filters(
        pipeline=data["pipeline"].pk if data.get("pipeline") else None,
        stage=data["stage"].pk if data.get("stage") else None,
        kind=data.get("kind") or "",
        owner=data.get("owner"),
        team=data.get("team"),
        status="" if status == "all" else status,
        close_month=data.get("close_month"),
        account=data.get("account"),
        sort=data.get("sort") or pipeline.DEFAULT_SORT,
    )


def _choices() -> dict:
    return {
        "owners": manager_choices().values_list("id", "display_name"),
        "teams": Team.objects.order_by("name").values_list("id", "name"),
        "pipelines": Pipeline.objects.filter(is_active=True).order_by("position", "id"),
        "kinds": OpportunityKind.choices,
        "statuses": [*StageOutcome.choices, ("all", _("All"))],
    }


def _require_sell(request, account) -> None:
    if not can_sell(request.user, account):
        raise PermissionDenied(_("You may not change the opportunities and projects of this account."))


# --- The list ----------------------------------------------------------------------------------------------


@login_required
def opportunity_list(request):
    filters = list_filters(request.GET)
    rows = pipeline.opportunity_list(request.user, filters)
    totals = pipeline.totals(request.user, filters)  # counts the rows too: the paginator needs no COUNT
    page = CappedPaginator(rows, settings.ORBIT_PAGE_SIZE, matched=totals.count).get_page(
        request.GET.get("page")
    )
    query, sort_query = list_queries(request.GET)
    stages = pipeline.pipeline_stages(filters.pipeline) if filters.pipeline else []
    context = {
        "page": page,
        "totals": totals,
        "filters": filters,
        "query": query,
        "sort_query": sort_query,
        "stages": stages,
        "base_currency": base_currency(),
        "today": timezone.localdate(),
    }
    if _partial(request):
        return TemplateResponse(request, "growth/pipeline/_list.html", context)
    context.update(_choices())
    return TemplateResponse(request, "growth/pipeline/list.html", context)


# --- One opportunity -----------------------------------------------------------------------------------------


def _opportunity_page(request, opportunity: Opportunity, *, status: int = 200, **forms):
    may_sell = can_sell(request.user, opportunity.account) and not opportunity.account.is_archived
    stages = pipeline.pipeline_stages(opportunity.pipeline_id)
    version = {"version": opportunity.version}
    context = {
        "opportunity": opportunity,
        "account": opportunity.account,
        "history": pipeline.stage_history(request.user, opportunity),
        "stages": stages,
        "open_stages": [s for s in stages if s.outcome == StageOutcome.OPEN],
        "won_stage": next((s for s in stages if s.outcome == StageOutcome.WON), None),
        "lost_stage": next((s for s in stages if s.outcome == StageOutcome.LOST), None),
        "may_sell": may_sell,
        "move_form": forms.get("move_form") or MoveForm(initial=version),
        "lose_form": forms.get("lose_form") or MoveForm(initial=version),
        "reopen_form": forms.get("reopen_form") or MoveForm(initial=version),
        "base_currency": base_currency(),
        "today": timezone.localdate(),
    }
    return render(request, "growth/pipeline/detail.html", context, status=status)


@login_required
def opportunity_detail(request, pk: int):
    return _opportunity_page(request, pipeline.opportunity_get(request.user, pk))


@login_required
def opportunity_create(request):
    """A new opportunity on an account (`?account=ID`; the whitespace page adds `product_line` and `kind`)."""
    params = request.POST if request.method == "POST" else request.GET
    account_id = params.get("account", "")
    if not account_id.isdigit():
        return refused(
            request,
            [_("Open the form from an account: its card or the whitespace page says which account.")],
            back_url=reverse("accounts:list"),
        )
    account = account_get(request.user, int(account_id))
    _require_sell(request, account)
    card = card_tabs.url(account.pk, card_tabs.GROWTH)
    if account.is_archived:
        return refused(
            request,
            [_("The account is archived: restore it before working its opportunities.")],
            back_url=card,
        )
    initial = {"kind": OpportunityKind.UPSELL, "currency": base_currency()}
    kind = request.GET.get("kind", "")
    if kind in OpportunityKind.values:
        initial["kind"] = kind
    line = request.GET.get("product_line", "")
    if line.isdigit() and ProductLine.objects.filter(pk=int(line)).exists():
        initial["product_line"] = int(line)
    form = OpportunityForm(request.POST or None, creating=True, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.service_fields()
            data["pipeline"] = form.cleaned_data["pipeline"]
            data["stage"] = form.cleaned_data["stage"]
            if data["pipeline"] is None and data["stage"] is not None:
                data["pipeline"] = data["stage"].pipeline
            try:
                opportunity, _created = idempotency.once(
                    user=request.user,
                    key=idempotency.key_of(request),
                    scope="opportunity_create",
                    model=Opportunity,
                    write=lambda: opportunities.opportunity_create(by=request.user, account=account, **data),
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Opportunity «%(title)s» saved.") % {"title": opportunity.title})
                return redirect("growth:opportunity", pk=opportunity.pk)
    return render(
        request,
        "growth/pipeline/form.html",
        {"form": form, "account": account, "title": _("New opportunity")},
        status=status,
    )


@login_required
def opportunity_edit(request, pk: int):
    opportunity = pipeline.opportunity_get(request.user, pk)
    _require_sell(request, opportunity.account)
    here = reverse("growth:opportunity", args=[pk])
    if opportunity.account.is_archived or opportunity.status == StageOutcome.WON:
        reason = (
            _("The account is archived: restore it before working its opportunities.")
            if opportunity.account.is_archived
            else _("The opportunity is won: it cannot be changed any more.")
        )
        return refused(request, [reason], back_url=here)
    form = OpportunityForm(request.POST or None, instance=opportunity)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changes = form.service_fields()
            if form.fields["probability"].disabled:
                changes.pop("probability")
            elif changes["probability"] is None:
                changes["probability"] = opportunity.stage.probability
            if changes["owner"] is None:
                changes.pop("owner")
            try:
                opportunities.opportunity_update(
                    by=request.user, opportunity=opportunity, version=form.cleaned_data["version"], **changes
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(here)
    return render(
        request,
        "growth/pipeline/form.html",
        {
            "form": form,
            "account": opportunity.account,
            "opportunity": opportunity,
            "title": opportunity.title,
        },
        status=status,
    )


def _board_query(params) -> str:
    return urlencode([(k, params[k]) for k in BOARD_FILTERS if params.get(k)])


@login_required
@require_POST
def opportunity_move(request, pk: int):
    """Move to a stage, win, lose (with the reason) or reopen. From the board (`from=board`): htmx gets the
    board back (the card in its new column, or where it was with the refusal in the board's alert region, 4xx),
    a plain form a redirect to the board or the refusal page; from the opportunity's page: the page."""
    opportunity = pipeline.opportunity_get(request.user, pk)
    _require_sell(request, opportunity.account)
    form = MoveForm(request.POST)
    status, moved = 400, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = opportunities.opportunity_move(
                by=request.user,
                opportunity=opportunity,
                stage=data["stage"],
                version=data["version"],
                lost_reason=data["lost_reason"],
                lost_note=data["lost_note"],
                expected_close_on=data["expected_close_on"],
            )
        except ConflictError as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            apply_service_error(form, exc)
    reasons = [str(e) for errors in form.errors.values() for e in errors]
    if request.POST.get("from") == "board":
        board_url = reverse("growth:board") + "?" + _board_query(request.POST)
        if _partial(request):
            return _board_response(
                request,
                request.POST,
                status=200 if moved else status,
                alert=reasons,
                done=_moved_message(moved) if moved else "",
                focus=pk,
            )
        if moved:
            messages.success(request, _moved_message(moved))
            return redirect(board_url)
        return refused(request, reasons, back_url=board_url)
    if moved:
        messages.success(request, _moved_message(moved))
        return redirect("growth:opportunity", pk=pk)
    opportunity.refresh_from_db()
    action = request.POST.get("action", "move")
    name = {"lose": "lose_form", "reopen": "reopen_form"}.get(action, "move_form")
    return _opportunity_page(
        request, pipeline.opportunity_get(request.user, pk), status=status, **{name: form}
    )


def _moved_message(opportunity: Opportunity) -> str:
    if opportunity.status == StageOutcome.WON:
        return _("«%(title)s» is won.") % {"title": opportunity.title}
    if opportunity.status == StageOutcome.LOST:
        return _("«%(title)s» is lost.") % {"title": opportunity.title}
    return _("«%(title)s» is now at «%(stage)s».") % {"title": opportunity.title, "stage": opportunity.stage}


# --- The board ---------------------------------------------------------------------------------------------


def _board_context(request, params) -> dict:
    filters = list_filters(params)
    board = pipeline.board(request.user, filters)
    filters.pipeline = board.pipeline.pk if board.pipeline else None
    query = QueryDict(mutable=True)
    for key in BOARD_FILTERS:
        value = getattr(filters, key)
        if value:
            query[key] = value
    # Whose cards may move: the accounts the person may work (the access context is read once per request).
    movable = {
        card.pk
        for column in board.columns
        for card in column.cards
        if can_sell(request.user, card.account) and not card.account.is_archived
    }
    return {
        "board": board,
        "movable": movable,
        "filters": filters,
        "board_query": query.urlencode(),
        "lost_reasons": pipeline.lost_reasons(),
        # The empty board tells a writer where opportunities come from; an auditor is told what would appear.
        "can_open": policy.can_create_account(request.user),
        "list_url": reverse("growth:opportunities"),
        "base_currency": base_currency(),
        "today": timezone.localdate(),
    }


def _board_response(request, params, *, status=200, alert=(), done="", focus=None):
    context = _board_context(request, params) | {"alert": alert, "done": done, "focus": focus}
    return render(request, "growth/pipeline/_board.html", context, status=status)


@login_required
def board(request):
    if _partial(request):
        return _board_response(request, request.GET)
    context = _board_context(request, request.GET) | _choices()
    return render(request, "growth/pipeline/board.html", context)


# --- The weighted pipeline ---------------------------------------------------------------------------------


@login_required
def forecast(request):
    by = request.GET.get("by", "owner")
    filters = list_filters(request.GET)
    result = pipeline.weighted_pipeline(request.user, by=by, today=timezone.localdate(), filters=filters)
    context = {
        "forecast": result,
        "filters": filters,
        "buckets": [(key, pipeline.BUCKET_LABELS[key]) for key in pipeline.BUCKETS],
        "base_currency": base_currency(),
        "can_open": policy.can_create_account(request.user),
        **_choices(),
    }
    return render(request, "growth/pipeline/forecast.html", context)


# --- The account card's panel ------------------------------------------------------------------------------


def card_context(user, account) -> dict:
    """What `_card_opportunities.html` shows of an account the user has read (its card's growth panel too)."""
    return {
        "opportunities": pipeline.account_opportunities(user, account),
        "account": account,
        "may_sell": can_sell(user, account) and not account.is_archived,
        "base_currency": base_currency(),
    }
