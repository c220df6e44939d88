"""The ledger's pages: thin views over `selectors` (reads) and the services `invoicing` and `payments`
(writes, which check the permission first and answer bad input with field errors)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts import card_tabs
from orbit.accounts.models import Account, AccountStatus
from orbit.accounts.selectors import account_get, manager_choices
from orbit.common import idempotency, keyset
from orbit.common.forms import apply_service_error
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.params import int_param
from orbit.common.refusal import refused
from orbit.org.models import Team
from orbit.revenue import invoicing, payments, selectors
from orbit.revenue.forms import (
    INVOICE_FORM_LINES,
    MAX_INVOICE_FORM_LINES,
    CreditNoteForm,
    InvoiceForm,
    PaymentForm,
    invoice_line_formset,
)
from orbit.revenue.models import Invoice, InvoiceKind, Payment
from orbit.revenue.permissions import can_bill
from orbit.revenue.rates import base_currency


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


# --- Reads ------------------------------------------------------------------------------------------------


@login_required
def account_panel(request, pk: int):
    """The card's money: revenue and margin by month, balance and ageing, contracts and open orders. Loaded
    after the card (htmx), like its touches and requests."""
    account = account_get(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "revenue/_account_panel.html",
        {
            "account": account,
            "panel": selectors.money_panel(request.user, [account.pk], today=today),
            "can_bill": can_bill(request.user, account),
            "base_currency": base_currency(),
        },
    )


@login_required
def holding(request, pk: int):
    """The holding's money over the companies the viewer may see, with a row per company (a section of the
    holding page, loaded after it)."""
    account = account_get(request.user, pk)
    money = selectors.holding_money(request.user, account, today=timezone.localdate())
    return render(
        request,
        "revenue/_holding_panel.html",
        {"account": account, "money": money, "base_currency": base_currency()},
    )


def _receivable_filters(params) -> selectors.ReceivableFilters:
    sort = params.get("sort", "")
    return selectors.ReceivableFilters(
        manager=int_param(params.get("manager", "")),
        team=int_param(params.get("team", "")),
        overdue_only=params.get("overdue") == "1",
        sort=sort if sort.lstrip("-") in selectors.RECEIVABLE_SORTS else selectors.RECEIVABLE_DEFAULT_SORT,
    )


@login_required
def receivables(request):
    """Accounts with open money, with ageing: what to chase first."""
    filters = _receivable_filters(request.GET)
    rows = selectors.receivables(request.user, filters)
    totals = selectors.receivable_totals(rows)  # counts the rows too: two passes over the list, not three
    page = keyset.page_or_first(
        rows,
        selectors.receivable_order(filters),
        request.GET.get("page"),
        per_page=settings.ORBIT_PAGE_SIZE,
        paginator=CappedPaginator(rows, settings.ORBIT_PAGE_SIZE, matched=totals["count"]),
    )
    query, sort_query = list_queries(request.GET)
    context = {
        "page": page,
        "totals": totals if page.object_list else None,
        "filters": filters,
        "query": query,
        "sort_query": sort_query,
        "buckets": selectors.BUCKET_LABELS,
        "base_currency": base_currency(),
    }
    if _partial(request):
        return TemplateResponse(request, "revenue/_receivables.html", context)
    context["managers"] = manager_choices().values_list("id", "display_name")
    context["teams"] = Team.objects.order_by("name").values_list("id", "name")
    return TemplateResponse(request, "revenue/receivables.html", context)


def invoice_filters(params) -> selectors.InvoiceFilters:
    status = params.get("status", "")
    return selectors.InvoiceFilters(
        account=int_param(params.get("account", "")),
        manager=int_param(params.get("manager", "")),
        status=status if status in selectors.INVOICE_STATUSES else "",
    )


@login_required
def invoice_list(request):
    filters = invoice_filters(request.GET)
    today = timezone.localdate()
    invoices = selectors.invoice_list(request.user, filters, today=today)
    page = keyset.page_or_first(
        invoices, selectors.INVOICE_ORDER, request.GET.get("page"), per_page=settings.ORBIT_PAGE_SIZE
    )
    query, _sort_query = list_queries(request.GET)
    # The account filter names the account only if the person may see it (its id alone says nothing).
    account = None
    if filters.account:
        account = Account.objects.visible_to(request.user).filter(pk=filters.account).first()
    context = {
        "page": page,
        "filters": filters,
        "query": query,
        "today": today,
        "account": account,
        "statuses": STATUS_LABELS,
    }
    if _partial(request):
        return TemplateResponse(request, "revenue/_invoices.html", context)
    context["managers"] = manager_choices().values_list("id", "display_name")
    return TemplateResponse(request, "revenue/invoices.html", context)


@login_required
def invoice_detail(request, pk: int):
    invoice = selectors.invoice_get(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "revenue/invoice.html",
        {
            "page": selectors.invoice_page(invoice, today=today),
            "invoice": invoice,
            "can_bill": can_bill(request.user, invoice.account),
            "today": today,
            "base_currency": base_currency(),
        },
    )


# --- Writes -----------------------------------------------------------------------------------------------


def _billable(request, pk: int):
    """The account if the user sees it (404 otherwise) and may bill it (403 otherwise)."""
    account = account_get(request.user, pk)
    if not can_bill(request.user, account):
        raise PermissionDenied(_("You may not issue documents or record payments for this account."))
    return account


def _not_billable(account, *, payment: bool) -> str:
    """Why no document or payment can be written for the account now ('' when it can): said before the form,
    not after it is filled (the services check it again when they write)."""
    if account.archived_at is not None:
        if payment:
            return _("The account is archived: restore it before recording payments.")
        return _("The account is archived: restore it before issuing documents.")
    if account.status == AccountStatus.PROSPECT:
        if payment:
            return _("The account is a prospect: it has nothing to pay for.")
        return _("The account is a prospect: documents are issued to clients (won accounts) only.")
    return ""


def _unchecked(form):
    """A bound form or formset that shows what was typed and no errors (it is not being submitted)."""
    if hasattr(form, "forms"):
        form._errors, form._non_form_errors = [], form.error_class()
        for each in form.forms:
            _unchecked(each)
    else:
        form._errors = {}
    return form


def _written(form, write, *, scope: str, model, request):
    """Run a service write once per form key; its refusal goes onto the form's fields. (result or None)."""
    try:
        result, _created = idempotency.once(
            user=request.user, key=idempotency.key_of(request), scope=scope, model=model, write=write
        )
    except (ValidationError, PermissionDenied) as exc:
        apply_service_error(form, exc)
        return None
    return result


