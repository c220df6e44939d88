"""The account form's look-up of company details by INN (company_register): a fragment that shows what the
register says and swaps the form's fields with the register's values (htmx out-of-band), so no script is needed."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render

from orbit.access import policy
from orbit.accounts import company_register
from orbit.accounts.forms import AccountForm
from orbit.common.validators import validate_inn

FILLED = ("legal_name", "short_name", "kpp", "address", "director")


@login_required
def inn_lookup(request):
    # Who may write an account may ask (the register's quota is the company's); without a key there is no feature.
    if not policy.can_create_account(request.user):
        raise PermissionDenied
    if not company_register.enabled():
        raise Http404
    inn = request.GET.get("inn", "").strip()
    try:
        validate_inn(inn)
    except ValidationError:
        # Still typing, or a mistyped INN the form itself will name: nothing to ask the register.
        return render(request, "accounts/_register.html", {})
    try:
        company = company_register.find_by_inn(inn)
    except company_register.RegisterError as exc:
        return render(request, "accounts/_register.html", {"error": str(exc)})
    if company is None:
        return render(request, "accounts/_register.html", {"not_found": inn})
    values = {name: getattr(company, name) for name in FILLED}
    form = AccountForm(data=values, user=request.user)
    fields = [form[name].as_widget(attrs={"hx-swap-oob": "true"}) for name in FILLED if values[name]]
    return render(request, "accounts/_register.html", {"company": company, "fields": fields})
