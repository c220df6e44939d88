from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.org.models import User


class ProfileForm(forms.ModelForm):
    """What a user may change about himself; team and roles decide visibility and are not here."""

    class Meta:
        model = User
        fields = ["display_name", "position", "email", "language"]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("token name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. reporting script")}),
    )
