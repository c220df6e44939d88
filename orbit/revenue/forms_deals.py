"""Forms of the contracts and orders pages. They parse what people type; the services decide the rules."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.accounts.models import Currency
from orbit.common.forms import DateField, DateTimeInput
from orbit.org.models import User
from orbit.revenue.models import Contract, ContractStatus, Order, Product
from orbit.revenue.money import parse_amount
from orbit.revenue.orders import OrderLineInput


class AmountField(forms.CharField):
    """An amount as people type it ("1 234 567,89", with a no-break space), to a Decimal; empty is None."""

    def __init__(self, *, places: int = 2, **kwargs):
        self.places = places
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        return value

    def to_python(self, value) -> Decimal | None:  # type: ignore[override]
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return parse_amount(value, places=self.places)


def _people(account, current=None):
    """Who may watch the account's contract or order: its responsible manager and its account team."""
    people = Q(pk=account.responsible_manager_id) | Q(
        account_roles__account=account, account_roles__ended_at__isnull=True
    )
    if current is not None:
        people |= Q(pk=current.pk)
    return User.objects.filter(people, is_active=True).distinct().order_by("display_name")


class ContractForm(forms.ModelForm):
    amount = AmountField(label=_("amount"))
    signed_on = DateField(label=_("signed"), required=False)
    starts_on = DateField(label=_("starts"))
    ends_on = DateField(label=_("ends"), required=False)
    renewal_on = DateField(
        label=_("renewal date"),
        required=False,
        help_text=_("Blank: the end date. The last day to give notice is this day minus the notice period."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contract
        fields = [
            "number",
            "subject",
            "signed_on",
            "starts_on",
            "ends_on",
            "amount",
            "currency",
            "auto_renewal",
            "renewal_months",
            "renewal_on",
            "notice_days",
            "manager",
            "terms",
        ]
        widgets = {"terms": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "manager": _("Whose day shows the renewal and notice deadlines. Blank: the responsible manager."),
            "renewal_months": _("Required when the contract renews automatically."),
        }

    def __init__(self, *args, account, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = _people(
            account, self.instance.manager if self.instance.pk else None
        )
        self.fields["manager"].required = False
        if creating:
            self.fields["status"] = forms.ChoiceField(
                label=_("status"),
                choices=[
                    (ContractStatus.ACTIVE, ContractStatus.ACTIVE.label),
                    (ContractStatus.DRAFT, ContractStatus.DRAFT.label),
                ],
                initial=ContractStatus.ACTIVE,
                help_text=_("A draft has no deadlines on anyone's day until it is activated."),
            )
        else:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        pass  # the service validates, inside its transaction

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RenewForm(forms.Form):
    ends_on = DateField(
        label=_("new end"),
        required=False,
        help_text=_("Blank: renew for the contract's renewal period from its current end."),
    )
    renewal_on = DateField(label=_("renewal date"), required=False, help_text=_("Blank: the new end."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TerminateForm(forms.Form):
    terminated_on = DateField(label=_("terminated on"))
    reason = forms.CharField(label=_("reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ActivateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OrderForm(forms.Form):
    number = forms.CharField(
        label=_("number"), max_length=60, required=False, help_text=_("Blank: Orbit numbers it (ORD-000123).")
    )
    received_at = forms.DateTimeField(
        label=_("received from the client"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("When the client sent it; blank: now. Prices and VAT are those of this day."),
    )
    currency = forms.ChoiceField(label=_("currency"), choices=Currency.choices, initial=Currency.RUB)
    promised_on = DateField(label=_("delivery promised for"), required=False)
    contract = forms.ModelChoiceField(label=_("contract"), queryset=Contract.objects.none(), required=False)
    opportunity = forms.ModelChoiceField(
        label=_("fulfils the opportunity"),
        queryset=Order._meta.get_field("opportunity").related_model.objects.none(),
        required=False,
        help_text=_(
            "A won opportunity of this client: its invoices count as that kind of sale (upsell, renewal…)."
        ),
    )
    manager = forms.ModelChoiceField(
        label=_("manager"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Blank: the responsible manager."),
    )
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(account=account).exclude(
            status=ContractStatus.TERMINATED
        )
        # Growth's Opportunity, reached through the field: the ledger does not import growth.
        opportunities = Order._meta.get_field("opportunity").related_model.objects
        self.fields["opportunity"].queryset = opportunities.filter(account=account, status="won").order_by(
            "-closed_on"
        )
        self.fields["manager"].queryset = _people(account)

    def clean_received_at(self):
        return self.cleaned_data["received_at"] or timezone.now()


class OrderLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("product"), queryset=Product.objects.filter(is_active=True).order_by("name")
    )
    quantity = AmountField(label=_("quantity"), places=3, required=True)
    unit_price = AmountField(
        label=_("price"), help_text=_("Blank: from the price list or the client's agreement.")
    )
    discount_percent = AmountField(label=_("discount, %"))

    def line(self) -> OrderLineInput:
        data = self.cleaned_data
        return OrderLineInput(
            product=data["product"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            discount_percent=data["discount_percent"],
        )


# One line to start with; "Add a line" brings another (a round trip, or htmx swapping the form in place).
OrderLineFormSet = forms.formset_factory(
    OrderLineForm, extra=1, min_num=1, validate_min=True, max_num=200, validate_max=True
)


class OrderStepForm(forms.Form):
    STEPS = ("confirm", "ship", "deliver", "cancel")
    step = forms.ChoiceField(choices=[(s, s) for s in STEPS])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    delivered_on = DateField(label=_("delivered"), required=False)
    reason = forms.CharField(label=_("reason for cancelling"), max_length=300, required=False)


class OrderInvoiceForm(forms.Form):
    issued_on = DateField(label=_("invoice date"))
    due_on = DateField(
        label=_("due"),
        required=False,
        help_text=_("Blank: Orbit’s default payment term after the invoice date."),
    )
