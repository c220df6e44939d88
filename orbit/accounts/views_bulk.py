"""The account list's bulk bar posts here: a refusal is a 4xx page listing each refused account with its reason,
success goes back to the list with the count (orbit/accounts/bulk_actions.py does the work)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from orbit.access import policy
from orbit.accounts import bulk_actions, selectors
from orbit.accounts.forms_bulk import EXPORT, BulkForm, checked_versions
from orbit.accounts.models import BulkAction
from orbit.accounts.views import filters_from
from orbit.common import idempotency
from orbit.common.templatetags.orbit_forms import options


def _refused(request, back_url: str, *, form=None, reasons=(), refusals=(), status: int = 400):
    context = {"form": form, "reasons": list(reasons), "refusals": list(refusals), "back_url": back_url}
    return TemplateResponse(request, "accounts/bulk_refused.html", context, status=status)


def _selection(user, form: BulkForm, request) -> dict[int, int | None]:
    """Checked rows with the versions the list showed; or every account matching the list's filters (as they
    are now), one more than the cap so that "too many" is told, never silently cut."""
    if form.cleaned_data["scope"] != "all":
        return checked_versions(request.POST.getlist("account"))
    filters = filters_from(QueryDict(form.cleaned_data["query"]))
    ids = selectors.account_list(user, filters).values_list("pk", flat=True)[
        : settings.ORBIT_BULK_ACTION_MAX + 1
    ]
    return dict.fromkeys(ids)


@login_required
@require_POST
def bulk_action(request):
    form = BulkForm(request.POST)
    query = request.POST.get("query", "")
    back_url = reverse("accounts:list") + (f"?{query}" if query else "")
    if not form.is_valid():
        return _refused(request, back_url, form=form)
    versions = _selection(request.user, form, request)
    action = form.cleaned_data["action"]
    if not versions:
        return _refused(request, back_url, reasons=[_("Select at least one account.")])
    if action == EXPORT:  # the list's own export, narrowed to the checked rows, or with the list's filters
        if form.cleaned_data["scope"] == "all":
            export_query = QueryDict(query, mutable=True)
            export_query.pop("page", None)
        else:
            export_query = QueryDict(mutable=True)
            export_query.setlist("id", [str(pk) for pk in versions])
        export_query["format"] = form.cleaned_data["format"]
        return redirect(f"{reverse('imports:accounts_export')}?{export_query.urlencode()}")
    try:
        receipt, _first = idempotency.once(
            user=request.user,
            key=idempotency.key_of(request),
            scope="accounts_bulk",
            model=BulkAction,
            write=lambda: bulk_actions.apply(
                by=request.user, action=action, versions=versions, params=form.params()
            ),
        )
    except PermissionDenied as exc:
        return _refused(request, back_url, reasons=[str(exc)], status=403)
    except bulk_actions.BulkRefused as exc:
        return _refused(request, back_url, refusals=exc.refusals, status=409 if exc.conflict else 400)
    except ValidationError as exc:
        return _refused(request, back_url, reasons=exc.messages)
    label = dict(form.fields["action"].choices)[action]
    text = ngettext(
        "%(action)s: done for %(count)s account.", "%(action)s: done for %(count)s accounts.", receipt.count
    ) % {"action": label, "count": receipt.count}
    messages.success(request, text)
    return redirect(back_url)


@login_required
def bulk_receivers(request):
    """The handoff's receivers, asked for when the bar first shows that field (htmx, `intersect once`): every
    manager (a handoff may go to anyone), 500 <option>s the list page need not carry on every load."""
    if not policy.may_act_in_bulk(request.user):
        raise PermissionDenied
    managers = selectors.manager_choices().values_list("id", "display_name")
    return HttpResponse('<option value="">—</option>' + options(managers, ""))
