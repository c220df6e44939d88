"""Contract and order pages: thin views over `contracts`, `orders` and `selectors_deals`.

Reads go through `visible_to` (404 for what the reader may not see); writes need `can_bill` (403 otherwise);
a refused write answers 400 with its reasons (409 when someone else changed the record first), never a
redirect that looks like success. Create forms carry an idempotency key: a double click writes once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.accounts import card_tabs
from orbit.accounts.models import AccountStatus
from orbit.accounts.selectors import account_get
from orbit.common import idempotency
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error, arm_conflict
from orbit.common.refusal import refused
from orbit.revenue import contracts, orders, selectors_deals
from orbit.revenue.forms_deals import (
    ActivateForm,
    ContractForm,
    OrderForm,
    OrderInvoiceForm,
    OrderLineFormSet,
    OrderStepForm,
    RenewForm,
    TerminateForm,
)
from orbit.revenue.models import Contract, ContractStatus, Invoice, Order, OrderStatus
from orbit.revenue.permissions import can_bill


def _require_bill(request, account) -> None:
    if not can_bill(request.user, account):
        raise PermissionDenied


def _card(account) -> str:
    return card_tabs.url(account.pk, card_tabs.MONEY)


# --- contracts ---------------------------------------------------------------------------------------------


@login_required
def contract_create(request, account_pk: int):
    account = account_get(request.user, account_pk)
    _require_bill(request, account)
    if account.is_archived:
        return refused(
            request,
            [_("The account is archived: restore it before changing its contracts.")],
            back_url=_card(account),
        )
    form = ContractForm(
        request.POST or None, account=account, creating=True, instance=Contract(account=account)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            try:
                contract, _created = idempotency.once(
                    user=request.user,
                    key=idempotency.key_of(request),
                    scope="contract_create",
                    model=Contract,
                    write=lambda: contracts.contract_create(
                        by=request.user, account=account, status=form.cleaned_data["status"], **fields
                    ),
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Contract %(number)s saved.") % {"number": contract.number})
                return redirect("revenue:contract", pk=contract.pk)
    return render(
        request,
        "revenue/contracts/form.html",
        {"form": form, "account": account, "title": _("New contract")},
        status=status,
    )


def _contract_page(request, contract: Contract, *, status: int = 200, **forms):
    today = timezone.localdate()
    context = {
        "contract": contract,
        "account": contract.account,
        "status": contracts.display_status(contract, today),
        "status_label": ContractStatus(contracts.display_status(contract, today)).label,
        "notice_by": contracts.notice_deadline(contract),
        "today": today,
        "may_bill": can_bill(request.user, contract.account) and not contract.account.is_archived,
        "orders": selectors_deals.contract_orders(contract),
        "renew_form": forms.get("renew_form") or RenewForm(initial={"version": contract.version}),
        "terminate_form": forms.get("terminate_form")
        or TerminateForm(initial={"version": contract.version, "terminated_on": today}),
        "activate_form": forms.get("activate_form") or ActivateForm(initial={"version": contract.version}),
    }
    return render(request, "revenue/contracts/detail.html", context, status=status)


@login_required
def contract_detail(request, pk: int):
    return _contract_page(request, selectors_deals.contract_get(request.user, pk))


@login_required
def contract_edit(request, pk: int):
    contract = selectors_deals.contract_get(request.user, pk)
    _require_bill(request, contract.account)
    if contract.account.is_archived or contract.status == ContractStatus.TERMINATED:
        reason = (
            _("The account is archived: restore it before changing its contracts.")
            if contract.account.is_archived
            else _("The contract is terminated: it cannot be changed any more.")
        )
        return refused(request, [reason], back_url=reverse("revenue:contract", args=[pk]))
    form = ContractForm(request.POST or None, account=contract.account, instance=contract)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                contracts.contract_update(
                    by=request.user,
                    contract=contract,
                    version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("revenue:contract", pk=pk)
    return render(
        request,
        "revenue/contracts/form.html",
        {
            "form": form,
            "account": contract.account,
            "contract": contract,
            "title": _("Contract %(number)s") % {"number": contract.number},
        },
        status=status,
    )


def _contract_action(request, pk: int, form_class, form_name: str, act):
    contract = selectors_deals.contract_get(request.user, pk)
    _require_bill(request, contract.account)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            act(contract, form.cleaned_data)
        except ConflictError as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("revenue:contract", pk=pk)
    contract.refresh_from_db()
    return _contract_page(request, contract, status=status, **{form_name: form})


@login_required
@require_POST
def contract_activate(request, pk: int):
    def act(contract, data):
        contracts.contract_activate(by=request.user, contract=contract, version=data["version"])
        messages.success(request, _("The contract is active."))

    return _contract_action(request, pk, ActivateForm, "activate_form", act)


@login_required
@require_POST
def contract_renew(request, pk: int):
    def act(contract, data):
        renewed = contracts.contract_renew(
            by=request.user,
            contract=contract,
            ends_on=data["ends_on"],
            renewal_on=data["renewal_on"],
            version=data["version"],
        )
        messages.success(
            request, _("The contract is renewed to %(day)s.") % {"day": renewed.ends_on.strftime("%d.%m.%Y")}
        )

    return _contract_action(request, pk, RenewForm, "renew_form", act)


@login_required
@require_POST
def contract_terminate(request, pk: int):
    def act(contract, data):
        contracts.contract_terminate(
            by=request.user,
            contract=contract,
            terminated_on=data["terminated_on"],
            reason=data["reason"],
            version=data["version"],
        )
        messages.success(request, _("The contract is terminated."))

    return _contract_action(request, pk, TerminateForm, "terminate_form", act)


# --- orders ------------------------------------------------------------------------------------------------


def _order_refusal(account) -> str | None:
    if account.is_archived:
        return _("The account is archived: restore it before taking its orders.")
    if account.status == AccountStatus.PROSPECT:
        return _("A prospect places no orders yet: hand the client over to a manager first.")
    return None


def _quiet(form):
    """A bound form (or formset) that keeps what was typed but shows no errors: a line is being added, not
    the order saved."""
    form._errors = {} if not hasattr(form, "forms") else []
    if hasattr(form, "forms"):
        form._non_form_errors = form.error_class()
        for each in form.forms:
            _quiet(each)
    return form


def _show_order_errors(form, lines, exc: ValidationError) -> None:
    """The service's field errors on the order's fields; its "Line N: ..." errors above the lines."""
    errors = dict(exc.error_dict) if hasattr(exc, "error_dict") else {None: exc.error_list}
    line_errors = errors.pop("lines", [])
    if line_errors:
        lines._non_form_errors = lines.error_class([m for e in line_errors for m in e.messages])
    for field, field_errors in errors.items():
        form.add_error(field if field in form.fields else None, field_errors)


def _with_one_more_line(data):
    """The posted form with one more (empty) line: the "Add a line" round trip."""
    data = data.copy()
    prefix = OrderLineFormSet().prefix
    total = data.get(f"{prefix}-TOTAL_FORMS", "1")
    data[f"{prefix}-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 2)
    return data


@login_required
def order_create(request, account_pk: int):
    account = account_get(request.user, account_pk)
    _require_bill(request, account)
    refusal = _order_refusal(account)
    if refusal:
        return refused(request, [refusal], back_url=_card(account))
    status = 200
    if request.method == "POST" and "add_line" in request.POST:
        data = _with_one_more_line(request.POST)
        form, lines = _quiet(OrderForm(data, account=account)), _quiet(OrderLineFormSet(data))
        return render(request, "revenue/orders/form.html", {"form": form, "lines": lines, "account": account})
    form = OrderForm(request.POST or None, account=account, initial={"contract": request.GET.get("contract")})
    lines = OrderLineFormSet(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            inputs = [
                line.line() for line in lines if line.cleaned_data and not line.cleaned_data.get("DELETE")
            ]
            try:
                order, _created = idempotency.once(
                    user=request.user,
                    key=idempotency.key_of(request),
                    scope="order_create",
                    model=Order,
                    write=lambda: orders.order_create(
                        by=request.user,
                        account=account,
                        received_at=data["received_at"],
                        currency=data["currency"],
                        lines=inputs,
                        promised_on=data["promised_on"],
                        contract=data["contract"],
                        number=data["number"],
                        note=data["note"],
                        manager=data["manager"],
                        opportunity=data["opportunity"],
                    ),
                )
            except PermissionDenied as exc:
                apply_service_error(form, exc)
            except ValidationError as exc:
                _show_order_errors(form, lines, exc)
            else:
                messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
                return redirect("revenue:order", pk=order.pk)
    return render(
        request,
        "revenue/orders/form.html",
        {"form": form, "lines": lines, "account": account},
        status=status,
    )


def _order_page(request, order: Order, *, status: int = 200, **forms):
    today = timezone.localdate()
    may_bill = can_bill(request.user, order.account) and not order.account.is_archived
    invoices = list(order.invoices.all())
    standing = next((i for i in reversed(invoices) if i.credited_total < i.total or i.total == 0), None)
    context = {
        "order": order,
        "account": order.account,
        "lines": list(order.lines.all()),
        "invoices": invoices,
        "today": today,
        "late": order.status in orders.OPEN and order.promised_on is not None and order.promised_on < today,
        "may_bill": may_bill,
        "can_invoice": may_bill and order.status in orders.INVOICEABLE and standing is None,
        "step_form": forms.get("step_form")
        or OrderStepForm(initial={"version": order.version, "delivered_on": today}),
        "invoice_form": forms.get("invoice_form") or OrderInvoiceForm(initial={"issued_on": today}),
    }
    return render(request, "revenue/orders/detail.html", context, status=status)


@login_required
def order_detail(request, pk: int):
    return _order_page(request, selectors_deals.order_get(request.user, pk))


@login_required
@require_POST
def order_step(request, pk: int):
    order = selectors_deals.order_get(request.user, pk)
    _require_bill(request, order.account)
    form = OrderStepForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        step, version = data["step"], data["version"]
        try:
            if step == "confirm":
                orders.order_confirm(by=request.user, order=order, version=version)
            elif step == "ship":
                orders.order_ship(by=request.user, order=order, version=version)
            elif step == "deliver":
                orders.order_deliver(
                    by=request.user, order=order, delivered_on=data["delivered_on"], version=version
                )
            else:
                orders.order_cancel(by=request.user, order=order, reason=data["reason"], version=version)
        except ConflictError as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            apply_service_error(form, exc)  # "status" (a step out of order) goes to the form's top
        else:
            messages.success(request, _("The order is %(status)s.") % {"status": _step_done(step)})
            return redirect("revenue:order", pk=pk)
    return _order_page(request, selectors_deals.order_get(request.user, pk), status=status, step_form=form)


def _step_done(step: str) -> str:
    return str(
        {
            "confirm": OrderStatus.CONFIRMED.label,
            "ship": OrderStatus.SHIPPED.label,
            "deliver": OrderStatus.DELIVERED.label,
            "cancel": OrderStatus.CANCELLED.label,
        }[step]
    ).lower()


@login_required
@require_POST
def order_invoice(request, pk: int):
    order = selectors_deals.order_get(request.user, pk)
    _require_bill(request, order.account)
    form = OrderInvoiceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invoice, _created = idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope="order_invoice",
                model=Invoice,
                write=lambda: orders.order_invoice(
                    by=request.user, order=order, issued_on=data["issued_on"], due_on=data["due_on"]
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            apply_service_error(form, exc)  # the order's state, its lines, the rate: at the form's top
        else:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            return redirect("revenue:order", pk=pk)
    return _order_page(request, selectors_deals.order_get(request.user, pk), status=400, invoice_form=form)
