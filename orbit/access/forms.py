from django import forms

from orbit.access.models import VisibilityPolicy


class VisibilityPolicyForm(forms.ModelForm):
    class Meta:
        model = VisibilityPolicy
        fields = ["managers_see_team", "leads_see_subteams"]
