from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.common.forms import DateField
from orbit.privacy.models import ConsentAction, LegalBasis


class ConsentForm(forms.Form):
    action = forms.ChoiceField(label=_("consent"), choices=ConsentAction.choices)
    purpose = forms.CharField(label=_("purpose"), max_length=200)
    basis = forms.ChoiceField(label=_("legal basis"), choices=LegalBasis.choices)
    on_date = DateField(label=_("date"))
    source = forms.CharField(
        label=_("source"),
        max_length=200,
        required=False,
        help_text=_("Where it was given: a signed form, a letter of such a date, the website."),
    )


class ErasureForm(forms.Form):
    reference = forms.CharField(
        label=_("request reference"),
        max_length=200,
        help_text=_("The person's request: its number and date. Not his name, e-mail or phone."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the erasure cannot be undone"),
        error_messages={"required": _("Confirm that the erasure cannot be undone.")},
    )
