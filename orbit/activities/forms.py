from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.activities.models import MAX_TOUCH_MINUTES, CadencePolicy, Task, TouchKind
from orbit.common.forms import DateField, DateInput, DateTimeInput


class TouchLogForm(forms.Form):
    """Logging a touch in a few keystrokes: kind, minutes, what came of it; the rest has defaults."""

    kind = forms.ChoiceField(label=_("Kind"), choices=TouchKind.choices, initial=TouchKind.CALL)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=MAX_TOUCH_MINUTES,
        initial=15,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    happened_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=DateTimeInput(),
    )
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=300)
    next_on = DateField(label=_("Next touch on"), required=False, widget=DateInput())
    contacts = forms.ModelMultipleChoiceField(label=_("Contacts"), queryset=None, required=False)

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = (
            account.contacts.filter(archived_at__isnull=True).order_by("full_name") if account else None
        )
        if not self.is_bound:
            self.initial.setdefault("happened_at", timezone.localtime().replace(second=0, microsecond=0))


class TouchCompleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=1, max_value=MAX_TOUCH_MINUTES, initial=15
    )
    outcome = forms.CharField(label=_("Outcome"), required=False)


class TouchPlanForm(forms.Form):
    def __init__(self, *args, account=None, **kwargs):  # the same signature as TouchLogForm
        super().__init__(*args, **kwargs)

    kind = forms.ChoiceField(label=_("Kind"), choices=TouchKind.choices)
    planned_for = DateField(label=_("Day"), widget=DateInput())
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "assignee", "due_on", "remind_at", "contact", "description"]
        widgets = {
            "due_on": DateInput(),
            "remind_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, people=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people
        if account is None:
            del self.fields["contact"]  # a task without an account has no client contact to name
        else:
            self.fields["contact"].queryset = account.contacts.filter(archived_at__isnull=True).order_by(
                "full_name"
            )


class CadencePolicyForm(forms.ModelForm):
    class Meta:
        model = CadencePolicy
        fields = ["tier", "segment", "status", "interval_days", "is_active"]


class TouchMoveForm(forms.Form):
    """The week calendar's move of a planned touch: by drag and drop, or typed in its "Move to" field."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    planned_for = DateField(label=_("Move to"), widget=DateInput())
