"""Importing invoices and credit notes, one row per LINE (the shape of 1C's and most systems' exports).

Rows with the same document number (and kind) are one document: grouped wherever they are in the file and
issued through the ledger's own services (`invoicing.invoice_issue` / `credit_note_issue`) with all their lines
at once, so an imported invoice is exactly one typed in: the same checks, VAT at the rate of its date, the
currency rate of its date, the manager responsible on its date (import the ownership history first), the
monthly revenue and the receivables kept.

- A line names a catalog product by article or name; text the catalog does not know is a line described by
  it (no product line then), and needs its price and VAT rate in the file. A product's empty price is the price
  list's, as on the invoice form.
  Beside an article column, a "description" column (Orbit's own export has both) is the line's text; a blank
  article there is a line without a product.
- An external id (Orbit's export writes it) is kept on the document; one already on another document of the
  kind is a row error (the ledger would take the new one for a repeated push of the old).
- "Сумма" (amount), "Сумма НДС" (VAT) are checked against what the ledger computes (the amount may be net or
  with VAT); a difference is a row error: the file's arithmetic is not silently replaced.
- A credit note: the kind column says so ("Корректировка", "Возврат", "Credit note"), or the quantity or the
  amount is negative; it needs the number of the invoice it corrects ("Корректирует счёт"), in the base or in
  the file. Its quantities are stored negative, whatever sign the file gives.
- Numbers are unique per kind in the whole base (the ledger's rule). A number already there on the same client:
  the document is skipped (an issued invoice is never edited; a correction is a credit note), and the report
  says so for its rows. On another client, or one the importer does not see: a row error, as the form says.
- Counts are documents: an invoice of three lines is one "new".
"""

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.access import policy
from orbit.accounts.models import Account
from orbit.imports import money_undo, records
from orbit.imports.account_ref import AccountFinder
from orbit.imports.engine import (
    Kind,
    Report,
    Row,
    RowFailed,
    choice_words,
    import_file,
    readable_rows,
    word,
)
from orbit.imports.ledger_rows import CURRENCY_FIELD, INN_FIELDS, parse_currency
from orbit.imports.mapping import Field, normalise
from orbit.imports.reading import Table
from orbit.imports.values import ValueProblem, parse_date, parse_number, parse_text
from orbit.org.models import Role, User
from orbit.revenue import invoicing, rates
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import Invoice, InvoiceKind, Product, VatCategory
from orbit.revenue.money import round_money

FIELDS = (
    Field(
        "number",
        _lazy("document number"),
        ("номер", "номер документа", "номер счета", "invoice number", "invoice no", "number", "no"),
        required=True,
    ),
    Field(
        "issued_on",
        _lazy("document date"),
        ("дата", "дата документа", "дата счета", "date", "invoice date"),
        required=True,
    ),
    *INN_FIELDS,
    CURRENCY_FIELD,
    Field("due_on", _lazy("pay by"), ("срок оплаты", "оплатить до", "due date", "due on", "payment due")),
    Field(
        "kind",
        _lazy("kind of document"),
        ("вид документа", "тип документа", "документ", "document type", "kind", "document"),
    ),
    Field(
        "corrects",
        _lazy("corrects invoice number"),
        ("корректирует счет", "корректировка счета", "исходный счет", "credit note for", "corrects invoice"),
    ),
    Field(
        "product",
        _lazy("product or service"),
        (
            "номенклатура",
            "товар",
            "услуга",
            "товар услуга",
            "артикул",
            "product",
            "item",
            "service",
            "sku",
            "article",
        ),
        required=True,
    ),
    # Beside an article column (Orbit's own export): the line's text; with the article blank, a line without a
    # product described by it.
    Field("description", _lazy("description of the line"), ("описание", "содержание", "description")),
    Field("quantity", _lazy("quantity of the line"), ("количество", "кол во", "quantity", "qty")),
    Field("unit_price", _lazy("price of the line"), ("цена", "цена без ндс", "price", "unit price")),
    Field("discount", _lazy("discount of the line, %"), ("скидка", "скидка %", "discount", "discount %")),
    Field(
        "amount",
        _lazy("amount of the line"),
        ("сумма", "сумма без ндс", "сумма с ндс", "amount", "line amount", "net amount"),
    ),
    Field("vat", _lazy("VAT rate of the line"), ("ставка ндс", "ндс %", "vat rate", "vat %")),
    Field("vat_amount", _lazy("VAT of the line"), ("сумма ндс", "ндс", "vat amount", "vat")),
    Field("unit_cost", _lazy("unit cost of the line"), ("себестоимость", "unit cost", "cost")),
    Field(
        "external_id",
        _lazy("external id"),
        ("внешний id", "внешний код", "id во внешней системе", "external id", "external reference"),
    ),
)
PRESETS: dict[str, dict[str, str]] = {}

