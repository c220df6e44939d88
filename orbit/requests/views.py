"""Request pages: thin views over the request selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.access import policy
from orbit.accounts.selectors import account_get
from orbit.common import idempotency, keyset
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.refusal import refused
from orbit.requests import selectors, services, sla
from orbit.requests.forms import (
    AssignForm,
    AttachmentForm,
    CommentForm,
    RequestEditForm,
    RequestForm,
    SlaPolicyForm,
    StatusForm,
)
from orbit.requests.models import (
    ACTIONS,
    OPEN_STATUSES,
    REOPEN,
    RUNNING_STATUSES,
    Department,
    Priority,
    Request,
    RequestComment,
    RequestStatus,
    RequestType,
    SlaPolicy,
)
from orbit.worktime.services import CalendarYearMissing


def _ints(values) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


REQUESTS_PER_PAGE = 50
OPEN = "open"  # the status filter's value for every open status at once


def filters_from(params) -> selectors.RequestFilters:
    account = params.get("account", "")
    # The list opens on the open requests (issue 17); "status=" (All) shows every status.
    statuses = params.getlist("status") if "status" in params else [OPEN]
    return selectors.RequestFilters(
        status=list(OPEN_STATUSES)
        if statuses == [OPEN]
        else [s for s in statuses if s in RequestStatus.values],
        request_type=[t for t in params.getlist("type") if t in RequestType.values],
        priority=[p for p in params.getlist("priority") if p in Priority.values],
        department=_ints(params.getlist("department")),
        account=int(account) if account.isdigit() else None,
        sla=params.get("sla", "") if params.get("sla", "") in selectors.SLA_FILTERS else "",
        mine=params.get("mine") == "1",
        sort=params.get("sort", "-received") if params.get("sort") in selectors.SORTS else "-received",
    )


@login_required
def request_list(request):
    filters = filters_from(request.GET)
    requests = selectors.request_list(request.user, filters)
    by_keyset = selectors.pages_by_keyset(filters)
    if by_keyset:
        order = selectors.list_order(filters)
        page = keyset.page_or_first(requests, order, request.GET.get("page"), per_page=REQUESTS_PER_PAGE)
    else:  # the sorts a keyset cannot walk (selectors.KEYSET_SORTS says why) page by OFFSET
        page = CappedPaginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    selectors.mark_sla_state(page.object_list)
    query, sort_query = list_queries(request.GET)
    context = {
        "page": page,
        "by_keyset": by_keyset,
        "filters": filters,
        "query": query,
        "sort_query": sort_query,
        "can_set_policy": policy.can_set_policy(request.user),
        "statuses": RequestStatus.choices,
        "status_open": filters.status == list(OPEN_STATUSES),
        "types": RequestType.choices,
        "priorities": Priority.choices,
        "departments": list(Department.objects.order_by("name_ru")),
        "sorts": selectors.SORTS,
        "can_open": services.may_open_requests(request.user),
    }
    template = "requests/_results.html" if request.htmx and not request.htmx.boosted else "requests/list.html"
    return render(request, template, context)


@login_required
def request_create(request):
    if not services.may_open_requests(request.user):
        raise PermissionDenied
    account = None
    if request.GET.get("account", "").isdigit():
        account = account_get(request.user, int(request.GET["account"]))
    form = RequestForm(request.POST or None, user=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, _created = idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope="request_create",
                model=Request,
                write=lambda: services.request_create(
                    by=request.user,
                    account=data["account"],
                    contact=data["contact"],
                    request_type=data["request_type"],
                    priority=data["priority"],
                    department=data["department"],
                    subject=data["subject"],
                    description=data["description"],
                    assignee=data["assignee"],
                    received_at=data["received_at"],
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Request №%(number)s registered.") % {"number": created.pk})
            return redirect("requests:detail", pk=created.pk)
    return render(request, "requests/form.html", {"form": form, "account": account})


def _detail(request, item, status=200, **forms):
    try:
        hours_left = (
            sla.business_hours_left(item) if item.is_open and item.status in RUNNING_STATUSES else None
        )
    except CalendarYearMissing:
        hours_left = None
    selectors.mark_sla_state([item])
    may_work = services.may_work(request.user, item)
    context = {
        "item": item,
        "hours_left": hours_left,
        "may_work": may_work,
        "comments": list(item.comments.all()),
        "timeline": selectors.request_timeline(item),
        "attachments": list(item.attachments.all()),
        "transitions": [
            (
                s,
                REOPEN
                if item.status == RequestStatus.RESOLVED and s == RequestStatus.IN_PROGRESS
                else ACTIONS[s],
            )
            for s in item.allowed_transitions
        ],
        "comment_form": CommentForm(),
        "status_form": StatusForm(initial={"version": item.version}),
        "assign_form": AssignForm(initial={"assignee": item.assignee_id, "version": item.version}),
        "attachment_form": AttachmentForm(),
        "escalation": item.get_escalation_level_display(),
        "running_clock": sla.current_clock(item) if hours_left is not None else None,
        **forms,
    }
    return render(request, "requests/detail.html", context, status=status)


@login_required
def request_detail(request, pk: int):
    return _detail(request, selectors.request_get(request.user, pk))


def _get_for_work(request, pk: int):
    item = selectors.request_get(request.user, pk)
    if not services.may_work(request.user, item):
        raise PermissionDenied
    return item


@login_required
@require_POST
def request_comment(request, pk: int):
    item = _get_for_work(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment, _created = idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope="request_comment",
                model=RequestComment,
                write=lambda: services.request_comment(
                    by=request.user,
                    request=item,
                    text=form.cleaned_data["text"],
                    minutes_spent=form.cleaned_data["minutes_spent"],
                ),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Comment added."))
            return redirect(f"{item.get_absolute_url()}#comment-{comment.pk}")
    return _detail(request, selectors.request_get(request.user, pk), status=400, comment_form=form)


@login_required
@require_POST
def request_status(request, pk: int):
    item = _get_for_work(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.request_change_status(
                by=request.user,
                request=item,
                status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except ConflictError as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            apply_service_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Status changed."))
            return redirect("requests:detail", pk=pk)
    else:
        status = 400
    return _detail(request, selectors.request_get(request.user, pk), status=status, status_form=form)


@login_required
def request_edit(request, pk: int):
    item = _get_for_work(request, pk)
    form = RequestEditForm(request.POST or None, instance=item)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_update(
                by=request.user,
                request=item,
                version=data["version"],
                **{name: data[name] for name in services.EDITABLE},
            )
        except ConflictError as exc:
            form.add_error(None, exc)
            conflict = True
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Request saved."))
            return redirect("requests:detail", pk=pk)
    return render(
        request, "requests/edit.html", {"form": form, "item": item}, status=409 if conflict else 200
    )


@login_required
@require_POST
def request_assign(request, pk: int):
    item = _get_for_work(request, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.request_assign(
                by=request.user,
                request=item,
                assignee=form.cleaned_data["assignee"],
                version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Executor saved."))
            return redirect("requests:detail", pk=pk)
    return _detail(request, selectors.request_get(request.user, pk), status=400, assign_form=form)


@login_required
@require_POST
def attachment_add(request, pk: int):
    item = _get_for_work(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(by=request.user, request=item, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("File attached."))
            return redirect("requests:detail", pk=pk)
    # The server's disk full is no fault of the request: 507 Insufficient Storage, with the same form and reason.
    status = 507 if form.has_error("file", code="disk_full") else 400
    return _detail(request, selectors.request_get(request.user, pk), status=status, attachment_form=form)


@login_required
def attachment_download(request, pk: int, file_pk: int):
    attachment = selectors.attachment_get(request.user, pk, file_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def account_panel(request, account_pk: int):
    """The requests section of an account's card (loaded by htmx)."""
    account = account_get(request.user, account_pk)
    items = list(
        selectors.request_list(request.user, selectors.RequestFilters(account=account.pk)).filter(
            status__in=OPEN_STATUSES
        )[:10]
    )
    selectors.mark_sla_state(items)
    return render(
        request,
        "requests/_account_panel.html",
        {
            "account": account,
            "items": items,
            "counts": selectors.account_request_counts(request.user, account.pk),
            "can_open": policy.can_work_account(request.user, account) and account.archived_at is None,
        },
    )


