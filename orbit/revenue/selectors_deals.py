"""Reads of contracts and orders, scoped to what the reader may see (404 for the rest: existence does not leak)."""

from django.db.models import Prefetch
from django.http import Http404

from orbit.org.models import User
from orbit.revenue.models import Contract, Invoice, InvoiceKind, Order, OrderLine


def contract_get(user: User, pk: int) -> Contract:
    contract = (
        Contract.objects.visible_to(user)
        .select_related("account", "account__responsible_manager", "manager", "created_by")
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def contract_orders(contract: Contract, *, limit: int = 20) -> list[Order]:
    return list(contract.orders.order_by("-received_at", "-id")[:limit])


def order_get(user: User, pk: int) -> Order:
    order = (
        Order.objects.visible_to(user)
        .select_related(
            "account", "account__responsible_manager", "manager", "contract", "opportunity", "created_by"
        )
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id")),
            Prefetch(
                "invoices",
                queryset=Invoice.objects.filter(kind=InvoiceKind.INVOICE).order_by("issued_on", "id"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return order


def account_contracts(account, *, running_only: bool = False) -> list[Contract]:
    """The account's contracts for a choice (an order's contract): the running ones."""
    qs = Contract.objects.filter(account=account)
    if running_only:
        qs = qs.exclude(status="terminated")
    return list(qs.order_by("-starts_on", "number"))
