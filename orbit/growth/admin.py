"""Reference data the admin edits: pipelines with their stages, and the reasons for losing. Opportunities,
projects and plans are written only through the services (their pages and the API)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orbit.growth.models import LostReason, Opportunity, Pipeline, Stage, StageOutcome


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["position", "code", "name_ru", "name_en", "probability", "required", "outcome"]

    def clean_outcome(self):
        # An opportunity copies its stage's outcome as its status: a stage in use keeps its outcome.
        outcome = self.cleaned_data["outcome"]
        changed = self.instance.pk and outcome != self.instance.outcome
        if changed and Opportunity.objects.filter(stage=self.instance).exists():
            raise ValidationError(_("Opportunities stand on this stage: its outcome cannot change."))
        return outcome


class StageFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        outcomes = [row.get("outcome") for row in kept]
        if (
            outcomes.count(StageOutcome.WON) != 1
            or StageOutcome.LOST not in outcomes
            or StageOutcome.OPEN not in outcomes
        ):
            raise ValidationError(_("A pipeline needs open stages, exactly one won stage and a lost stage."))


class StageInline(admin.TabularInline):
    model = Stage
    form = StageForm
    formset = StageFormSet
    extra = 0
    ordering = ["position"]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en", "position", "is_active"]
    search_fields = ["code", "name_ru", "name_en"]
    inlines = [StageInline]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en"]
    search_fields = ["code", "name_ru", "name_en"]
