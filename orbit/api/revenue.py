"""The money ledger for integrations: 1C and billing systems push invoices, credit notes and payments; reports
read them, the balances, the catalog and the currency rates.

As elsewhere in the API: reads go through `visible_to(user)` (a document of an account the user may not see
answers 404, exactly like a missing id); writes need `permissions.can_bill` on the account (403 with the reason,
before the payload is looked at); the services do the rest and their field errors come back as 422. An account,
invoice or payment id in a payload that the user may not see is refused like one in the path: 404.

A push is idempotent twice over: by its `external_id` (the same content again answers 200 with the existing
document, other content 409 naming it: the services decide) and by the `Idempotency-Key` header. Pushes of one
external id are serialised (a PostgreSQL advisory lock held to the end of the transaction), so two copies of a
retried push sent at once create one document and the second sees it.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orbit.accounts.models import Account
from orbit.accounts.selectors import account_get
from orbit.api.accounts import WRITE_ERRORS, _page
from orbit.api.errors import is_conflict
from orbit.api.revenue_schemas import (
    AllocationAddIn,
    BalanceOut,
    CreditNoteIn,
    CurrencyRateOut,
    CurrencyRatePage,
    CurrencyRateQuery,
    CurrencyRatesIn,
    InvoiceDetail,
    InvoiceIn,
    InvoicePage,
    InvoiceQuery,
    LineIn,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    PaymentQuery,
    ProductPage,
    ProductQuery,
)
from orbit.api.schemas import ErrorOut, Id
from orbit.common import idempotency
from orbit.revenue import balances, invoicing, payments, rate_loading
from orbit.revenue.fingerprints import conflict
from orbit.revenue.models import (
    CurrencyRate,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    Product,
    ProductPrice,
)
from orbit.revenue.permissions import require_bill
from orbit.revenue.rates import base_currency

router = Router()

READ = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LIST = {401: ErrorOut, 422: ErrorOut}
PUSH = {**WRITE_ERRORS}  # 401, 403, 404, 409 (external id used with other content), 422

M = TypeVar("M", bound=models.Model)


# --- reading documents ------------------------------------------------------------------------------------


def _invoices(user) -> QuerySet[Invoice]:
    return Invoice.objects.visible_to(user).select_related("account", "manager")


def _invoice_detail(user, pk: int) -> Invoice:
    invoice = (
        _invoices(user)
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.select_related("product").order_by("id")),
            Prefetch("credit_notes", queryset=Invoice.objects.order_by("issued_on", "id")),
            Prefetch(
                "allocations", queryset=PaymentAllocation.objects.select_related("payment").order_by("id")
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


def _payments(user) -> QuerySet[Payment]:
    return (
        Payment.objects.visible_to(user)
        .select_related("account", "manager")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("invoice")
                .only("id", "payment_id", "amount", "created_at", "invoice__id", "invoice__number")
                .order_by("id"),
            )
        )
    )


def _payment(user, pk: int) -> Payment:
    payment = _payments(user).filter(pk=pk).first()
    if payment is None:
        raise Http404
    return payment


def document_json(user, document: Invoice | Payment) -> dict | None:
    """The document as its reader sees it (the `current` of a 409), or None when he may not see it."""
    try:
        if isinstance(document, Payment):
            return PaymentOut.from_orm(_payment(user, document.pk)).model_dump(mode="json")
        return InvoiceDetail.from_orm(_invoice_detail(user, document.pk)).model_dump(mode="json")
    except Http404:
        return None


# --- writing: who may, and once per external id -----------------------------------------------------------


def _billable(user, account: Account) -> Account:
    require_bill(user, account)  # 403 with the services' reason, before the payload is looked at
    return account


def _serialise(scope: str, external_id: str) -> None:
    """Pushes of one external id wait for each other until the transaction ends (PostgreSQL); SQLite writes one
    transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"{scope}:{external_id}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def _pushed(
    request,
    *,
    scope: str,
    model: type[M],
    same_id: QuerySet,
    external_id: str,
    write: Callable[[], M],
    renames: dict[str, str] | None = None,
) -> tuple[M, bool]:
    """(the document, True) when this call wrote it; (the existing one, False) for a repeated push, by
    external id or by Idempotency-Key. A conflict carries the existing document, if the caller may see it."""
    user = request.auth
    with transaction.atomic():
        if external_id:
            _serialise(scope, external_id)
        existed = same_id.values_list("pk", flat=True).first() if external_id else None
        try:
            document, wrote = idempotency.once(
                user=user, key=idempotency.key_of(request), scope=scope, model=model, write=write
            )
        except ValidationError as exc:
            if is_conflict(exc):
                raise _conflict(user, same_id.first(), exc) from exc
            renamed = _renamed(exc, renames or {})
            if renamed is exc:
                raise
            raise renamed from exc
    return document, wrote and document.pk != existed


