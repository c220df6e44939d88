"""The bonus pages' inputs: the month picker and the rule version form (every check is the service's: its field
errors are put on these fields)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.bonuses.models import ROLE_CHOICES, Base, RuleVersion
from orbit.common.forms import ISO_MONTH, MonthInput
from orbit.growth.sale_kinds import SaleKind


class MonthForm(forms.Form):
    """?month=2026-03 (this month by default)."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=[ISO_MONTH],
        widget=MonthInput(),
        error_messages={"invalid": _("Enter a month like 2026-03.")},
    )

    def chosen_month(self) -> dt.date:
        month = self.cleaned_data.get("month") if self.is_valid() else None
        return (month or timezone.localdate()).replace(day=1)


def _text(label, *, required=False, help_text="", attrs=None):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **(attrs or {})}),
    )


ROLE_FIELDS = {
    "fixed": (_("Fixed part a month"), ""),
    "threshold_percent": (_("Threshold, percent of plan"), _("Below it no variable part is paid.")),
    "accelerator": (
        _("Accelerator above plan"),
        _("The multiplier of the variable pay on what is above the plan."),
    ),
    "cap_percent": (_("Cap, percent of plan"), _("Above it nothing more is earned; empty: no cap.")),
    "cap_amount": (_("Cap on variable pay a month"), _("Empty: no cap.")),
}


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    valid_from = forms.CharField(
        label=_("valid from"),
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("The first month."),
    )
    valid_until = forms.CharField(
        label=_("valid until"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("The last month; empty: until the next version."),
    )
    hunter_months = forms.CharField(
        label=_("hunter's months"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Months after a completed handoff from sales during which the hunter shares the bonus."),
    )
    hunter_share = _text(_("hunter's share, %"), required=True)
    note = forms.CharField(label=_("note"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for role, _label in ROLE_CHOICES:
            self.fields[f"{role}-enabled"] = forms.BooleanField(label=_("Has a rule"), required=False)
            self.fields[f"{role}-base"] = forms.ChoiceField(
                label=_("paid on"), choices=Base.choices, required=False
            )
            for name, (field_label, help_text) in ROLE_FIELDS.items():
                self.fields[f"{role}-{name}"] = _text(field_label, help_text=help_text)
            for kind, kind_label in SaleKind.choices:
                self.fields[f"{role}-percent_{kind}"] = _text(
                    kind_label, attrs={"aria-describedby": f"{role}-pct"}
                )

    def roles(self) -> list[dict]:
        """Per role: its label and its bound fields, for the template."""
        return [
            {
                "code": role,
                "label": label,
                "enabled": self[f"{role}-enabled"],
                "base": self[f"{role}-base"],
                "fields": [self[f"{role}-{name}"] for name in ROLE_FIELDS],
                "percents": [self[f"{role}-percent_{kind}"] for kind in SaleKind.values],
            }
            for role, label in ROLE_CHOICES
        ]

    def service_arguments(self) -> dict:
        data = self.data
        rules = {}
        for role, _label in ROLE_CHOICES:
            if data.get(f"{role}-enabled"):
                values = {name: data.get(f"{role}-{name}", "") for name in ROLE_FIELDS}
                values["base"] = data.get(f"{role}-base", "")
                for kind in SaleKind.values:
                    values[f"percent_{kind}"] = data.get(f"{role}-percent_{kind}", "")
                for name in ("fixed", "threshold_percent"):
                    values[name] = values[name] or "0"
                values["accelerator"] = values["accelerator"] or "1"
                rules[role] = values
        version = data.get("version")
        return {
            "valid_from": data.get("valid_from", ""),
            "valid_until": data.get("valid_until", ""),
            "hunter_months": data.get("hunter_months", ""),
            "hunter_share": data.get("hunter_share", ""),
            "note": data.get("note", ""),
            "rules": rules,
            "version": int(version) if version and str(version).isdigit() else None,
        }

    def put_errors(self, errors: dict) -> None:
        for field, messages in errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


def initial_of(version: RuleVersion | None) -> dict:
    if version is None:
        return {"valid_from": f"{timezone.localdate():%Y-%m}", "hunter_months": "3", "hunter_share": "50"}
    initial = {
        "version": version.version,
        "valid_from": f"{version.valid_from:%Y-%m}",
        "valid_until": f"{version.valid_until:%Y-%m}" if version.valid_until else "",
        "hunter_months": version.hunter_months,
        "hunter_share": version.hunter_share,
        "note": version.note,
    }
    for rule in version.rules.all():
        initial[f"{rule.role}-enabled"] = True
        initial[f"{rule.role}-base"] = rule.base
        for name in ROLE_FIELDS:
            value = getattr(rule, name)
            initial[f"{rule.role}-{name}"] = "" if value is None else value
        for kind, percent in rule.percents.items():
            initial[f"{rule.role}-percent_{kind}"] = percent
    return initial
