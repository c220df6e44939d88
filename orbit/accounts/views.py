"""Account pages: thin views over selectors (reads) and services (changes)."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.access import policy
from orbit.accounts import card_facts, card_tabs, history, list_columns, ownership, selectors, services, team
from orbit.accounts.forms import (
    AccountCreateForm,
    AccountForm,
    ContactForm,
    ReassignForm,
    ReassignmentReportForm,
    ResponsibleOnForm,
    StatusForm,
    TeamMemberForm,
)
from orbit.accounts.models import (
    Account,
    AccountStatus,
    AccountTeamMember,
    ChangeReason,
    Contact,
    Region,
    Segment,
    Tier,
)
from orbit.activities.models import TouchKind
from orbit.common import idempotency, keyset
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.refusal import refused
from orbit.handoffs.models import HandoffKind
from orbit.handoffs.services import BETWEEN_MANAGERS_REASONS
from orbit.savedviews import rules as saved_views
from orbit.savedviews.models import ListKind


def _int_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def filters_from_request(request) -> selectors.AccountFilters:
    return filters_from(request.GET)


def filters_from(get) -> selectors.AccountFilters:
    """The list's filters from a query string (the page's, or an export's as it was asked for)."""
    parent = get.get("parent", "")
    return selectors.AccountFilters(
        q=get.get("q", "")[:200],
        status=[s for s in get.getlist("status") if s in AccountStatus.values],
        tier=[t for t in get.getlist("tier") if t in Tier.values],
        segment=_int_list(get.getlist("segment")),
        region=_int_list(get.getlist("region")),
        industry=_int_list(get.getlist("industry")),
        manager=_int_list(get.getlist("manager")),
        parent=int(parent) if parent.isdigit() else None,
        archived=get.get("archived") == "1",
        sort=get.get("sort", "name") if get.get("sort") in selectors.SORTS else "name",
        ids=_int_list(get.getlist("id"))[: settings.ORBIT_BULK_ACTION_MAX],
        cols=list_columns.chosen(get.getlist("cols"), given="cols" in get),
    )


@login_required
def account_list(request):
    filters = filters_from_request(request)
    order = selectors.list_order(filters)
    accounts, counted = selectors.account_list_counted(request.user, filters)
    accounts = selectors.for_list_page(accounts, order)
    page = keyset.page_or_first(
        accounts,
        order,
        request.GET.get("page"),
        per_page=settings.ORBIT_PAGE_SIZE,
        counts_with_rows=selectors.sorts_all_matches(filters),
        # A work sort counted the list to choose its plan: that count is the page's when it answers it.
        paginator=CappedPaginator(
            accounts, settings.ORBIT_PAGE_SIZE, matched=counted, counted_to=selectors.SORT_BELOW + 1
        ),
    )
    if list_columns.needs_pulse(filters.cols):
        selectors.attach_pulse(page.object_list)
    query, sort_query = list_queries(request.GET)
    context = {
        "page": page,
        "filters": filters,
        "shown": list_columns.shown(filters.cols),
        "all_columns": list_columns.COLUMNS,
        # What the column chooser's form carries besides the columns, so choosing them keeps the filters.
        "kept_params": [(k, v) for k, vs in request.GET.lists() if k not in ("cols", "page") for v in vs],
        "today": timezone.localdate(),
        "query": query,
        "sort_query": sort_query,
        "statuses": AccountStatus.choices,
        "tiers": Tier.choices,
        # Choices as plain (id, name) pairs, written out by {% options %}: 500 model instances through the template
        # language cost the page its speed. The filter offers the managers he sees; the bulk bar's handoff
        # receivers (anyone) come when that field first shows (views_bulk.bulk_receivers).
        "segments": [(s.pk, str(s)) for s in Segment.objects.all()],
        "regions": [(r.pk, str(r)) for r in Region.objects.all()],
        "can_create": policy.can_create_account(request.user),
        **_bars(request),
    }
    if request.htmx and not request.htmx.boosted:  # the results alone, as the filters change
        return TemplateResponse(request, "accounts/_results.html", context)
    context["filter_managers"] = selectors.manager_filter_choices(request.user, filters.manager)
    return TemplateResponse(request, "accounts/list.html", context)


def _bars(request) -> dict:
    """The views bar's and the bulk bar's context (accounts/_bulk_bar.html, savedviews/_bar.html)."""
    view = request.GET.get("view", "")
    return {
        "saved_views": saved_views.visible_to(request.user, ListKind.ACCOUNTS),
        "current_view": int(view) if view.isdigit() else None,
        "bulk": {
            "changes": policy.may_act_in_bulk(request.user),
            "max": settings.ORBIT_BULK_ACTION_MAX,
            "touch_kinds": TouchKind.choices,
            "handoff_kinds": HandoffKind.choices,
            "reasons": [(r.value, r.label) for r in ChangeReason if r in BETWEEN_MANAGERS_REASONS],
        },
    }


