from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.access.policy import can_create_account, can_set_policy, can_work_account
from orbit.accounts.selectors import account_get
from orbit.activities import ical, selectors, services
from orbit.activities.forms import CadencePolicyForm, TaskForm, TouchCompleteForm, TouchLogForm, TouchPlanForm
from orbit.activities.models import CadencePolicy, CalendarFeed, Task, Touch
from orbit.common import idempotency
from orbit.common.forms import apply_service_error
from orbit.requests.selectors import open_requests_near_breach, request_get


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


@login_required
def agenda(request):
    person_id = request.GET.get("person", "")
    person = selectors.agenda_person(request.user, int(person_id) if person_id.isdigit() else None)
    day = selectors.agenda(person, viewer=request.user)
    requests = open_requests_near_breach(person, viewer=request.user)
    people = selectors.agenda_people(request.user)
    return render(
        request,
        "activities/agenda.html",
        {
            "day": day,
            "requests": requests,
            "people": people if len(people) > 1 else [],
            "team": selectors.team_agenda(request.user) if person == request.user and len(people) > 1 else [],
            "own": person == request.user,
            "complete_form": TouchCompleteForm(),
            "feed": CalendarFeed.objects.filter(user=request.user).first(),
            # An auditor reads the day; he is not told to plan or log touches (empty states fit the role).
            "works": can_create_account(request.user),
        },
    )


@login_required
def account_panel(request, pk: int):
    """The card's touches and tasks, loaded after the card so the card itself stays a fixed set of queries."""
    account = account_get(request.user, pk)
    planned, done = selectors.account_touches(account)
    workable = can_work_account(request.user, account)
    return render(
        request,
        "activities/_account_panel.html",
        {
            "account": account,
            "planned": planned,
            "done": done,
            "tasks": selectors.account_open_tasks(account),
            "can_work": workable,
            "form": TouchLogForm(account=account) if workable else None,
        },
    )


def _workable_account(request, pk: int):
    account = account_get(request.user, pk)
    if not can_work_account(request.user, account):
        raise PermissionDenied
    return account


def _account_touch_form(request, pk: int, form_class, service, done_message: str, template: str):
    """Log or plan a touch on an account: the form, field errors from the service, back to where it came from."""
    account = _workable_account(request, pk)
    form = form_class(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            touch, _created = idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope=service.__name__,
                model=Touch,
                write=lambda: service(by=request.user, account=account, **form.cleaned_data),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, done_message)
            plan = services.next_plan_of(touch)
            if plan is not None and plan.message:
                level = messages.WARNING if plan.existing is not None else messages.INFO
                messages.add_message(request, level, plan.message)
            return _back(request, reverse("accounts:detail", args=[account.pk]))
    status = 400 if form.errors else 200
    return render(request, template, {"account": account, "form": form}, status=status)


@login_required
def touch_log(request, pk: int):
    return _account_touch_form(
        request, pk, TouchLogForm, services.touch_log, _("Touch logged."), "activities/touch_log.html"
    )


@login_required
def touch_plan(request, pk: int):
    return _account_touch_form(
        request, pk, TouchPlanForm, services.touch_plan, _("Touch planned."), "activities/touch_plan.html"
    )


def _visible_touch(request, pk: int) -> Touch:
    return get_object_or_404(selectors.visible_touches(request.user).select_related("account"), pk=pk)


@login_required
@require_POST
def touch_complete(request, pk: int):
    touch = _visible_touch(request, pk)
    form = TouchCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            services.touch_complete(by=request.user, touch=touch, **form.cleaned_data)
            messages.success(request, _("Touch logged."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _back(request, reverse("activities:agenda"))


@login_required
@require_POST
def touch_cancel(request, pk: int):
    touch = _visible_touch(request, pk)
    try:
        services.touch_cancel(by=request.user, touch=touch)
        messages.success(request, _("Touch cancelled."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, reverse("activities:agenda"))


def _id_param(request, name: str) -> int | None:
    value = request.GET.get(name) or request.POST.get(name)
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return int(value)


@login_required
def task_create(request):
    """A task on its own, on an account, or on a client's request (then on the request's account)."""
    account = client_request = None
    if (request_id := _id_param(request, "request")) is not None:
        client_request = request_get(request.user, request_id)
        account = _workable_account(request, client_request.account_id)
    elif (account_id := _id_param(request, "account")) is not None:
        account = _workable_account(request, account_id)
    people = selectors.task_assignees(request.user, account)
    form = TaskForm(
        request.POST or None,
        people=people,
        account=account,
        initial={"assignee": request.user, "due_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope="task_create",
                model=Task,
                write=lambda: services.task_create(
                    by=request.user, account=account, request=client_request, **form.cleaned_data
                ),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Task created."))
            if client_request is not None:
                return redirect("requests:detail", client_request.pk)
            return _back(
                request,
                reverse("accounts:detail", args=[account.pk]) if account else reverse("activities:agenda"),
            )
    return render(
        request,
        "activities/task_form.html",
        {"account": account, "client_request": client_request, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def task_complete(request, pk: int):
    task = get_object_or_404(selectors.visible_tasks(request.user).select_related("account"), pk=pk)
    if request.htmx:  # the task list's one-click "Done": the row as it now is, or the reason and a 4xx
        return _task_row_after_complete(request, task)
    try:
        services.task_complete(by=request.user, task=task)
        messages.success(request, _("Task done."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, reverse("activities:agenda"))


def _task_row_after_complete(request, task: Task):
    reasons: list[str] = []
    status = 200
    try:
        task = services.task_complete(by=request.user, task=task)
    except PermissionDenied:
        reasons, status = [_("You may not close this task.")], 403
    except ValidationError as exc:
        reasons, status = exc.messages, 400
    return render(
        request,
        "activities/_task_row.html",
        {"task": task, "reasons": reasons, "today": timezone.localdate(), "just_done": status == 200},
        status=status,
    )


@login_required
def cadence(request):
    """The cadence rules (the head edits them) and how well each manager keeps to them."""
    editable = can_set_policy(request.user)
    form = CadencePolicyForm(request.POST or None) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.cadence_policy_save(by=request.user, policy=form.save(commit=False))
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Cadence rule saved."))
                return redirect("activities:cadence")
    rules = CadencePolicy.objects.select_related("segment").order_by(
        "-is_active", "tier", "segment__name_ru", "status"
    )
    return render(
        request,
        "activities/cadence.html",
        {"rules": rules, "form": form, "compliance": selectors.cadence_compliance(request.user)},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def cadence_toggle(request, pk: int):
    if not can_set_policy(request.user):
        raise PermissionDenied
    rule = get_object_or_404(CadencePolicy, pk=pk)
    rule.is_active = not rule.is_active
    try:
        services.cadence_policy_save(by=request.user, policy=rule)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("activities:cadence")


@login_required
@require_POST
def feed_create(request):
    """A new secret address for the user's iCal feed; the old one stops working at once."""
    raw = services.feed_issue(by=request.user)
    url = request.build_absolute_uri(reverse("activities:ical", args=[raw]))
    messages.success(request, _("Your calendar address (shown once, keep it secret): %(url)s") % {"url": url})
    return redirect("activities:agenda")


@login_required
@require_POST
def feed_revoke(request):
    services.feed_revoke(by=request.user)
    messages.success(request, _("The calendar address no longer works."))
    return redirect("activities:agenda")


def ical_feed(request, token: str):
    user = services.feed_user(token)
    if user is None:
        raise Http404
    return HttpResponse(ical.feed(user, request), content_type="text/calendar; charset=utf-8")
