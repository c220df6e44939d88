"""One row of every ledger model on an account, written straight to the tables (no services, no checks of
business rules): for the scoping matrices, which only ask who may read which row."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from orbit.revenue.models import (
    AccountReceivable,
    AccountRevenueMonth,
    Contract,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    PriceAgreement,
    Product,
    ProductLine,
)


def ledger_rows(account, *, by) -> SimpleNamespace:
    day = timezone.localdate()
    line, _ = ProductLine.objects.get_or_create(
        code="rows", defaults={"name_ru": "Строки", "name_en": "Rows"}
    )
    product, _ = Product.objects.get_or_create(sku="ROWS-1", defaults={"name": "Товар", "product_line": line})
    money = {"net_total": Decimal(100), "vat_total": Decimal(22), "total": Decimal(122)}
    agreement = PriceAgreement.objects.create(
        account=account, product=product, fixed_price=90, valid_from=day
    )
    contract = Contract.objects.create(account=account, number=f"C-{account.pk}", starts_on=day, manager=by)
    order = Order.objects.create(
        account=account, number=f"O-{account.pk}", received_at=timezone.now(), manager=by, **money
    )
    order_line = OrderLine.objects.create(
        order=order,
        product=product,
        quantity=1,
        unit_price=100,
        net_amount=100,
        vat_category="standard",
        vat_percent=22,
        vat_amount=22,
    )
    base = {"net_total_base": Decimal(100), "cost_total_base": Decimal(60), "total_base": Decimal(122)}
    invoice = Invoice.objects.create(
        account=account,
        number=f"I-{account.pk}",
        issued_on=day,
        due_on=day + dt.timedelta(days=10),
        rate=1,
        order=order,
        contract=contract,
        manager=by,
        open_amount=Decimal(22),
        paid_total=Decimal(100),
        **money,
        **base,
    )
    invoice_line = InvoiceLine.objects.create(
        invoice=invoice,
        account=account,
        issued_on=day,
        product=product,
        product_line=line,
        quantity=1,
        unit_price=100,
        net_amount=100,
        vat_category="standard",
        vat_percent=22,
        vat_amount=22,
        total_amount=122,
        unit_cost=60,
        cost_amount=60,
        net_amount_base=100,
        cost_amount_base=60,
    )
    payment = Payment.objects.create(
        account=account,
        received_on=day,
        amount=100,
        rate=1,
        amount_base=100,
        allocated_amount=100,
        manager=by,
    )
    allocation = PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=100)
    month = AccountRevenueMonth.objects.create(
        account=account, month=day.replace(day=1), product_line=line, net_base=100, cost_base=60, lines=1
    )
    receivable = AccountReceivable.objects.create(
        account=account,
        as_of=day,
        open_base=22,
        overdue_base=0,
        not_due=22,
        d1_30=0,
        d31_60=0,
        d61_90=0,
        d90_plus=0,
        oldest_due_on=day + dt.timedelta(days=10),
    )
    return SimpleNamespace(
        receivable=receivable,
        agreement=agreement,
        contract=contract,
        order=order,
        order_line=order_line,
        invoice=invoice,
        invoice_line=invoice_line,
        payment=payment,
        allocation=allocation,
        month=month,
    )