@login_required
def account_detail(request, pk: int):
    account = selectors.account_card(request.user, pk)
    if account.merged_into_id and policy.can_view_account(request.user, account.merged_into):
        # An old link to a merged account leads to the one it was merged into (its history stays readable).
        messages.info(
            request,
            _("Account №%(id)s (%(name)s) was merged into this one.") % {"id": pk, "name": account},
        )
        return redirect("accounts:detail", pk=account.merged_into_id)
    contacts = list(account.contacts.all())
    can_change = policy.can_change_account(request.user, account)
    facts = card_facts.collect(account=account)
    next_on = facts.get("next_touch_on")
    tab = card_tabs.chosen(request.GET.get("tab"))
    active_contacts = [c for c in contacts if c.archived_at is None]
    context = {
        "account": account,
        "facts": facts,
        "next_touch_overdue": next_on is not None and next_on < timezone.localdate(),
        "actions": _quick_actions(request.user, account, can_change),
        "contacts": active_contacts,
        "archived_contacts": [c for c in contacts if c.archived_at is not None],
        "can_change": can_change,
        "merged_accounts": selectors.merged_into(request.user, account),
        "tab": tab,
        "tabs": card_tabs.tabs(open_requests=facts.get("open_requests"), contacts=len(active_contacts)),
    }
    if tab == card_tabs.OWNERSHIP:
        # Opened by a link (or without JS): the tab is rendered in the page instead of fetched after it.
        context |= _ownership_context(request.user, selectors.account_ownership(request.user, pk))
    return TemplateResponse(request, "accounts/detail.html", context)


@login_required
def account_ownership_panel(request, pk: int):
    """The card's "Team and ownership" tab: responsible manager and status, account team, periods, holding."""
    account = selectors.account_ownership(request.user, pk)
    context = {"account": account, "can_change": policy.can_change_account(request.user, account)}
    context |= _ownership_context(request.user, account)
    return render(request, "accounts/_ownership_panel.html", context)


def _ownership_context(user, account) -> dict:
    return {
        "periods": list(account.ownership_periods.all()),
        "team": account.current_team,
        "holding": selectors.holding_tree(user, account),
        "can_reassign": policy.may_reassign(user, account),
        "status_form": StatusForm.for_account(account),
    }


def _quick_actions(user, account, can_change: bool) -> dict[str, bool]:
    """Which of the header's quick actions the reader may take: the same rules as the pages they open."""
    if account.is_archived:
        return {}
    work = policy.can_work_account(user, account)
    # The handoff page's own rule (handoffs.services.can_start): the giver himself, or whoever may reassign.
    giver_id = account.responsible_manager_id or (
        account.created_by_id if account.status == AccountStatus.PROSPECT else None
    )
    handoff = (can_change and giver_id == user.pk) or policy.may_reassign(user, account)
    return {"touch": work, "request": work, "handoff": handoff and not account.open_handoff_id}


@login_required
def holding_matrix(request, pk: int):
    """The holding as a table: subsidiaries × their national account managers, under the global AMs."""
    account = selectors.account_get(request.user, pk)
    matrix = selectors.holding_matrix(request.user, account)
    if matrix is None:
        return redirect("accounts:detail", pk)
    return render(request, "accounts/holding.html", {"account": account, "matrix": matrix})


