"""Handoff pages: thin views over the handoff selectors and services."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.access import policy
from orbit.accounts.selectors import account_get
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error
from orbit.common.pagination import CappedPaginator
from orbit.handoffs import bulk, covers, selectors, services
from orbit.handoffs.forms import (
    BriefForm,
    BulkForm,
    CheckupForm,
    CommentForm,
    CoverForm,
    HandoffStartForm,
    MeetingForm,
)
from orbit.handoffs.models import BulkMove, BulkMoveStatus, StepKind


@login_required
def handoff_list(request):
    view = request.GET.get("view", "mine")
    view = view if view in selectors.VIEWS else "mine"
    page = CappedPaginator(selectors.handoff_list(request.user, view), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "handoffs/list.html",
        {
            "handoffs": page.object_list,
            "page": page,
            "query": f"view={view}",
            "view": view,
            "steps": selectors.my_open_steps(request.user),
            "can_bulk": _can_bulk(request.user),
            "can_start": policy.can_create_account(request.user),
        },
    )


@login_required
def handoff_start(request, account_pk: int):
    account = account_get(request.user, account_pk)
    if not services.can_start(request.user, account):
        raise PermissionDenied
    form = HandoffStartForm(
        request.POST or None, account=account, giver=services.giver_of(account) or request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handoff = services.handoff_start(
                by=request.user,
                account=account,
                to_user=data["to_user"],
                kind=data["kind"],
                reason=data["reason"],
                **{name: data[name] for name in services.BRIEF_FIELDS},
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Handoff started. Finish the brief, then hand it to the receiver."))
            return redirect("handoffs:detail", pk=handoff.pk)
    status = 400 if form.errors else 200
    return render(request, "handoffs/start.html", {"form": form, "account": account}, status=status)


def _detail(request, handoff, status: int = 200, **forms):
    """The handoff page; a refused step comes back here (400) with its block open and its errors shown."""
    steps = list(handoff.steps.all())
    context = {
        "handoff": handoff,
        "steps": steps,
        "brief_form": BriefForm(instance=handoff),
        "meeting_form": MeetingForm(),
        "comment_form": CommentForm(),
        "cancel_form": CommentForm(auto_id="cancel_%s"),
        "checkup_form": CheckupForm(),
        "is_giver": request.user.pk == handoff.from_user_id,
        "is_receiver": request.user.pk == handoff.to_user_id,
        "may_steer": services.may_steer(request.user, handoff),
        "step_kinds": StepKind,
        "waiting_for": services.steps_before_acceptance(handoff),
        **forms,
    }
    return render(request, "handoffs/detail.html", context, status=status)


@login_required
def handoff_detail(request, pk: int):
    return _detail(request, selectors.handoff_get(request.user, pk))


@login_required
@require_POST
def handoff_brief(request, pk: int):
    handoff = selectors.handoff_get(request.user, pk)
    form = BriefForm(request.POST, instance=handoff)
    if form.is_valid():
        try:
            services.handoff_update_brief(
                by=request.user,
                handoff=handoff,
                version=form.cleaned_data["version"],
                **{n: form.cleaned_data[n] for n in services.BRIEF_FIELDS},
            )
        except (ConflictError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Brief saved."))
            return redirect("handoffs:detail", pk=pk)
    return _detail(request, handoff, status=400, brief_form=form)


@login_required
@require_POST
def handoff_step(request, pk: int, kind: str):
    handoff = selectors.handoff_get(request.user, pk)
    if not services.can_do_step(request.user, handoff, kind):
        raise PermissionDenied
    meeting = {}
    form = MeetingForm(request.POST) if kind == StepKind.MEETING else None
    if form is not None:
        if not form.is_valid():
            return _detail(request, handoff, status=400, meeting_form=form)
        meeting = form.cleaned_data
    try:
        services.step_complete(
            by=request.user, handoff=handoff, kind=kind, note=request.POST.get("note", ""), **meeting
        )
    except ValidationError as exc:
        return _step_refused(request, handoff, kind, exc, form)
    messages.success(request, _("Step done."))
    return redirect("handoffs:detail", pk=pk)


def _step_refused(request, handoff, kind: str, exc: ValidationError, meeting_form):
    """A refused step answers 400 on the page itself: a brief that lacks fields names them once, at the top of
    the brief, and marks each; the meeting's errors stay in its open block."""
    if kind == StepKind.BRIEF and hasattr(exc, "error_dict"):
        current = {name: getattr(handoff, name) for name in services.BRIEF_FIELDS}
        form = BriefForm({**current, "version": handoff.version}, instance=handoff)
        form.is_valid()  # the stored brief, bound so that the refusal can mark its fields
        labels = [str(form.fields[name].label) for name in exc.error_dict if name in form.fields]
        form.add_error(
            None, _("Fill in the brief before marking it done: %(fields)s.") % {"fields": ", ".join(labels)}
        )
        for name, errors in exc.error_dict.items():
            if name in form.fields:
                form.add_error(name, errors)
        return _detail(request, handoff, status=400, brief_form=form)
    if meeting_form is not None:
        apply_service_error(meeting_form, exc)
        return _detail(request, handoff, status=400, meeting_form=meeting_form)
    return _detail(request, handoff, status=400, step_error=(kind, " ".join(exc.messages)))