_KIND_WORDS = {
    normalise(w): InvoiceKind.CREDIT_NOTE
    for w in ("корректировка", "корректировочный счет", "кредит нота", "возврат", "credit note", "credit")
} | {normalise(w): InvoiceKind.INVOICE for w in ("счет", "счет на оплату", "invoice", "реализация")}


@functools.cache
def _kind_words() -> dict[str, str]:
    """The kinds as Orbit's export writes them (labels in RU and EN) and as other systems do."""
    return choice_words(InvoiceKind.choices, _KIND_WORDS)


_EXEMPT = {
    normalise(w) for w in ("без ндс", "без налога", "не облагается", "exempt", "without vat", "no vat")
}
# The file's columns the ledger's field errors belong to.
_FIELD_OF_SERVICE = {
    "currency": "currency",
    "issued_on": "issued_on",
    "due_on": "due_on",
    "number": "number",
    "account": "inn",
    "invoice": "corrects",
    "external_id": "external_id",
}


@dataclass
class _Line:
    row: Row
    kind: str
    number: str
    account: Account
    issued_on: dt.date
    due_on: dt.date | None
    currency: str
    corrects: str
    external_id: str
    line: LineInput
    amount: Decimal | None
    vat_amount: Decimal | None


@dataclass
class _Document:
    lines: list[_Line] = field(default_factory=list)
    failed: bool = False

    @property
    def first(self) -> _Line:
        return self.lines[0]


class _Catalog:
    """Products by article and by name (a name two products share is refused: write the article)."""

    def __init__(self) -> None:
        self.by_key: dict[str, Product | None] = {}
        for product in Product.objects.all():
            self.by_key[product.sku.lower()] = product
            key = normalise(product.name)
            self.by_key[key] = None if key in self.by_key and self.by_key[key] != product else product

    def find(self, text: str) -> Product | None:
        key = text.lower() if text.lower() in self.by_key else normalise(text)
        if key in self.by_key and self.by_key[key] is None:
            raise ValueProblem(_("Two products are called “%(name)s”: write the article.") % {"name": text})
        return self.by_key.get(key)


def _vat_category(row: Row, day: dt.date | None) -> str | None:
    cell = row.values.get("vat")
    if cell in (None, "") or day is None:
        return None
    if normalise(str(cell)) in _EXEMPT:
        return VatCategory.EXEMPT
    percent = row.read("vat", lambda c: parse_number(str(c).replace("%", "")))
    if percent is None:
        return None
    if Decimal(0) < percent < 1:  # 0,2 as a spreadsheet's percent cell keeps 20 %
        percent *= 100
    for category in (VatCategory.STANDARD, VatCategory.REDUCED, VatCategory.ZERO):
        try:
            if rates.vat_on(category, day) == percent:
                return category
        except ValidationError:
            continue
    row.fail(
        "vat",
        _("No VAT rate of %(percent)s %% is in force on %(day)s.")
        % {"percent": percent.normalize(), "day": day.strftime("%d.%m.%Y")},
    )
    return None


