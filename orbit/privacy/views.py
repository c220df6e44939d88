from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orbit.access import policy
from orbit.common.forms import apply_service_error
from orbit.privacy import erasure, selectors, services
from orbit.privacy.forms import ConsentForm, ErasureForm


def _contact(request, pk: int, contact_pk: int):
    contact = selectors.contact_get(request.user, contact_pk)
    if contact.account_id != pk:
        raise Http404
    return contact


def _page(request, contact, *, consent_form=None, erasure_form=None, status=200):
    user = request.user
    erased = selectors.erasure_of(contact)
    return render(
        request,
        "privacy/contact.html",
        {
            "contact": contact,
            "account": contact.account,
            "consents": selectors.consent_log(user, contact),
            "erased": erased,
            "can_record": erased is None and policy.can_change_account(user, contact.account),
            "can_erase": erased is None and policy.can_erase_personal_data(user),
            "can_audit": policy.sees_everything(user),
            "consent_form": consent_form or ConsentForm(),
            "erasure_form": erasure_form or ErasureForm(),
        },
        status=status,
    )


@login_required
@require_GET
def contact_page(request, pk: int, contact_pk: int):
    return _page(request, _contact(request, pk, contact_pk))


@login_required
@require_GET
def contact_export(request, pk: int, contact_pk: int):
    contact = _contact(request, pk, contact_pk)
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "csv"):
        return HttpResponse(_("Unknown format: json or csv."), status=400, content_type="text/plain")
    text, name = services.export_audited(by=request.user, contact=contact, fmt=fmt)
    kind = "application/json" if fmt == "json" else "text/csv"
    response = HttpResponse(
        text.encode("utf-8-sig" if fmt == "csv" else "utf-8"), content_type=f"{kind}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def consent_add(request, pk: int, contact_pk: int):
    contact = _contact(request, pk, contact_pk)
    if not policy.can_change_account(request.user, contact.account):
        raise PermissionDenied
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(by=request.user, contact=contact, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("privacy:contact", pk=pk, contact_pk=contact.pk)
    return _page(request, contact, consent_form=form, status=400)


@login_required
@require_POST
def contact_erase(request, pk: int, contact_pk: int):
    contact = _contact(request, pk, contact_pk)
    if not policy.can_erase_personal_data(request.user):
        raise PermissionDenied
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            erasure.erase_contact(by=request.user, contact=contact, reference=form.cleaned_data["reference"])
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The contact's personal data has been erased."))
            return redirect("privacy:contact", pk=pk, contact_pk=contact.pk)
    return _page(request, contact, erasure_form=form, status=400)


@login_required
@require_GET
def erasure_list(request):
    if not policy.sees_everything(request.user):
        raise PermissionDenied
    return render(request, "privacy/erasures.html", {"erasures": selectors.erasures()[:500]})