def _require_policy_setter(user):
    if not policy.can_set_policy(user):
        raise PermissionDenied


@login_required
def policy_list(request):
    _require_policy_setter(request.user)
    form = SlaPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sla_policy_save(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("SLA rule saved."))
            return redirect("requests:policies")
    policies = list(
        SlaPolicy.objects.select_related("calendar").order_by("-active", "request_type", "priority")
    )
    return render(request, "requests/policies.html", {"form": form, "policies": policies})


@login_required
def policy_edit(request, pk: int):
    _require_policy_setter(request.user)
    instance = get_object_or_404(SlaPolicy, pk=pk)
    form = SlaPolicyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.sla_policy_save(by=request.user, policy=instance, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("SLA rule saved."))
            return redirect("requests:policies")
    return render(request, "requests/policy_form.html", {"form": form, "policy": instance})


# Columns of the requests board: the open statuses and the resolved ones (waiting for the client's close).
BOARD_STATUSES = (*OPEN_STATUSES, RequestStatus.RESOLVED)


@login_required
def request_board(request):
    """The requests by status, a column each, for those who handle them: cards with their SLA state."""
    return render(request, "requests/board.html", _board_context(request, request.GET))


# The board's filters a move carries along, so the board it answers with is the one the person was looking at.
BOARD_FILTERS = ("department", "mine")