def _read(row: Row, accounts: AccountFinder, catalog: _Catalog) -> _Line | None:
    number = row.read("number", lambda c: parse_text(c, max_length=60), "")
    if not number and not row.failed_on("number"):
        row.fail("number", _("Fill in the document number."))
    issued_on = row.require("issued_on", parse_date, _("Fill in the document date."))
    due_on = row.read("due_on", parse_date)
    account = accounts.for_row(row)
    currency = row.read("currency", parse_currency, "")
    kind = row.read(
        "kind",
        word(_kind_words(), _("“%(value)s” is not a kind of document: write “счёт” or “корректировка”.")),
    )
    corrects = row.read("corrects", lambda c: parse_text(c, max_length=60), "")
    external_id = row.read("external_id", lambda c: parse_text(c, max_length=100), "")
    text = row.read("product", lambda c: parse_text(c, max_length=300), "")
    described = row.read("description", lambda c: parse_text(c, max_length=300), "")
    if not text and not described and not row.failed_on("product") and not row.failed_on("description"):
        row.fail("product", _("Fill in the product or service."))
    product = row.read("product", lambda _c: catalog.find(text)) if text else None
    text = text or described
    quantity = row.read("quantity", lambda c: parse_number(c, places=3))
    price = row.read("unit_price", parse_number)
    discount = row.read(
        "discount", lambda c: parse_number(str(c).replace("%", "")) if c not in (None, "") else None
    )
    amount = row.read("amount", parse_number)
    vat_amount = row.read("vat_amount", parse_number)
    unit_cost = row.read("unit_cost", parse_number)
    category = _vat_category(row, issued_on)
    negative = any(v is not None and v < 0 for v in (quantity, amount))
    if kind is None:
        kind = InvoiceKind.CREDIT_NOTE if negative or corrects else InvoiceKind.INVOICE
    elif kind == InvoiceKind.INVOICE and negative:
        row.fail("kind", _("An invoice has no negative lines: a return is a credit note."))
    if kind == InvoiceKind.CREDIT_NOTE and not corrects and not row.failed_on("corrects"):
        row.fail("corrects", _("A credit note needs the number of the invoice it corrects."))
    quantity = Decimal(1) if quantity is None else abs(quantity)
    if price is None and amount is not None and quantity:
        price = abs(amount) / quantity  # an amount without a price: the price it implies, if in kopecks
        if round_money(price) != price:
            row.fail(
                "unit_price", _("Fill in the price: the amount divided by the quantity is not in kopecks.")
            )
        price = round_money(price)
    if product is None and text:
        if price is None and not row.failed_on("unit_price"):
            row.fail("unit_price", _("“%(name)s” is not in the catalog: fill in its price.") % {"name": text})
        if category is None and not row.failed_on("vat"):
            row.fail("vat", _("“%(name)s” is not in the catalog: fill in its VAT rate.") % {"name": text})
    if row.errors:
        return None
    line = LineInput(
        product=product,
        quantity=-quantity if kind == InvoiceKind.CREDIT_NOTE else quantity,
        unit_price=None if price is None else abs(price),
        discount_percent=discount,
        description=described if product else text,
        unit_cost=unit_cost,
        vat_category=category,
    )
    return _Line(
        row,
        kind,
        number,
        account,
        issued_on,
        due_on,
        currency,
        corrects,
        external_id,
        line,
        amount,
        vat_amount,
    )


def _same_document(first: _Line, other: _Line) -> None:
    """A document's rows must agree on what the document has once."""
    for key, mine, theirs in (
        ("issued_on", other.issued_on, first.issued_on),
        ("inn", other.account, first.account),
        ("currency", other.currency, first.currency),
        ("due_on", other.due_on, first.due_on),
        ("corrects", other.corrects, first.corrects),
        ("external_id", other.external_id, first.external_id),
    ):
        if mine != theirs:
            other.row.fail(
                key,
                _("Row %(row)s has another value here for document %(number)s: its rows must agree.")
                % {"row": first.row.number, "number": first.number},
            )


def _service_errors(document: _Document, exc: ValidationError | PermissionDenied) -> None:
    """The ledger's refusal on the rows: "Line 2: …" goes to the document's second row."""
    first = document.first.row
    if isinstance(exc, PermissionDenied):
        first.fail("inn", str(exc))
        return
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for name, texts in messages.items():
        for text in texts:
            for n, line in enumerate(document.lines, start=1):
                prefix = _("Line %(n)s: %(error)s") % {"n": n, "error": ""}
                if name == "lines" and text.startswith(prefix):
                    line.row.fail("product", text[len(prefix) :])
                    break
            else:
                first.fail(_FIELD_OF_SERVICE.get(name, "number"), text)


def _check_amounts(document: _Document, invoice: Invoice) -> None:
    """The file's amounts against the ledger's arithmetic, line by line."""
    for item, line in zip(document.lines, invoice.lines.order_by("id"), strict=True):
        if item.amount is not None and abs(item.amount) not in (abs(line.net_amount), abs(line.total_amount)):
            item.row.fail(
                "amount",
                _(
                    "The ledger makes this line %(net)s without VAT, %(total)s with it: check the price and quantity."
                )
                % {"net": abs(line.net_amount), "total": abs(line.total_amount)},
            )
        if item.vat_amount is not None and abs(item.vat_amount) != abs(line.vat_amount):
            item.row.fail(
                "vat_amount",
                _("The VAT of this line at its rate is %(vat)s.") % {"vat": abs(line.vat_amount)},
            )


