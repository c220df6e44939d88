from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.accounts.models import AccountStatus, ChangeReason
from orbit.common.forms import DateInput, DateTimeInput
from orbit.handoffs.bulk import BULK_REASONS
from orbit.handoffs.models import Cover, Handoff, HandoffKind
from orbit.handoffs.services import (
    BETWEEN_MANAGERS_REASONS,
    BRIEF_FIELDS,
    FROM_SALES_STATUSES,
    RECEIVER_ROLES,
)
from orbit.org.models import OWNER_ROLES, User

_TEXT = {"rows": 3}


class HandoffStartForm(forms.ModelForm):
    class Meta:
        model = Handoff
        fields = ["to_user", "kind", "reason", *BRIEF_FIELDS]
        widgets = {name: forms.Textarea(attrs=_TEXT) for name in BRIEF_FIELDS}

    def __init__(self, *args, account=None, giver=None, **kwargs):
        super().__init__(*args, **kwargs)
        receivers = User.objects.filter(is_active=True, roles__role__in=RECEIVER_ROLES)
        if giver is not None:
            receivers = receivers.exclude(pk=giver.pk)  # nobody hands an account over to himself
        self.fields["to_user"].queryset = receivers.distinct().order_by("display_name")
        self.fields["reason"].choices = [
            (ChangeReason.HANDOFF.value, ChangeReason.HANDOFF.label),
            *((r.value, r.label) for r in BETWEEN_MANAGERS_REASONS),
        ]
        # A won client (a prospect, or a client just won) comes from sales; any other account moves between
        # managers, and sales is not offered for it (the service would refuse it).
        from_sales = account is None or account.status in FROM_SALES_STATUSES
        if account is not None and account.status != AccountStatus.PROSPECT:
            from_sales = from_sales and giver is not None and not giver.has_role(*RECEIVER_ROLES)
        if account is not None and account.status not in FROM_SALES_STATUSES:
            self.fields["kind"].choices = [
                (HandoffKind.BETWEEN_MANAGERS.value, HandoffKind.BETWEEN_MANAGERS.label)
            ]
        self.fields["kind"].initial = HandoffKind.FROM_SALES if from_sales else HandoffKind.BETWEEN_MANAGERS
        self.fields["reason"].initial = ChangeReason.HANDOFF if from_sales else ChangeReason.REASSIGNMENT

    def _post_clean(self):
        pass  # the service validates, inside its transaction


class BriefForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Handoff
        fields = list(BRIEF_FIELDS)
        widgets = {name: forms.Textarea(attrs=_TEXT) for name in BRIEF_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        pass


class MeetingForm(forms.Form):
    meeting_at = forms.DateTimeField(label=_("date and time of the meeting"), widget=DateTimeInput())
    meeting_participants = forms.CharField(
        label=_("participants"), widget=forms.Textarea(attrs=_TEXT), required=False
    )
    meeting_outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs=_TEXT))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs=_TEXT), required=False)


class CheckupForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Is the client satisfied?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    issues = forms.CharField(label=_("issues found"), widget=forms.Textarea(attrs=_TEXT), required=False)


class BulkForm(forms.Form):
    manager = forms.ModelChoiceField(queryset=None, label=_("whose accounts move"))
    receivers = forms.ModelMultipleChoiceField(
        queryset=None, label=_("receivers"), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    reason = forms.ChoiceField(label=_("reason"), choices=[(r.value, r.label) for r in BULK_REASONS])
    comment = forms.CharField(label=_("comment"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = User.objects.filter(roles__role__in=OWNER_ROLES).distinct().order_by("display_name")
        self.fields["manager"].queryset = owners  # a departed (inactive) manager's portfolio moves too
        self.fields["receivers"].queryset = (
            User.objects.filter(is_active=True, roles__role__in=RECEIVER_ROLES)
            .distinct()
            .order_by("display_name")
        )


class CoverForm(forms.ModelForm):
    class Meta:
        model = Cover
        fields = ["owner", "deputy", "starts_on", "ends_on", "reason", "whole_portfolio", "note"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "note": forms.Textarea(attrs=_TEXT),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        managers = (
            User.objects.filter(is_active=True, roles__role__in=RECEIVER_ROLES)
            .distinct()
            .order_by("display_name")
        )
        self.fields["owner"].queryset = managers
        self.fields["deputy"].queryset = managers
        self.fields["owner"].initial = user.pk

    def _post_clean(self):
        pass
