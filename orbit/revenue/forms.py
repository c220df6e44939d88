"""The ledger's web forms: an invoice, a credit note, a payment. Amounts are typed as people type them
(`AmountField`); the services (`invoicing`, `payments`) check everything else and their errors land on the
fields they name."""

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from orbit.accounts.models import Currency
from orbit.common.forms import DateField
from orbit.revenue.invoicing import DEFAULT_PAYMENT_DAYS, LineInput
from orbit.revenue.models import Invoice, InvoiceLine, Product
from orbit.revenue.money import parse_amount
from orbit.revenue.rates import base_currency

# Blank line rows an invoice form offers (Orbit's default); "More lines" adds as many again.
INVOICE_FORM_LINES = 5
MAX_INVOICE_FORM_LINES = 100
MAX_TYPED = 40  # characters of a typed amount: 18 digits with spaces and a sign fit


class AmountField(forms.CharField):
    """An amount as people type it: "1 234 567,89", "1234567.89", with no-break or thin spaces between the
    thousands (`money.parse_amount`). Cleans to a Decimal with at most `places` decimals; None when left empty
    and not required."""

    def __init__(self, *, places: int = 2, positive: bool = True, **kwargs):
        self.places = places
        self.positive = positive
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "class": "num", "maxlength": str(MAX_TYPED)}
        )

    def to_python(self, value) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > MAX_TYPED:
            raise ValidationError(_("Enter an amount like 1 234 567,89."), code="invalid")
        return parse_amount(text, places=self.places)

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and self.positive and value <= 0:
            raise ValidationError(_("Enter an amount greater than zero."), code="not_positive")

    def prepare_value(self, value):
        # A Decimal shown back in the form reads as typed in the person's language ("1234,50" in Russian).
        if isinstance(value, Decimal):
            return number_format(value, use_l10n=True)
        return value


def _currency_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=base_currency)


