"""The views bar's pages: open a view, save the list as a view, and manage one's views (thin: rules.py decides)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.common import idempotency
from orbit.common.forms import apply_service_error
from orbit.savedviews import rules
from orbit.savedviews.forms import RenameViewForm, SaveViewForm
from orbit.savedviews.models import ListKind, SavedView


def _kind(request) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or ListKind.ACCOUNTS
    if kind not in ListKind.values:
        raise Http404
    return kind


@login_required
def view_open(request):
    """The bar's "Open" (a plain GET form, so it works without JavaScript): on to the list with the view."""
    pk = request.GET.get("view", "")
    if not pk.isdigit():
        return redirect(rules.LIST_URLS[ListKind(_kind(request))])
    return redirect(rules.url_of(rules.get_visible(request.user, int(pk))))


def _manage_page(request, kind: str, *, save_form=None, rename_errors=None, status=200):
    views = list(rules.visible_to(request.user, kind))
    for view in views:  # a refused rename or share is told on the view's own row
        view.errors = (rename_errors or {}).get(view.pk, [])
    return TemplateResponse(
        request,
        "savedviews/manage.html",
        {
            "kind": kind,
            "kind_label": ListKind(kind).label,
            "list_url": reverse(rules.LIST_URLS[ListKind(kind)]),
            "own": [v for v in views if v.owner_id == request.user.pk],
            "shared_with_me": [v for v in views if v.owner_id != request.user.pk],
            "save_form": save_form,
        },
        status=status,
    )


@login_required
def view_manage(request):
    return _manage_page(request, _kind(request))


@login_required
@require_POST
def view_create(request):
    form = SaveViewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            view, _first = idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope="saved_view_create",
                model=SavedView,
                write=lambda: rules.view_create(
                    by=request.user,
                    kind=data["kind"],
                    name=data["name"],
                    query=data["query"],
                    shared=data["shared"],
                ),
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
            return redirect(rules.url_of(view))
    return _manage_page(request, _kind(request), save_form=form, status=400)


def _own_view(request, pk: int) -> SavedView:
    """His view to change: 404 when he cannot read it, 403 when he reads it but it is someone else's."""
    view = rules.get_visible(request.user, pk)
    if view.owner_id != request.user.pk:
        raise PermissionDenied(_("Only the one who saved a view renames, shares or deletes it."))
    return view


@login_required
@require_POST
def view_rename(request, pk: int):
    view = _own_view(request, pk)
    form = RenameViewForm(request.POST)
    if form.is_valid():
        try:
            rules.view_update(by=request.user, view=view, name=form.cleaned_data["name"])
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("View renamed to “%(name)s”.") % {"name": view.name})
            return redirect(f"{reverse('savedviews:manage')}?kind={view.kind}")
    errors = [str(e) for errors in form.errors.values() for e in errors]
    return _manage_page(request, view.kind, rename_errors={view.pk: errors}, status=400)


@login_required
@require_POST
def view_share(request, pk: int):
    view = _own_view(request, pk)
    shared = request.POST.get("shared") == "1"
    try:
        rules.view_update(by=request.user, view=view, shared=shared)
    except ValidationError as exc:
        return _manage_page(request, view.kind, rename_errors={view.pk: exc.messages}, status=400)
    if shared:
        messages.success(request, _("View “%(name)s” is shared with your team.") % {"name": view.name})
    else:
        messages.success(request, _("View “%(name)s” is yours only now.") % {"name": view.name})
    return redirect(f"{reverse('savedviews:manage')}?kind={view.kind}")


@login_required
@require_POST
def view_delete(request, pk: int):
    view = _own_view(request, pk)
    kind, name = view.kind, view.name
    rules.view_delete(by=request.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return redirect(f"{reverse('savedviews:manage')}?kind={kind}")
