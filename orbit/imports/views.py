from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from orbit.accounts.views import filters_from_request
from orbit.imports import lists
from orbit.imports.exporting import FORMATS, export_response
from orbit.requests.views import filters_from as request_filters


def _export(request, list_name: str, columns, items, file_stem: str):
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    return export_response(
        by=request.user,
        list_name=list_name,
        query=query.urlencode(),
        fmt=fmt,
        columns=columns,
        items=items,
        file_stem=file_stem,
    )


@login_required
def account_export(request):
    """The accounts list as the user filtered and sorted it, as CSV or XLSX."""
    items = lists.accounts(request.user, filters_from_request(request))
    return _export(request, "accounts", lists.ACCOUNT_COLUMNS, items, _("accounts"))


@login_required
def request_export(request):
    """The requests list as the user filtered and sorted it (his own, a department's, late ones…)."""
    items = lists.requests(request.user, request_filters(request.GET))
    return _export(request, "requests", lists.REQUEST_COLUMNS, items, _("requests"))