@login_required
def invoice_create(request, pk: int):
    account = _billable(request, pk)
    if reason := _not_billable(account, payment=False):
        return refused(request, [reason], back_url=card_tabs.url(pk, card_tabs.MONEY))
    if request.method == "POST" and "more_lines" in request.POST:
        # "More lines": the same form back with five more empty rows, what was typed kept, nothing checked yet.
        data = request.POST.copy()
        total = int_param(data.get("lines-TOTAL_FORMS", "")) or INVOICE_FORM_LINES
        data["lines-TOTAL_FORMS"] = str(min(total + INVOICE_FORM_LINES, MAX_INVOICE_FORM_LINES))
        form, lines = _unchecked(InvoiceForm(data)), _unchecked(invoice_line_formset(data))
        return render(
            request, "revenue/invoice_form.html", {"account": account, "form": form, "lines": lines}
        )
    form = InvoiceForm(request.POST or None)
    lines = invoice_line_formset(request.POST or None)
    valid = form.is_valid() and lines.is_valid() if request.method == "POST" else False
    if valid:
        data = form.cleaned_data
        invoice = _written(
            form,
            lambda: invoicing.invoice_issue(
                by=request.user,
                account=account,
                issued_on=data["issued_on"],
                due_on=data["due_on"],
                currency=data["currency"],
                number=data["number"],
                note=data["note"],
                lines=lines.lines(),
            ),
            scope="invoice_issue",
            model=Invoice,
            request=request,
        )
        if invoice is not None:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            return redirect("revenue:invoice", pk=invoice.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "revenue/invoice_form.html",
        {"account": account, "form": form, "lines": lines},
        status=status,
    )


@login_required
def credit_note_create(request, pk: int):
    invoice = selectors.invoice_get(request.user, pk)
    _billable(request, invoice.account_id)
    if invoice.kind != InvoiceKind.INVOICE:
        raise PermissionDenied(_("A credit note corrects an invoice, not another credit note."))
    lines = list(invoice.lines.select_related("product"))
    form = CreditNoteForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        note = _written(
            form,
            lambda: invoicing.credit_note_issue(
                by=request.user,
                invoice=invoice,
                issued_on=data["issued_on"],
                note=data["note"],
                lines=form.lines(),
            ),
            scope="credit_note_issue",
            model=Invoice,
            request=request,
        )
        if note is not None:
            messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
            return redirect("revenue:invoice", pk=invoice.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "revenue/credit_note_form.html", {"invoice": invoice, "form": form}, status=status)


@login_required
def payment_create(request, pk: int):
    account = _billable(request, pk)
    if reason := _not_billable(account, payment=True):
        return refused(request, [reason], back_url=card_tabs.url(pk, card_tabs.MONEY))
    open_invoices = list(selectors.open_invoices(request.user, [account.pk]))
    form = PaymentForm(request.POST or None, open_invoices=open_invoices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payment = _written(
            form,
            lambda: payments.payment_record(
                by=request.user,
                account=account,
                received_on=data["received_on"],
                amount=data["amount"],
                currency=data["currency"],
                allocate=form.allocate(),
                reference=data["reference"],
                note=data["note"],
            ),
            scope="payment_record",
            model=Payment,
            request=request,
        )
        if payment is not None:
            messages.success(request, _("Payment recorded."))
            return redirect(card_tabs.url(account.pk, card_tabs.MONEY))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "revenue/payment_form.html",
        {"account": account, "form": form, "base_currency": base_currency()},
        status=status,
    )


STATUS_LABELS = [
    ("open", gettext_lazy("Unpaid")),
    ("overdue", gettext_lazy("Overdue")),
    ("paid", gettext_lazy("Paid in full")),
    ("credit_notes", gettext_lazy("Credit notes")),
]
