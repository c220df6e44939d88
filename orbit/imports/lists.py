"""The lists that can be taken out, each with its columns. A list is read by its own page's selector with the
page's filters and sort (parsed by the page's own function), so an export holds exactly the rows the user sees
there, through the visibility model. The lists of the other areas are in lists_work, lists_sales and
lists_people; EXPORTS names them all (an address /exports/<name>/ each)."""

from django.utils.translation import gettext_lazy as _

from orbit.accounts import selectors as account_selectors
from orbit.accounts.views import filters_from as account_filters
from orbit.imports import lists_people, lists_sales, lists_work
from orbit.imports.exporting import Column, ListExport
from orbit.imports.mapping import ACCOUNT_FIELDS
from orbit.requests import selectors as request_selectors
from orbit.requests.views import filters_from as request_filters

_LABEL = {f.key: f.label for f in ACCOUNT_FIELDS}

# Headers the account import recognises (its fields' labels), so an export imports back into an empty base.
ACCOUNT_COLUMNS = [
    Column(_LABEL["legal_name"], lambda a: a.legal_name),
    Column(_LABEL["short_name"], lambda a: a.short_name),
    Column(_LABEL["inn"], lambda a: a.inn),
    Column(_LABEL["kpp"], lambda a: a.kpp),
    Column(_LABEL["status"], lambda a: a.get_status_display()),
    Column(_LABEL["tier"], lambda a: a.get_tier_display()),
    Column(_LABEL["owner"], lambda a: a.responsible_manager.display_name if a.responsible_manager else ""),
    Column(_LABEL["parent_inn"], lambda a: a.parent.inn if a.parent else ""),
    Column(_LABEL["agreed_budget"], lambda a: a.agreed_budget),
    Column(_LABEL["phone"], lambda a: a.phone),
    Column(_LABEL["address"], lambda a: a.address),
    Column(_LABEL["website"], lambda a: a.website),
    Column(_("currency"), lambda a: a.budget_currency),
    Column(_("segment"), lambda a: str(a.segment) if a.segment else ""),
    Column(_("region"), lambda a: str(a.region) if a.region else ""),
    Column(_("industry"), lambda a: str(a.industry) if a.industry else ""),
]


def accounts(user, params):
    return account_selectors.account_list(user, account_filters(params)).select_related("parent")


REQUEST_COLUMNS = [
    Column(_("number"), lambda r: r.pk),
    Column(_("received"), lambda r: r.received_at),
    Column(_("account"), lambda r: r.account.display_name),
    Column(_("INN"), lambda r: r.account.inn),
    Column(_("subject"), lambda r: r.subject),
    Column(_("type"), lambda r: r.get_request_type_display()),
    Column(_("priority"), lambda r: r.get_priority_display()),
    Column(_("department"), lambda r: str(r.department)),
    Column(_("status"), lambda r: r.get_status_display()),
    Column(_("account manager"), lambda r: str(r.manager)),
    Column(_("executor"), lambda r: str(r.assignee) if r.assignee_id else ""),
    Column(_("first response due"), lambda r: r.first_response_due),
    Column(_("first response"), lambda r: r.first_responded_at),
    Column(_("resolution due"), lambda r: r.resolution_due),
    Column(_("resolved"), lambda r: r.resolved_at),
]


def requests(user, params):
    return request_selectors.request_list(user, request_filters(params))


ACCOUNTS = ListExport("accounts", _("accounts"), ACCOUNT_COLUMNS, accounts)
REQUESTS = ListExport("requests", _("requests"), REQUEST_COLUMNS, requests)

EXPORTS: dict[str, ListExport] = {
    export.name: export
    for export in (ACCOUNTS, REQUESTS, *lists_work.EXPORTS, *lists_sales.EXPORTS, *lists_people.EXPORTS)
}