def _board_context(request, params, **extra) -> dict:
    params = params.copy()
    params.setlist("status", list(BOARD_STATUSES))
    filters = filters_from(params)
    columns = selectors.board_columns(request.user, filters, BOARD_STATUSES)
    movable = {
        card.pk for column in columns for card in column.cards if services.may_work(request.user, card)
    }
    return {
        "columns": columns,
        "filters": filters,
        "movable": movable,
        "board_statuses": [(s, RequestStatus(s).label) for s in BOARD_STATUSES],
        "departments": list(Department.objects.order_by("name_ru")),
        "can_open": services.may_open_requests(request.user),
        "focus": None,
        "refusal": "",
        "done": "",
    } | extra


@login_required
@require_POST
def request_board_move(request, pk: int):
    """A card dragged (or moved from its menu) to another column: the status service with the card's version.

    htmx gets the board back: the card in its new column with the counts updated, or where it was with the
    reason on it (400 a move the status flow does not allow, 403 not his to change, 409 changed meanwhile).
    A plain form gets a redirect to the board, or the refusal page."""
    item = selectors.request_get(request.user, pk)
    form = StatusForm(request.POST)
    status, error, done = 400, None, ""
    if form.is_valid():
        try:
            services.request_change_status(
                by=request.user,
                request=item,
                status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except ConflictError as exc:
            status, error = 409, exc
        except PermissionDenied as exc:
            status, error = 403, ValidationError(str(exc) or _("You may not change this request."))
        except ValidationError as exc:
            error = exc
        else:
            status = 200
            done = _("№%(id)s «%(subject)s» is now %(status)s.") % {
                "id": item.pk,
                "subject": item.subject,
                "status": RequestStatus(form.cleaned_data["status"]).label,
            }
    else:
        error = ValidationError([e for errors in form.errors.values() for e in errors])
    back = reverse("requests:board")
    query = urlencode([(k, v) for k in BOARD_FILTERS for v in request.POST.getlist(k) if v])
    if query:
        back = f"{back}?{query}"
    if not request.htmx:
        if error is None:
            messages.success(request, done)
            return redirect(back)
        if status == 403:
            raise PermissionDenied(error.messages[0])
        return refused(request, error, back_url=back)
    refusal = " ".join(error.messages) if error is not None else ""
    context = _board_context(request, request.POST, focus=pk, done=done, refusal=refusal)
    return render(request, "requests/_board.html", context, status=status)