def _decision(request, pk: int, action, done_message: str, form_name: str = "comment_form"):
    """Accept, reject or cancel; a refusal (steps still open, no reason given) answers 400 on the page, with
    the reason on the form and its block open."""
    handoff = selectors.handoff_get(request.user, pk)
    form = CommentForm(request.POST, auto_id="cancel_%s" if form_name == "cancel_form" else "id_%s")
    form.is_valid()
    try:
        action(by=request.user, handoff=handoff, comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        apply_service_error(form, exc)
        return _detail(request, handoff, status=400, **{form_name: form})
    messages.success(request, done_message)
    return redirect("handoffs:detail", pk=pk)


@login_required
@require_POST
def handoff_accept(request, pk: int):
    return _decision(
        request, pk, services.handoff_accept, _("Accepted: you are now responsible for this account.")
    )


@login_required
@require_POST
def handoff_reject(request, pk: int):
    return _decision(
        request, pk, services.handoff_reject, _("Handoff rejected; the account stays where it was.")
    )


@login_required
@require_POST
def handoff_cancel(request, pk: int):
    return _decision(request, pk, services.handoff_cancel, _("Handoff cancelled."), form_name="cancel_form")


@login_required
@require_POST
def handoff_checkup(request, pk: int):
    handoff = selectors.handoff_get(request.user, pk)
    if not services.can_record_checkup(request.user, handoff):
        raise PermissionDenied
    form = CheckupForm(request.POST)
    if not form.is_valid():
        return _detail(request, handoff, status=400, checkup_form=form)
    try:
        services.checkup_record(
            by=request.user,
            handoff=handoff,
            satisfied=form.cleaned_data["satisfied"],
            issues=form.cleaned_data["issues"],
        )
    except ValidationError as exc:
        apply_service_error(form, exc)
        return _detail(request, handoff, status=400, checkup_form=form)
    messages.success(request, _("Check-up recorded. The handoff is complete."))
    return redirect("handoffs:detail", pk=pk)


@login_required
def bulk_reassign(request):
    """Move a whole portfolio: propose a distribution, let the lead adjust it per holding, execute at once."""
    if not _can_bulk(request.user):
        raise PermissionDenied
    form = BulkForm(request.POST or request.GET or None)
    lines, groups = [], []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        receivers = list(data["receivers"])
        try:
            lines = bulk.propose(by=request.user, manager=data["manager"], receivers=receivers)
        except ValidationError as exc:
            apply_service_error(form, exc)
        if request.method == "POST" and lines and "execute" in request.POST:
            by_id = {r.pk: r for r in receivers}
            chosen = {}
            for line in lines:
                picked = request.POST.get(f"group-{line.group}", "")
                chosen[line.account.pk] = by_id.get(int(picked)) if picked.isdigit() else None
            if None in chosen.values():
                form.add_error(None, _("Choose a receiver for every holding and account."))
            else:
                try:
                    move = bulk.start(
                        by=request.user,
                        manager=data["manager"],
                        plan=chosen,
                        reason=data["reason"],
                        comment=data["comment"],
                    )
                except (ValidationError, PermissionDenied) as exc:
                    apply_service_error(form, exc)
                else:
                    return redirect("handoffs:bulk_move", move.pk)
        groups = _group_lines(lines)
    return render(request, "handoffs/bulk.html", {"form": form, "groups": groups, "total": len(lines)})


@login_required
def bulk_move(request, pk: int):
    """A portfolio move's progress; polled by htmx until it is finished. Its author's (and the head's) only."""
    move = get_object_or_404(BulkMove.objects.select_related("manager", "created_by"), pk=pk)
    if move.created_by_id != request.user.pk and not policy.may_reassign_anything(request.user):
        raise Http404
    move = bulk.fail_if_stale(move)  # a worker that died mid-move: say so and stop polling
    context = {"move": move, "moved": bulk.moved_so_far(move)}
    if move.status == BulkMoveStatus.QUEUED:
        context["worker_late"] = timezone.now() - move.created_at > dt.timedelta(seconds=15)
    template = "handoffs/_bulk_progress.html" if request.htmx else "handoffs/bulk_move.html"
    return render(request, template, context)


def _can_bulk(user) -> bool:
    return bool(policy.led_team_ids(user)) or policy.may_reassign_anything(user)


def _group_lines(lines):
    groups: dict[int, dict] = {}
    for line in lines:
        group = groups.setdefault(line.group, {"id": line.group, "receiver": line.receiver, "accounts": []})
        group["accounts"].append(line.account)
    return list(groups.values())


@login_required
def cover_list(request):
    form = CoverForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            covers.cover_create(
                by=request.user,
                **{
                    k: data[k]
                    for k in ("owner", "deputy", "starts_on", "ends_on", "reason", "whole_portfolio", "note")
                },
            )
        except (ValidationError, PermissionDenied) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Cover arranged. The deputy works the accounts on those dates; "
                    "responsibility stays with the owner."
                ),
            )
            return redirect("handoffs:covers")
    today = timezone.localdate()
    items = list(covers.visible_covers(request.user).order_by("-starts_on")[:100])
    for cover in items:
        cover.is_current = cover.cancelled_at is None and cover.starts_on <= today <= cover.ends_on
        cover.is_over = cover.ends_on < today
        cover.may_change = covers.can_arrange(request.user, cover.owner) and cover.cancelled_at is None
    return render(request, "handoffs/covers.html", {"form": form, "covers": items})


def _cover_get(user, pk: int):
    cover = covers.visible_covers(user).filter(pk=pk).first()
    if cover is None:
        raise Http404
    return cover


@login_required
@require_POST
def cover_cancel(request, pk: int):
    covers.cover_cancel(by=request.user, cover=_cover_get(request.user, pk))
    messages.success(request, _("Cover cancelled."))
    return redirect("handoffs:covers")


@login_required
def cover_summary(request, pk: int):
    cover = _cover_get(request.user, pk)
    return render(
        request, "handoffs/cover_summary.html", {"cover": cover, "lines": covers.cover_summary(cover)}
    )
