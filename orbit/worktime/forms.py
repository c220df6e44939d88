import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.common.forms import TimeInput
from orbit.worktime.models import MAX_YEAR, MIN_YEAR, WEEKDAYS, DayKind, WorkCalendar

_TIME = TimeInput()


def _zone_choices():
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return [(z, z.replace("_", " ")) for z in zones]


class CalendarForm(forms.ModelForm):
    """Name, time zone, the working day and the working weekdays. The service validates and saves."""

    working_weekdays = forms.TypedMultipleChoiceField(
        label=_("working weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WorkCalendar
        fields = ["name", "time_zone", "day_starts", "day_ends", "working_weekdays", "is_default"]
        widgets = {"day_starts": _TIME, "day_ends": _TIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(choices=_zone_choices())
        # The model keeps "12345"; the checkboxes want one value per weekday.
        weekdays = self.instance.weekday_set if self.instance.pk else {1, 2, 3, 4, 5}
        self.initial["working_weekdays"] = [str(n) for n in sorted(weekdays)]
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    def clean_working_weekdays(self):
        return "".join(str(n) for n in sorted(self.cleaned_data["working_weekdays"]))

    def _post_clean(self):
        pass  # the service validates, inside its transaction

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    source = forms.CharField(
        label=_("source"),
        max_length=300,
        required=False,
        help_text=_("The decree on transfers of days off, or where the days were taken from."),
    )
    statutory = forms.BooleanField(
        label=_("mark the public holidays of art. 112 of the Labour Code"), required=False, initial=True
    )


class DayForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DayKind.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
