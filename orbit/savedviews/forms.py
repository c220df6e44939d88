from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.savedviews.models import ListKind, SavedView


class SaveViewForm(forms.Form):
    """ "Save current as…": the list's query string travels in a hidden field (orbit/static/orbit/lists.js keeps
    it equal to the address, which htmx changes as the filters change)."""

    kind = forms.ChoiceField(choices=ListKind.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("View name"), max_length=SavedView._meta.get_field("name").max_length)
    shared = forms.BooleanField(label=_("Share with my team"), required=False)


class RenameViewForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=SavedView._meta.get_field("name").max_length)