def _issue(by: User, document: _Document, corrected: Invoice | None) -> Invoice:
    first = document.first
    lines = [x.line for x in document.lines]
    if first.kind == InvoiceKind.CREDIT_NOTE:
        assert corrected is not None  # found by _one before
        return invoicing.credit_note_issue(
            by=by,
            invoice=corrected,
            issued_on=first.issued_on,
            lines=lines,
            number=first.number,
            external_id=first.external_id,
        )
    return invoicing.invoice_issue(
        by=by,
        account=first.account,
        issued_on=first.issued_on,
        due_on=first.due_on,
        currency=first.currency,
        lines=lines,
        number=first.number,
        external_id=first.external_id,
    )


def _rows_text(document: _Document) -> str:
    return ", ".join(str(x.row.number) for x in document.lines)


def _one(by: User, document: _Document, report: Report) -> str:
    """Issue one document; its outcome ("new", "unchanged" or "failed"), the reasons on its rows."""
    first = document.first
    # Numbers are unique across the base (the ledger's rule): looked up over all accounts, as the service does;
    # another client's document is only ever "the number is taken", never shown.
    existing = Invoice.objects.filter(kind=first.kind, number=first.number).first()
    if existing is not None:
        if existing.account_id == first.account.pk:
            report.notes.append(
                _(
                    "%(number)s (rows %(rows)s) is already in the base; an issued document is never edited: skipped."
                )
                % {"rows": _rows_text(document), "number": first.number}
            )
            return "unchanged"
        first.row.fail("number", _("The number %(number)s is already taken.") % {"number": first.number})
        return "failed"
    # The ledger would take a second document with a known external id for a repeated push of the first.
    if first.external_id and Invoice.objects.filter(kind=first.kind, external_id=first.external_id).exists():
        first.row.fail(
            "external_id",
            _("Another document already has the external id %(id)s.") % {"id": first.external_id},
        )
        return "failed"
    corrected = None
    if first.kind == InvoiceKind.CREDIT_NOTE:
        corrected = (
            Invoice.objects.visible_to(by).filter(kind=InvoiceKind.INVOICE, number=first.corrects).first()
        )
        if corrected is None or corrected.account_id != first.account.pk:
            first.row.fail(
                "corrects",
                _("No invoice %(number)s of this client among the invoices you see.")
                % {"number": first.corrects},
            )
            return "failed"
    try:
        with transaction.atomic():
            invoice = _issue(by, document, corrected)
            _check_amounts(document, invoice)
            if any(x.row.errors for x in document.lines):
                raise RowFailed
    except (ValidationError, PermissionDenied) as exc:
        _service_errors(document, exc)
        return "failed"
    except RowFailed:
        return "failed"
    report.touched[invoice.pk] = (first.row.number, "new", {}, invoice.account_id)
    return "new"


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    """`on_duplicate` does not apply: an issued document is never updated, a number in the base is skipped."""
    accounts, catalog = AccountFinder(by, by_name=False), _Catalog()
    documents: dict[tuple[str, str], _Document] = {}
    unread: list[Row] = []
    for row in readable_rows(table, columns, report):
        item = _read(row, accounts, catalog)
        if item is None:
            unread.append(row)
            continue
        document = documents.setdefault((item.kind, item.number), _Document())
        if document.lines:
            _same_document(document.first, item)
        document.lines.append(item)
    # A document with an unreadable row does not go in half: it fails as a whole, counted once.
    failed_numbers = {str(r.values.get("number") or "").strip() for r in unread}
    report.failed += sum(1 for r in unread if not str(r.values.get("number") or "").strip())
    report.failed += len(failed_numbers - {number for _kind, number in documents} - {""})
    # Invoices first: a credit note may correct an invoice of the same file.
    for (_kind, number), document in sorted(
        documents.items(), key=lambda kv: kv[0][0] != InvoiceKind.INVOICE
    ):
        if number in failed_numbers or any(x.row.errors for x in document.lines):
            report.failed += 1
            continue
        report.count(_one(by, document, report))
    rows = [*unread, *(x.row for d in documents.values() for x in d.lines)]
    report.errors.extend(sorted((e for r in rows for e in r.errors), key=lambda e: e.row))


def may_import(user: User) -> bool:
    """Whoever may bill: the ledger then checks each document's account (`require_bill`), so a manager imports
    the documents of his own clients only; an auditor, who never posts to the books, none."""
    return policy.can_create_account(user) and (user.is_superuser or not user.has_role(Role.AUDITOR))


KIND = Kind(
    name="invoices",
    label=_lazy("Invoices"),
    fields=FIELDS,
    presets=PRESETS,
    may_import=may_import,
    run=_run,
    remember=records.remember(Invoice, "revenue.invoice"),
    undo=money_undo.undo_invoices,
)


def import_invoices(**options) -> Report:
    return import_file(KIND, **options)
