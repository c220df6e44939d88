from datetime import timedelta

from django import forms
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.access.policy import visible_accounts
from orbit.accounts import company_register
from orbit.accounts.models import STATUS_TRANSITIONS, Account, AccountStatus, ChangeReason, Contact, TeamRole
from orbit.accounts.selectors import manager_choices
from orbit.accounts.services import ACCOUNT_EDITABLE_FIELDS, CONTACT_EDITABLE_FIELDS
from orbit.common.forms import DateField, DateInput
from orbit.common.validators import normalize_phone, validate_inn, validate_kpp
from orbit.org.models import User


class VisibleAccountField(forms.ModelChoiceField):
    """An account picked by its number; only accounts the user may see are accepted (no id probing)."""

    widget = forms.HiddenInput

    def __init__(self, user, **kwargs):
        super().__init__(queryset=visible_accounts(user), **kwargs)
        self.error_messages["invalid_choice"] = _("Pick an account from the list.")


def _formfield(field, **kwargs):
    # People type "romashka.ru": the scheme is assumed (https, as Django 6 will) rather than refused.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class AccountForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Account
        fields = ACCOUNT_EDITABLE_FIELDS
        formfield_callback = _formfield
        widgets = {
            "website": forms.URLInput(attrs={"placeholder": "https://example.ru"}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "goals",
                    "strategy",
                    "investment_plans",
                    "financial_indicators",
                    "competitors",
                    "switching_barriers",
                )
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = VisibleAccountField(user, required=False, label=_("holding (parent account)"))
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["inn"].widget.attrs.update(inputmode="numeric", autocomplete="off", maxlength=12)
        self.register_lookup = company_register.enabled()
        if self.register_lookup:  # typing an INN asks the company register (views_register.inn_lookup)
            self.fields["inn"].widget.attrs.update(
                {
                    "hx-get": reverse("accounts:inn_lookup"),
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": "#inn-register",
                    "hx-sync": "this:replace",
                    "aria-describedby": "inn-register",
                }
            )
        self.fields["kpp"].widget.attrs.update(autocomplete="off", maxlength=9)
        self.fields["phone"].widget.attrs.update(type="tel", placeholder="+7 495 123-45-67")

    def clean_inn(self):
        inn = self.cleaned_data["inn"].strip()
        validate_inn(inn)
        return inn

    def clean_kpp(self):
        kpp = self.cleaned_data["kpp"].strip().upper()
        if kpp:
            validate_kpp(kpp)
        return kpp

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def _post_clean(self):
        # Model validation (INN uniqueness, holding cycles) runs in the service, inside its transaction.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACCOUNT_EDITABLE_FIELDS}


class AccountCreateForm(AccountForm):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (AccountStatus.PROSPECT, AccountStatus.PROSPECT.label),
            (AccountStatus.ACTIVE, AccountStatus.ACTIVE.label),
        ],
        initial=AccountStatus.PROSPECT,
    )
    responsible_manager = forms.ModelChoiceField(
        queryset=None, label=_("responsible manager"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["responsible_manager"].queryset = manager_choices()
        if user.has_role("account_manager", "key_account_manager", "sales_manager"):
            self.fields["responsible_manager"].initial = user.pk


class ReassignForm(forms.Form):
    manager = forms.ModelChoiceField(queryset=None, label=_("new responsible manager"))
    reason = forms.ChoiceField(
        label=_("reason"),
        choices=[
            (c.value, c.label) for c in ChangeReason if c not in (ChangeReason.INITIAL, ChangeReason.HANDOFF)
        ],
    )
    comment = forms.CharField(label=_("comment"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = manager_choices()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=AccountStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_account(cls, account) -> "StatusForm":
        """Offer only the lifecycle steps allowed from the current status."""
        form = cls(initial={"status": account.status, "version": account.version})
        allowed = {account.status, *STATUS_TRANSITIONS[account.status]}
        form.fields["status"].choices = [(v, label) for v, label in AccountStatus.choices if v in allowed]
        return form


class ContactForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contact
        fields = CONTACT_EDITABLE_FIELDS
        widgets = {"consent_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["phone"].widget.attrs.update(type="tel", placeholder="+7 495 123-45-67")

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in CONTACT_EDITABLE_FIELDS}


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), label=_("person"))
    role = forms.ChoiceField(label=_("role on the account"), choices=TeamRole.choices)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ResponsibleOnForm(forms.Form):
    on = DateField(label=_("date"), widget=DateInput())


class ReassignmentReportForm(forms.Form):
    start = DateField(label=_("from"), widget=DateInput())
    end = DateField(label=_("to"), widget=DateInput())
    reason = forms.ChoiceField(
        label=_("reason"),
        required=False,
        choices=[("", _("Any")), *((c.value, c.label) for c in ChangeReason if c != ChangeReason.INITIAL)],
    )
    manager = forms.ModelChoiceField(queryset=None, label=_("manager (from or to)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = manager_choices()
        defaults = self.defaults()
        self.fields["start"].initial, self.fields["end"].initial = defaults["start"], defaults["end"]

    @staticmethod
    def defaults() -> dict:
        today = timezone.localdate()
        return {"start": today - timedelta(days=90), "end": today, "reason": "", "manager": None}

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data
