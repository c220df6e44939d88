"""Forms of the project pages. They parse what people type; the services decide the rules."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orbit.common.forms import DateField, DateTimeInput
from orbit.growth.models import ProjectStatus
from orbit.org.models import Role, User

# Orbit's default: a new project's form offers this many stage rows (more are added on the project's page).
STAGE_ROWS = 5


def project_manager_choices(current: User | None = None):
    """Active people who may run a project (pure auditors read only); those with the project manager role
    first."""
    people = Q(is_active=True) & ~Q(roles__role=Role.AUDITOR) | Q(
        roles__role=Role.PROJECT_MANAGER, is_active=True
    )
    if current is not None:
        people |= Q(pk=current.pk)
    return User.objects.filter(people).distinct().order_by("display_name", "username")


def assignee_choices(account):
    """Who may do planned work: the account's responsible manager and its team (they see the account)."""
    people = Q(pk=account.responsible_manager_id) | Q(
        account_roles__account=account, account_roles__ended_at__isnull=True
    )
    return User.objects.filter(people, is_active=True).distinct().order_by("display_name", "username")


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=300, required=False)
    project_manager = forms.ModelChoiceField(
        label=_("project manager"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who runs the project for the client. He joins the account team if he is not on it."),
    )
    starts_on = DateField(label=_("starts"), required=False)
    ends_on = DateField(label=_("ends"), required=False)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, current_manager: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_manager"].queryset = project_manager_choices(current_manager)


class StartForm(ProjectForm):
    """A new project with up to STAGE_ROWS stages (rows left blank are ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, STAGE_ROWS + 1):
            self.fields[f"stage_{n}_name"] = forms.CharField(
                label=_("stage %(n)s") % {"n": n}, max_length=200, required=False
            )
            self.fields[f"stage_{n}_starts_on"] = DateField(label=_("starts"), required=False)
            self.fields[f"stage_{n}_ends_on"] = DateField(label=_("ends"), required=False)

    def stage_rows(self):
        return [
            (self[f"stage_{n}_name"], self[f"stage_{n}_starts_on"], self[f"stage_{n}_ends_on"])
            for n in range(1, STAGE_ROWS + 1)
        ]

    def stages(self) -> list[dict]:
        rows = []
        for n in range(1, STAGE_ROWS + 1):
            row = {
                "name": self.cleaned_data.get(f"stage_{n}_name", ""),
                "starts_on": self.cleaned_data.get(f"stage_{n}_starts_on"),
                "ends_on": self.cleaned_data.get(f"stage_{n}_ends_on"),
            }
            if row["name"] or row["starts_on"] or row["ends_on"]:
                rows.append(row)
        return rows


class StageForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200, required=False)
    starts_on = DateField(label=_("starts"), required=False)
    ends_on = DateField(label=_("ends"), required=False)
    position = forms.IntegerField(
        label=_("place in the plan"), min_value=1, required=False, help_text=_("1 is the first stage.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WorkForm(forms.Form):
    title = forms.CharField(label=_("what"), max_length=300, required=False)
    starts_at = forms.DateTimeField(label=_("starts"), widget=DateTimeInput(), required=False)
    ends_at = forms.DateTimeField(label=_("ends"), widget=DateTimeInput(), required=False)
    assignee = forms.ModelChoiceField(
        label=_("who does it"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional. The work goes on his day and in his calendar."),
    )
    location = forms.CharField(label=_("where"), max_length=300, required=False)
    stage = forms.ModelChoiceField(label=_("stage"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignee_choices(project.account)
        self.fields["stage"].queryset = project.stages.order_by("position")

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "starts_at", "ends_at", "assignee", "location", "stage")
        }


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DoneForm(VersionForm):
    done = forms.BooleanField(required=False, initial=True)


class CancelForm(VersionForm):
    reason = forms.CharField(label=_("why"), max_length=300, required=False)


class ListFilters(forms.Form):
    scope = forms.ChoiceField(
        label=_("whose"),
        required=False,
        choices=[("mine", _("Mine")), ("team", _("My team's")), ("all", _("All I can see"))],
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("Any")), ("running", _("Running")), *ProjectStatus.choices],
    )
    manager = forms.ModelChoiceField(
        label=_("project manager"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = project_manager_choices()
