from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.analytics.reactivation import REASON_MAX


class LostForm(forms.Form):
    """Give a dormant account up: the reason is required (the case's outcome says why it was lost)."""

    reason = forms.CharField(
        label=_("Why is the account lost?"),
        max_length=REASON_MAX,
        help_text=_("E.g. went to a competitor, closed the business, no budget this year."),
        error_messages={"required": _("Say why the account is lost.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
