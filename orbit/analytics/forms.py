from django import forms

from orbit.analytics.models import AnalyticsSettings
from orbit.analytics.runs import SETTING_FIELDS


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AnalyticsSettings
        fields = SETTING_FIELDS
