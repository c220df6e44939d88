from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orbit.common.forms import DateField
from orbit.staffing.models import Competency

_TEXT = {"rows": 3}


class AssessmentForm(forms.Form):
    competency = forms.ModelChoiceField(label=_("competency"), queryset=Competency.objects.none())
    level = forms.IntegerField(label=_("level"))
    assessed_on = DateField(label=_("assessed on"))
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        competency = self.fields["competency"]
        assert isinstance(competency, forms.ModelChoiceField)
        competency.queryset = Competency.objects.filter(is_active=True)
        self.fields["level"].help_text = _("From 1 to %(scale)s.") % {
            "scale": settings.ORBIT_COMPETENCY_SCALE
        }


class LeadAssessmentForm(forms.Form):
    text = forms.CharField(label=_("assessment"), widget=forms.Textarea(attrs=_TEXT))
    written_on = DateField(label=_("date"))


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("course"), max_length=300)
    provider = forms.CharField(label=_("provider"), max_length=300, required=False)
    started_on = DateField(label=pgettext_lazy("training", "started"))
    finished_on = DateField(label=pgettext_lazy("training", "finished"), required=False)
    certificate = forms.CharField(label=_("certificate"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CompetencyForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=64)
    name_ru = forms.CharField(label=_("name (Russian)"), max_length=200)
    name_en = forms.CharField(label=_("name (English)"), max_length=200)
    position = forms.IntegerField(label=_("position in the list"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WhatIfForm(forms.Form):
    """The what-if's inputs: read from the query string, never stored."""

    hunter_salary = forms.DecimalField(label=_("hunter's salary a month"), max_digits=14, decimal_places=2)
    farmer_salary = forms.DecimalField(label=_("farmer's salary a month"), max_digits=14, decimal_places=2)
    farmer_capacity = forms.IntegerField(label=_("farmer's capacity, hours a month"), max_value=744)
