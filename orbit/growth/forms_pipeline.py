"""Forms of the opportunity pages and the board. They parse what people type; the services decide the rules
(a negative amount, a probability above 100, a past close date, a skipped stage: the services' field errors)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orbit.accounts.selectors import manager_choices
from orbit.common.forms import ISO_MONTH, DateField, MonthInput
from orbit.growth.models import LostReason, Opportunity, OpportunityKind, Pipeline, Stage, StageOutcome
from orbit.org.models import User
from orbit.revenue.forms_deals import AmountField
from orbit.revenue.models import ProductLine


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stage) -> str:
        return f"{obj.pipeline} · {obj}" if self.show_pipeline else str(obj)

    show_pipeline = True


class OpportunityForm(forms.ModelForm):
    amount = AmountField(label=_("amount"), required=True)
    probability = forms.IntegerField(
        label=_("probability, %"),
        required=False,
        help_text=_("Blank: the stage's probability."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    expected_close_on = DateField(label=_("expected close date"))
    next_step_on = DateField(label=_("next step date"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "kind",
            "amount",
            "currency",
            "probability",
            "expected_close_on",
            "owner",
            "product_line",
            "next_step",
            "next_step_on",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.owner_id if self.instance.pk else None
        people = manager_choices()
        if current:
            people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current)).order_by(
                "display_name"
            )
        self.fields["owner"].queryset = people
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Blank: the account's responsible manager (new business: you).")
        self.fields["product_line"].queryset = ProductLine.objects.order_by("name_ru")
        self.fields["probability"].validators = []  # 0–100 is the service's rule, with its message
        if creating:
            self.fields["pipeline"] = forms.ModelChoiceField(
                label=_("pipeline"),
                queryset=Pipeline.objects.filter(is_active=True).order_by("position", "id"),
                required=False,
                help_text=_("Blank: new business goes to the hunters' pipeline, the rest to account growth."),
            )
            stage = StageChoiceField(
                label=_("stage"),
                queryset=Stage.objects.filter(outcome=StageOutcome.OPEN)
                .select_related("pipeline")
                .order_by("pipeline__position", "position"),
                required=False,
                help_text=_("Blank: the pipeline's first stage."),
            )
            self.fields["stage"] = stage
            self.fields.pop("version")
        else:
            self.fields["version"].initial = self.instance.version
            if self.instance.status != StageOutcome.OPEN:
                self.fields["probability"].disabled = True

    def _post_clean(self):
        pass  # the service validates, inside its transaction

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for name in ("next_step", "description"):
            data[name] = data[name] or ""
        return data


class MoveForm(forms.Form):
    """A move of an opportunity: to a stage (any stage: the service refuses another pipeline's with its
    reason), with the reason when it is lost, a new close date when it is reopened."""

    stage = forms.ModelChoiceField(label=_("stage"), queryset=Stage.objects.all())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lost_reason = forms.ModelChoiceField(
        label=_("reason for losing"), queryset=LostReason.objects.order_by("name_ru"), required=False
    )
    lost_note = forms.CharField(label=_("why it was lost"), max_length=500, required=False)
    expected_close_on = DateField(
        label=_("new expected close date"),
        required=False,
        help_text=_("When you reopen a lost opportunity: its old date is usually past."),
    )


class ListFilterForm(forms.Form):
    """The list's and board's filters, as typed in the address (bad values are ignored, not errors)."""

    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.all(), required=False)
    stage = forms.ModelChoiceField(queryset=Stage.objects.all(), required=False)
    kind = forms.ChoiceField(choices=[("", ""), *OpportunityKind.choices], required=False)
    owner = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    team = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = forms.ChoiceField(choices=[("", ""), *StageOutcome.choices, ("all", "all")], required=False)
    close_month = forms.DateField(input_formats=[ISO_MONTH], widget=MonthInput(), required=False)
    account = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    sort = forms.CharField(required=False, max_length=20)