def _conflict(user, existing, exc: ValidationError) -> ValidationError:
    """The services' message, naming the existing document when the caller may see it (then also `current`);
    one he may not see is not named."""
    if existing is None or document_json(user, existing) is None:
        return conflict(
            {"external_id": ValidationError(_("This external id is already used by another document."))}
        )
    day = (existing.received_on if isinstance(existing, Payment) else existing.issued_on).strftime("%d.%m.%Y")
    if isinstance(existing, Payment):
        named = _("The existing payment: %(amount)s %(currency)s of %(day)s (id %(id)s).") % {
            "amount": existing.amount,
            "currency": existing.currency,
            "day": day,
            "id": existing.pk,
        }
    elif existing.kind == InvoiceKind.CREDIT_NOTE:
        named = _("The existing credit note: %(number)s of %(day)s (id %(id)s).") % {
            "number": existing.number,
            "day": day,
            "id": existing.pk,
        }
    else:
        named = _("The existing invoice: %(number)s of %(day)s (id %(id)s).") % {
            "number": existing.number,
            "day": day,
            "id": existing.pk,
        }
    error = conflict({"external_id": ValidationError([*exc.messages, named])})
    error.current = existing  # type: ignore[attr-defined]  # errors.py puts it in the 409's `current`
    return error


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The services' field names → the payload's (a payment's `allocate` is `allocations` here)."""
    if not hasattr(exc, "error_dict") or not set(names) & set(exc.error_dict):
        return exc
    renamed = ValidationError({names.get(k, k): ValidationError(v) for k, v in exc.error_dict.items()})
    if getattr(exc, "code", None):
        renamed.code = exc.code
    return renamed


def _line_inputs(lines: list[LineIn]) -> list[invoicing.LineInput]:
    """Lines of the payload → the services' LineInput; a product is found by id or by article (SKU)."""
    ids = {line.product for line in lines if line.product is not None}
    skus = {line.sku.strip() for line in lines if line.sku}
    products = list(Product.objects.filter(Q(pk__in=ids) | Q(sku__in=skus))) if ids or skus else []
    by_id = {product.pk: product for product in products}
    by_sku = {product.sku: product for product in products}
    problems = []
    result = []
    for n, line in enumerate(lines, start=1):
        product = None
        if line.product is not None:
            product = by_id.get(line.product)
            if product is None:
                problems.append(
                    _("Line %(n)s: there is no product with id %(id)s.") % {"n": n, "id": line.product}
                )
        if line.sku:
            found = by_sku.get(line.sku.strip())
            if found is None:
                problems.append(
                    _("Line %(n)s: there is no product with article %(sku)s.") % {"n": n, "sku": line.sku}
                )
            elif product is not None and found != product:
                problems.append(
                    _("Line %(n)s: the article and the product id name different products.") % {"n": n}
                )
            product = product or found
        result.append(
            invoicing.LineInput(
                product=product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                description=line.description.strip(),
                unit_cost=line.unit_cost,
                vat_category=line.vat_category,
            )
        )
    if problems:
        raise ValidationError({"lines": problems})
    return result


# --- invoices and credit notes ----------------------------------------------------------------------------


@router.get("/invoices", response={200: InvoicePage, **LIST}, tags=["invoices"])
def invoice_list(request, filters: Query[InvoiceQuery]):
    """Invoices and credit notes of the accounts you may see, the latest first. Repeat a list parameter for
    several values."""
    qs = _invoices(request.auth)
    today = timezone.localdate()
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.manager:
        qs = qs.filter(manager_id__in=filters.manager)
    if filters.kind:
        qs = qs.filter(kind__in=filters.kind)
    if filters.open is not None:
        qs = qs.filter(open_amount__gt=0) if filters.open else qs.filter(open_amount=0)
    if filters.overdue is not None:
        overdue = Q(open_amount__gt=0, due_on__lt=today)
        qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
    if filters.issued_from is not None:
        qs = qs.filter(issued_on__gte=filters.issued_from)
    if filters.issued_to is not None:
        qs = qs.filter(issued_on__lte=filters.issued_to)
    if filters.external_id:
        qs = qs.filter(external_id=filters.external_id)
    return _page(qs.order_by("-issued_on", "-id"), filters.limit, filters.offset)


@router.get("/invoices/{invoice_id}", response={200: InvoiceDetail, **READ}, tags=["invoices"])
def invoice_detail(request, invoice_id: Id):
    """An invoice or a credit note with its lines, the credit notes that correct it and the payments allocated
    to it."""
    return _invoice_detail(request.auth, invoice_id)


@router.post("/invoices", response={200: InvoiceDetail, 201: InvoiceDetail, **PUSH}, tags=["invoices"])
def invoice_create(request, payload: InvoiceIn):
    """Issue an invoice (201), or find the one pushed before with this `external_id` and the same content
    (200). Prices, discounts, costs and VAT left out come from the catalog, the client's agreements and the VAT
    rates of `issued_on`; amounts in a currency other than the base one need its rate on that day."""
    user = request.auth
    account = _billable(user, account_get(user, payload.account))
    lines = _line_inputs(payload.lines)
    external_id = payload.external_id.strip()
    invoice, created = _pushed(
        request,
        scope="invoice_push",
        model=Invoice,
        same_id=Invoice.objects.filter(kind=InvoiceKind.INVOICE, external_id=external_id),
        external_id=external_id,
        write=lambda: invoicing.invoice_issue(
            by=user,
            account=account,
            issued_on=payload.issued_on,
            currency=payload.currency,
            lines=lines,
            due_on=payload.due_on,
            number=payload.number.strip(),
            external_id=external_id,
            note=payload.note.strip(),
        ),
    )
    return Status(201 if created else 200, _invoice_detail(user, invoice.pk))


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    response={200: InvoiceDetail, 201: InvoiceDetail, **PUSH},
    tags=["invoices"],
)
def credit_note_create(request, invoice_id: Id, payload: CreditNoteIn):
    """Correct an invoice with a credit note (201), or find the one pushed before with this `external_id` and
    the same content (200). Lines carry negative quantities (what is taken back); the credit note may not take
    back more than the invoice holds. What it frees of a paid invoice becomes the client's credit."""
    user = request.auth
    invoice = _invoices(user).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404
    _billable(user, invoice.account)
    lines = _line_inputs(payload.lines)
    external_id = payload.external_id.strip()
    note, created = _pushed(
        request,
        scope="credit_note_push",
        model=Invoice,
        same_id=Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE, external_id=external_id),
        external_id=external_id,
        write=lambda: invoicing.credit_note_issue(
            by=user,
            invoice=invoice,
            issued_on=payload.issued_on,
            lines=lines,
            number=payload.number.strip(),
            external_id=external_id,
            note=payload.note.strip(),
        ),
    )
    return Status(201 if created else 200, _invoice_detail(user, note.pk))


