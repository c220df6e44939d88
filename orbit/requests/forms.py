from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.accounts.forms import VisibleAccountField
from orbit.accounts.models import Contact
from orbit.common.forms import DateTimeInput
from orbit.org.models import User
from orbit.requests import conf
from orbit.requests.models import (
    MAX_WORK_MINUTES,
    Department,
    Priority,
    Request,
    RequestStatus,
    RequestType,
    SlaPolicy,
)

_TEXT = {"rows": 4}


def _people():
    return User.objects.filter(is_active=True).order_by("display_name", "username")


class RequestForm(forms.ModelForm):
    account = None  # set in __init__: only accounts the user may see

    class Meta:
        model = Request
        fields = [
            "contact",
            "request_type",
            "priority",
            "department",
            "subject",
            "description",
            "assignee",
            "received_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs=_TEXT),
            "received_at": DateTimeInput(),
        }
        help_texts = {
            "received_at": _("When the client asked; blank: now. The SLA is counted from this moment."),
            "assignee": _("Who in the department acts on it; he must be able to see the account."),
        }

    def __init__(self, *args, user, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"] = VisibleAccountField(user, label=_("account"))
        if account is not None:
            self.fields["account"].initial = account.pk
        self.order_fields(["account", *self.Meta.fields])
        self.fields["received_at"].required = False
        self.fields["department"].queryset = Department.objects.order_by("name_ru")
        self.fields["assignee"].queryset = _people()
        self.fields["request_type"].choices = [("", "—"), *RequestType.choices]
        self.fields["priority"].initial = Priority.NORMAL
        account_pk = self.data.get("account") if self.is_bound else (account and account.pk)
        contacts = Contact.objects.none()
        if account_pk and str(account_pk).isdigit():
            contacts = Contact.objects.filter(account_id=int(account_pk), archived_at__isnull=True)
        self.fields["contact"].queryset = contacts

    def _post_clean(self):
        pass  # the service validates, inside its transaction


class CommentForm(forms.Form):
    text = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}))
    minutes_spent = forms.IntegerField(
        label=_("time spent, minutes"),
        required=False,
        min_value=1,
        max_value=MAX_WORK_MINUTES,
        help_text=_("Your work on the request for this step: it counts in your hours and margin per hour."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=RequestStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required to reopen a request, and to resolve a complaint: how it was resolved."),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, label=_("executor"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _people()


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, images, office documents, text, CSV or ZIP; at most %(max)s MB."
        ) % {"max": conf.attachment_max_mb()}


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "request_type",
            "priority",
            "first_response_hours",
            "resolution_hours",
            "calendar",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_type"].choices = [("", _("any type")), *RequestType.choices]
        self.fields["priority"].choices = [("", _("any priority")), *Priority.choices]

    def _post_clean(self):
        pass


class RequestEditForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Request
        fields = ["request_type", "priority", "department", "contact", "subject", "description"]
        widgets = {"description": forms.Textarea(attrs=_TEXT)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["department"].queryset = Department.objects.order_by("name_ru")
        self.fields["contact"].queryset = Contact.objects.filter(
            account_id=self.instance.account_id, archived_at__isnull=True
        )

    def _post_clean(self):
        pass
