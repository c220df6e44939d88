from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.imports.engine import SKIP, UPDATE, Kind
from orbit.imports.kinds import KINDS
from orbit.imports.presets import preset_choices


def _presets():
    return [("", _("recognise the columns by their names")), *preset_choices()]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("what the file holds"),
        choices=[(k.name, k.label) for k in KINDS.values()],
        initial="accounts",
        required=False,  # accounts when not said
    )
    file = forms.FileField(label=_("file"), help_text=_("CSV or XLSX; the first sheet of an XLSX is read."))
    preset = forms.ChoiceField(label=_("the file comes from"), choices=_presets, required=False)
    on_duplicate = forms.ChoiceField(
        label=_("a record already in Orbit"),
        help_text=_(
            "An account with the same INN, a contact with the same e-mail or phone, an invoice with the same number."
        ),
        choices=[(UPDATE, _("update it with the file's filled cells")), (SKIP, _("leave it as it is"))],
        initial=UPDATE,
    )


def field_choices(kind: Kind):
    return [("", _("— not imported —")), *((f.key, f.label) for f in kind.fields)]