# --- payments ---------------------------------------------------------------------------------------------


@router.get("/payments", response={200: PaymentPage, **LIST}, tags=["payments"])
def payment_list(request, filters: Query[PaymentQuery]):
    """Payments of the accounts you may see, the latest first, with their allocations."""
    qs = _payments(request.auth)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.manager:
        qs = qs.filter(manager_id__in=filters.manager)
    if filters.received_from is not None:
        qs = qs.filter(received_on__gte=filters.received_from)
    if filters.received_to is not None:
        qs = qs.filter(received_on__lte=filters.received_to)
    if filters.unallocated is not None:
        rest = Q(allocated_amount__lt=F("amount"))
        qs = qs.filter(rest) if filters.unallocated else qs.exclude(rest)
    if filters.external_id:
        qs = qs.filter(external_id=filters.external_id)
    return _page(qs.order_by("-received_on", "-id"), filters.limit, filters.offset)


@router.get("/payments/{payment_id}", response={200: PaymentOut, **READ}, tags=["payments"])
def payment_detail(request, payment_id: Id):
    return _payment(request.auth, payment_id)


def _allocation_targets(user, ids: list[int]) -> dict[int, Invoice]:
    """The invoices named in a payload, among those the user may see; one he may not see is a 404."""
    found = {invoice.pk: invoice for invoice in Invoice.objects.visible_to(user).filter(pk__in=ids)}
    if set(ids) - set(found):
        raise Http404
    return found


