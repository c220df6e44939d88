from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.imports.accounts import SKIP, UPDATE
from orbit.imports.mapping import ACCOUNT_FIELDS, PRESETS

PRESET_CHOICES = [("", _("recognise the columns by their names")), *((p, p) for p in PRESETS)]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("CSV or XLSX; the first sheet of an XLSX is read."))
    preset = forms.ChoiceField(label=_("the file comes from"), choices=PRESET_CHOICES, required=False)
    on_duplicate = forms.ChoiceField(
        label=_("an account already in Orbit (same INN)"),
        choices=[(UPDATE, _("update it with the file's filled cells")), (SKIP, _("leave it as it is"))],
        initial=UPDATE,
    )


def field_choices():
    return [("", _("— not imported —")), *((f.key, f.label) for f in ACCOUNT_FIELDS)]
