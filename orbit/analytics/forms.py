from django import forms
from django.forms.models import fields_for_model, model_to_dict

from orbit.analytics.models import SETTING_FIELDS, AnalyticsSettings


class SettingsForm(forms.Form):
    """The settings' fields as the model declares them; the rules between them are the service's
    (runs.check_settings), which names the field at fault."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, current: AnalyticsSettings, **kwargs):
        kwargs.setdefault(
            "initial", {**model_to_dict(current, fields=SETTING_FIELDS), "version": current.version}
        )
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(AnalyticsSettings, fields=SETTING_FIELDS))