@router.post("/payments", response={200: PaymentOut, 201: PaymentOut, **PUSH}, tags=["payments"])
def payment_create(request, payload: PaymentIn):
    """Record a payment (201), or find the one pushed before with this `external_id` and the same content (200).
    It is allocated as `allocations` say, else to the account's open invoices in its currency, oldest due first;
    what is left is the client's credit (`unallocated`), not an error. An explicit allocation beyond what is open
    on its invoice is."""
    user = request.auth
    account = _billable(user, account_get(user, payload.account))
    allocate = None
    if payload.allocations is not None:
        invoices = _allocation_targets(user, [item.invoice for item in payload.allocations])
        allocate = [(invoices[item.invoice], item.amount) for item in payload.allocations]
    external_id = payload.external_id.strip()
    payment, created = _pushed(
        request,
        scope="payment_push",
        model=Payment,
        same_id=Payment.objects.filter(external_id=external_id),
        external_id=external_id,
        write=lambda: payments.payment_record(
            by=user,
            account=account,
            received_on=payload.received_on,
            amount=payload.amount,
            currency=payload.currency,
            allocate=allocate,
            reference=payload.reference.strip(),
            external_id=external_id,
            note=payload.note.strip(),
        ),
        renames={"allocate": "allocations"},
    )
    return Status(201 if created else 200, _payment(user, payment.pk))


@router.post(
    "/payments/{payment_id}/allocations",
    response={200: PaymentOut, 201: PaymentOut, **PUSH},
    tags=["payments"],
)
def payment_allocation_add(request, payment_id: Id, payload: AllocationAddIn):
    """Allocate (more of) a payment's credit to an open invoice of its account; answers the payment (201; 200
    for a retry with the same `Idempotency-Key`, which allocates nothing more)."""
    user = request.auth
    payment = _payment(user, payment_id)
    _billable(user, payment.account)
    invoice = _allocation_targets(user, [payload.invoice])[payload.invoice]
    _allocation, wrote = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="payment_allocate",
        model=PaymentAllocation,
        write=lambda: payments.payment_allocate(
            by=user, payment=payment, invoice=invoice, amount=payload.amount
        ),
    )
    return Status(201 if wrote else 200, _payment(user, payment.pk))


# --- balance ----------------------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/balance", response={200: BalanceOut, **READ}, tags=["payments"])
def account_balance(request, account_id: Id):
    """What the client owes today, in the base currency: open, overdue by ageing bucket, his credit, and his
    last purchase and payment."""
    account = account_get(request.auth, account_id)
    today = timezone.localdate()
    balance = balances.account_balance([account.pk], today=today)
    return {
        "account_id": account.pk,
        "on": today,
        "currency": base_currency(),
        "invoiced": balance.invoiced_base,
        "credited": balance.credited_base,
        "paid": balance.paid_base,
        "open": balance.open_base,
        "overdue": balance.overdue_base,
        "credit": balance.credit_base,
        "buckets": {bucket: balance.buckets.get(bucket, 0) for bucket in balances.BUCKETS},
        "last_purchase_on": balance.last_purchase_on,
        "last_payment_on": balance.last_payment_on,
    }


# --- catalog and currency rates ---------------------------------------------------------------------------


@router.get("/products", response={200: ProductPage, **LIST}, tags=["catalog"])
def product_list(request, filters: Query[ProductQuery]):
    """The catalog (read-only here; the admin keeps it) with the prices in force on `on`."""
    on = filters.on or timezone.localdate()
    prices = ProductPrice.objects.filter(valid_from__lte=on).order_by("currency", "-valid_from")
    qs = Product.objects.select_related("product_line").prefetch_related(
        Prefetch("prices", queryset=prices, to_attr="prices_on")
    )
    for word in filters.q.split():
        qs = qs.filter(Q(name__icontains=word) | Q(sku__icontains=word))
    if filters.product_line:
        qs = qs.filter(product_line_id__in=filters.product_line)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return _page(qs.order_by("name", "id"), filters.limit, filters.offset)


@router.get("/currency-rates", response={200: CurrencyRatePage, **LIST}, tags=["catalog"])
def currency_rate_list(request, filters: Query[CurrencyRateQuery]):
    """Rates to the base currency by day, the latest first."""
    qs = CurrencyRate.objects.all()
    if filters.currency:
        qs = qs.filter(currency__in=filters.currency)
    if filters.day_from is not None:
        qs = qs.filter(day__gte=filters.day_from)
    if filters.day_to is not None:
        qs = qs.filter(day__lte=filters.day_to)
    return _page(qs.order_by("-day", "currency"), filters.limit, filters.offset)


@router.post(
    "/currency-rates",
    response={200: list[CurrencyRateOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    tags=["catalog"],
)
def currency_rates_load(request, payload: CurrencyRatesIn):
    """Load a day's rates (administrators): each replaces that currency's rate of the day. All or nothing."""
    user = request.auth
    if not rate_loading.may_load_rates(user):
        raise PermissionDenied(_("Only an administrator loads currency rates."))
    return rate_loading.rates_load(
        by=user,
        day=payload.day,
        rates=[(item.currency, item.rate) for item in payload.rates],
        source=payload.source,
    )