class InvoiceForm(forms.Form):
    issued_on = DateField(label=_("Date"), initial=timezone.localdate)
    due_on = DateField(
        label=_("Due"),
        required=False,
        help_text=format_lazy(
            _("Empty: {days} days after the date (Orbit's default payment term)."), days=DEFAULT_PAYMENT_DAYS
        ),
    )
    currency = _currency_field()
    number = forms.CharField(
        label=_("Number"), max_length=60, required=False, help_text=_("Empty: the next number in sequence.")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class InvoiceLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True).order_by("name"),
        required=False,
    )
    quantity = AmountField(label=_("Quantity"), places=3, initial="1", required=False)
    unit_price = AmountField(
        label=_("Price"),
        required=False,
        positive=False,
        help_text=_("Empty: the price list, the client's agreement or his loyalty discount."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the lines table the column heads label the inputs (invoice_form.html).
        for name in ("product", "quantity", "unit_price"):
            self.fields[name].widget.attrs["aria-labelledby"] = f"h-{name.replace('unit_', '')}"

    def clean(self):
        data = super().clean()
        if data.get("product") is None and (data.get("unit_price") is not None or self._quantity_typed()):
            self.add_error("product", _("Choose the product of this line."))
        if data.get("product") is not None and data.get("quantity") is None:
            self.add_error("quantity", _("Enter the quantity."))
        price = data.get("unit_price")
        if price is not None and price < 0:
            self.add_error("unit_price", _("A price cannot be negative."))
        return data

    def _quantity_typed(self) -> bool:
        typed = (self.data.get(self.add_prefix("quantity")) or "").strip()
        return typed not in ("", "1")

    def line(self) -> LineInput | None:
        """The line for `invoice_issue`, None for a row left blank."""
        product = self.cleaned_data.get("product")
        if product is None:
            return None
        return LineInput(
            product=product,
            quantity=self.cleaned_data["quantity"],
            unit_price=self.cleaned_data["unit_price"],
        )


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError(_("Add at least one line: a product and its quantity."), code="no_lines")

    def lines(self) -> list[LineInput]:
        return [line for form in self.forms if (line := form.line()) is not None]


def invoice_line_formset(data=None):
    """Five blank rows to start with; a posted form says itself how many rows it has."""
    extra = INVOICE_FORM_LINES
    formset_class = forms.formset_factory(
        InvoiceLineForm,
        formset=BaseLineFormSet,
        extra=extra,
        max_num=MAX_INVOICE_FORM_LINES,
        validate_max=True,
    )
    return formset_class(data, prefix="lines")


class CreditNoteForm(forms.Form):
    """A credit note on an invoice: how much of each of its lines goes back (a quantity, typed positive)."""

    issued_on = DateField(label=_("Date"), initial=timezone.localdate)
    note = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, lines: Sequence[InvoiceLine] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice_lines = lines
        for line in lines:
            self.fields[f"line_{line.pk}"] = AmountField(
                label=_("Quantity to credit"), places=3, required=False
            )

    def rows(self):
        """(invoice line, its quantity field) for the template."""
        return [(line, self[f"line_{line.pk}"]) for line in self.invoice_lines]

    def clean(self):
        data = super().clean()
        for line in self.invoice_lines:
            quantity = data.get(f"line_{line.pk}")
            if quantity is not None and quantity > line.quantity:
                self.add_error(
                    f"line_{line.pk}",
                    _("At most %(quantity)s: the invoice has no more on this line.")
                    % {"quantity": number_format(line.quantity.normalize(), use_l10n=True)},
                )
        if not self.errors and not any(data.get(f"line_{line.pk}") for line in self.invoice_lines):
            raise ValidationError(_("Enter the quantity to credit on at least one line."), code="no_lines")
        return data

    def lines(self) -> list[LineInput]:
        """Credit-note lines as stored: the invoice line's price, discount, cost and VAT, a negative quantity."""
        result = []
        for line in self.invoice_lines:
            quantity = self.cleaned_data.get(f"line_{line.pk}")
            if quantity:
                result.append(
                    LineInput(
                        product=line.product,
                        quantity=-quantity,
                        unit_price=line.unit_price,
                        discount_percent=line.discount_percent,
                        description=line.description,
                        unit_cost=line.unit_cost,
                        vat_category=line.vat_category,
                    )
                )
        return result


class Allocation(models.TextChoices):
    OLDEST = "oldest", _("To the oldest open invoices first")
    CHOSEN = "chosen", _("To the invoices I choose")
    CREDIT = "credit", _("Keep it all as the client's credit")


class PaymentForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    currency = _currency_field()
    received_on = DateField(label=_("Received"), initial=timezone.localdate)
    reference = forms.CharField(label=_("Payment document"), max_length=100, required=False)
    allocation = forms.ChoiceField(
        label=_("Allocate"), choices=Allocation.choices, initial=Allocation.OLDEST, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, open_invoices: Sequence[Invoice] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.open_invoices = open_invoices
        for invoice in open_invoices:
            self.fields[f"invoice_{invoice.pk}"] = AmountField(
                label=_("Allocate to %(number)s") % {"number": invoice.number}, required=False
            )

    def rows(self):
        """(open invoice, its allocation field) for the template."""
        return [(invoice, self[f"invoice_{invoice.pk}"]) for invoice in self.open_invoices]

    def clean(self):
        data = super().clean()
        if data.get("allocation") == Allocation.CHOSEN and not self.chosen():
            self.add_error(
                "allocation", _("Enter the amount for at least one invoice, or allocate otherwise.")
            )
        return data

    def chosen(self) -> list[tuple[Invoice, Decimal]]:
        return [
            (invoice, amount)
            for invoice in self.open_invoices
            if (amount := self.cleaned_data.get(f"invoice_{invoice.pk}"))
        ]

    def allocate(self) -> list[tuple[Invoice, Decimal]] | None:
        """What `payment_record` takes: None = oldest first, [] = all as credit, else the chosen invoices."""
        mode = self.cleaned_data["allocation"]
        if mode == Allocation.OLDEST:
            return None
        if mode == Allocation.CREDIT:
            return []
        return self.chosen()
