from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from orbit.accounts.views import filters_from_request
from orbit.imports import lists
from orbit.imports.exporting import FORMATS, export_response


@login_required
def account_export(request):
    """The accounts list as the user filtered and sorted it, as CSV or XLSX."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    return export_response(
        by=request.user,
        list_name="accounts",
        query=query.urlencode(),
        fmt=fmt,
        columns=lists.ACCOUNT_COLUMNS,
        items=lists.accounts(request.user, filters_from_request(request)),
        file_stem=_("accounts"),
    )