@login_required
def account_history(request, pk: int):
    """The change timeline, filterable by kind of record and by who made the change."""
    account = selectors.account_get(request.user, pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in history.KINDS else ""
    actor = request.GET.get("actor", "")
    events = history.account_timeline(account, kind=kind)
    actors = {e.actor.pk: e.actor for e in events if e.actor}
    if actor.isdigit():
        events = [e for e in events if e.actor and e.actor.pk == int(actor)]
    return render(
        request,
        "accounts/_history.html",
        {
            "account": account,
            "events": events,
            "kind": kind,
            "kinds": history.kind_choices(),
            "actor": actor,
            "actors": sorted(actors.values(), key=str),
        },
    )


@login_required
def account_create(request):
    if not policy.can_create_account(request.user):
        raise PermissionDenied
    form = AccountCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account, _created = idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope="account_create",
                model=Account,
                write=lambda: services.account_create(
                    by=request.user,
                    status=form.cleaned_data["status"],
                    responsible_manager=form.cleaned_data["responsible_manager"],
                    **form.service_fields(),
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Account “%(name)s” created.") % {"name": account.display_name})
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/form.html", {"form": form, "title": _("New account")})


@login_required
def account_edit(request, pk: int):
    account = selectors.account_get(request.user, pk)
    if not policy.can_change_account(request.user, account):
        raise PermissionDenied
    if account.is_archived:
        messages.error(request, _("The account is archived: restore it before changing it."))
        return redirect("accounts:detail", pk=pk)
    form = AccountForm(request.POST or None, instance=account, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _save_versioned(
            form,
            lambda version, fields: services.account_update(
                by=request.user, account=account, version=version, **fields
            ),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/form.html",
        {
            "form": form,
            "account": account,
            "conflict": conflict,
            "title": _("Edit %(name)s") % {"name": account.display_name},
        },
    )


def _save_versioned(form, save) -> tuple[bool, list | None]:
    """Call `save(version, fields)`; on a conflict show the other person's change, on bad input the errors."""
    try:
        save(form.cleaned_data["version"], form.service_fields())
    except ConflictError as exc:
        return False, _show_conflict(form, exc)
    except ValidationError as exc:
        apply_service_error(form, exc)
        return False, None
    return True, None


def _show_conflict(form, exc: ConflictError) -> list:
    """Keep the writer's input, show what the other person changed, and arm the form with the current
    version: saving again is then a deliberate decision, not a silent overwrite."""
    conflict = history.changes_since(exc.current, form.cleaned_data["version"])
    form.data = form.data.copy()
    form.data["version"] = exc.current.version
    return conflict


def _card(pk: int) -> str:
    return reverse("accounts:detail", args=[pk])


def _form_reasons(form) -> list[str]:
    return [
        f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
        for name, errors in form.errors.items()
    ]


@login_required
@require_POST
def account_status(request, pk: int):
    account = selectors.account_get(request.user, pk)
    if not policy.can_change_account(request.user, account):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.account_set_status(
                by=request.user,
                account=account,
                status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            return refused(request, exc, back_url=_card(pk))
        messages.success(request, _("Status changed."))
        return redirect(card_tabs.url(pk, card_tabs.OWNERSHIP))
    return refused(request, _form_reasons(form), back_url=_card(pk))


@login_required
@require_POST
def account_reassign(request, pk: int):
    account = selectors.account_get(request.user, pk)
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            services.account_reassign(
                by=request.user,
                account=account,
                manager=form.cleaned_data["manager"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            return refused(request, exc, back_url=_card(pk))
        messages.success(request, _("Responsible manager changed."))
        return redirect(card_tabs.url(pk, card_tabs.OWNERSHIP))
    return refused(request, [_("Choose the new manager and the reason.")], back_url=_card(pk))


@login_required
@require_POST
def account_reassign_reverse(request, pk: int):
    account = selectors.account_get(request.user, pk)
    try:
        services.account_reassignment_reverse(by=request.user, account=account)
    except ValidationError as exc:
        return refused(request, exc, back_url=_card(pk))
    messages.success(request, _("Reassignment reversed: the previous manager is responsible again."))
    return redirect(card_tabs.url(pk, card_tabs.OWNERSHIP))


@login_required
def account_responsible_on(request, pk: int):
    """Who was responsible for the account on a date (end of that day)."""
    account = selectors.account_get(request.user, pk)
    form = ResponsibleOnForm(request.GET)
    manager = ownership.responsible_on(account, form.cleaned_data["on"]) if form.is_valid() else None
    return render(
        request, "accounts/_responsible_on.html", {"form": form, "manager": manager, "account": account}
    )


@login_required
@require_POST
def account_archive(request, pk: int):
    account = selectors.account_get(request.user, pk)
    services.account_archive(by=request.user, account=account)
    messages.success(request, _("Account archived. It is hidden from lists and can be restored here."))
    return redirect("accounts:detail", pk=pk)


@login_required
@require_POST
def account_restore(request, pk: int):
    account = selectors.account_get(request.user, pk)
    try:
        services.account_restore(by=request.user, account=account)
    except ValidationError as exc:
        return refused(request, exc, back_url=_card(pk))
    messages.success(request, _("Account restored."))
    return redirect("accounts:detail", pk=pk)


@login_required
@require_POST
def contact_archive(request, pk: int, contact_pk: int):
    return _contact_set_archived(request, pk, contact_pk, archived=True)


@login_required
@require_POST
def contact_restore(request, pk: int, contact_pk: int):
    return _contact_set_archived(request, pk, contact_pk, archived=False)


def _contact_set_archived(request, pk: int, contact_pk: int, *, archived: bool):
    account = selectors.account_get(request.user, pk)
    contact = selectors.contact_get(request.user, contact_pk)
    if contact.account_id != account.pk:
        raise Http404
    try:
        services.contact_set_archived(by=request.user, contact=contact, archived=archived)
    except ValidationError as exc:
        return refused(request, exc, back_url=_card(pk))
    messages.success(request, _("Contact archived.") if archived else _("Contact restored."))
    return redirect(card_tabs.url(pk, card_tabs.CONTACTS))


@login_required
def card_form(request, pk: int, name: str):
    """A card's long form (every manager in a list), fetched when the person opens it."""
    account = selectors.account_get(request.user, pk)
    if name == "reassign" and policy.may_reassign(request.user, account):
        form, action, submit = ReassignForm(), reverse("accounts:reassign", args=[pk]), _("Reassign")
    elif name == "team" and policy.can_change_account(request.user, account):
        form, action, submit = TeamMemberForm(), reverse("accounts:team_add", args=[pk]), _("Add")
    else:
        raise PermissionDenied
    return render(request, "accounts/_card_form.html", {"form": form, "action": action, "submit": submit})


@login_required
@require_POST
def team_add(request, pk: int):
    account = selectors.account_get(request.user, pk)
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the person and the role."))
    else:
        try:
            team.team_member_add(by=request.user, account=account, **form.cleaned_data)
            messages.success(request, _("Added to the account team."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(card_tabs.url(pk, card_tabs.OWNERSHIP))


@login_required
@require_POST
def team_end(request, pk: int, member_pk: int):
    account = selectors.account_get(request.user, pk)
    member = AccountTeamMember.objects.visible_to(request.user).filter(account=account, pk=member_pk).first()
    if member is None:
        raise Http404
    team.team_member_end(by=request.user, member=member)
    messages.success(request, _("%(name)s left the account team.") % {"name": member.user})
    return redirect(card_tabs.url(pk, card_tabs.OWNERSHIP))


@login_required
def reassignment_report(request):
    """Every change of responsible manager in a period, with its reason and who handed to whom."""
    form = ReassignmentReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else ReassignmentReportForm.defaults()
    start = timezone.make_aware(datetime.combine(data["start"], time.min))
    end = timezone.make_aware(datetime.combine(data["end"] + timedelta(days=1), time.min))
    rows = selectors.reassignments(
        request.user,
        start=start,
        end=end,
        reason=data.get("reason") or "",
        manager_id=data["manager"].pk if data.get("manager") else None,
    )
    page = CappedPaginator(rows, settings.ORBIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query, _sort_query = list_queries(request.GET)
    return render(request, "accounts/reassignments.html", {"form": form, "page": page, "query": query})


@login_required
def account_lookup(request):
    """Autocomplete for picking an account (e.g. a holding): visible accounts matching the text."""
    q = request.GET.get("q", "")[:200]
    results = []
    if len(q.strip()) >= 2:
        results = selectors.account_list(request.user, selectors.AccountFilters(q=q))[:10]
    return render(
        request, "accounts/_lookup.html", {"results": results, "target": request.GET.get("target", "")}
    )


@login_required
def contact_create(request, pk: int):
    account = selectors.account_get(request.user, pk)
    if not policy.can_change_account(request.user, account):
        raise PermissionDenied
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope="contact_create",
                model=Contact,
                write=lambda: services.contact_create(
                    by=request.user, account=account, **form.service_fields()
                ),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect(card_tabs.url(account.pk, card_tabs.CONTACTS))
    return render(
        request, "accounts/contact_form.html", {"form": form, "account": account, "title": _("New contact")}
    )


@login_required
def contact_edit(request, pk: int, contact_pk: int):
    account = selectors.account_get(request.user, pk)
    contact = selectors.contact_get(request.user, contact_pk)
    if contact.account_id != account.pk:
        raise Http404
    if not policy.can_change_account(request.user, account):
        raise PermissionDenied
    form = ContactForm(request.POST or None, instance=contact)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _save_versioned(
            form,
            lambda version, fields: services.contact_update(
                by=request.user, contact=contact, version=version, **fields
            ),
        )
        if saved:
            messages.success(request, _("Contact saved."))
            return redirect(card_tabs.url(account.pk, card_tabs.CONTACTS))
    return render(
        request,
        "accounts/contact_form.html",
        {
            "form": form,
            "account": account,
            "conflict": conflict,
            "title": contact.full_name,
        },
    )
