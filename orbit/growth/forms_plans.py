"""The plans pages' inputs: the month and team picker, and the plan grid's rows."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.common.forms import ISO_MONTH, MonthInput
from orbit.growth.plans import PlanEntry


class PlanFilterForm(forms.Form):
    """?month=2026-03&team=4: a month (this one by default) and, optionally, a team's tree."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=[ISO_MONTH],
        widget=MonthInput(),
        error_messages={"invalid": _("Enter a month like 2026-03.")},
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All")), *teams]

    def chosen_month(self) -> dt.date:
        month = self.cleaned_data.get("month") if self.is_valid() else None
        return (month or timezone.localdate()).replace(day=1)

    def chosen_team(self) -> int | None:
        return self.cleaned_data.get("team") if self.is_valid() else None


def row_key(row) -> str:
    """The grid's prefix of a row's fields: "u12" for a person, "t3" for a team."""
    return f"{'u' if row.kind == 'person' else 't'}{row.pk}"


def grid_entries(data, rows, *, people: dict, teams: dict) -> list[PlanEntry]:
    """The posted grid as the service's entries, one per row the page offered (anything else posted is
    ignored: the rows are the ones the person may set)."""
    entries = []
    for row in rows:
        key = row_key(row)
        try:
            version = int(data.get(f"{key}-version") or 0)
        except ValueError:
            version = -1  # tampered: never matches, answered as a conflict
        entries.append(
            PlanEntry(
                key=key,
                revenue=(data.get(f"{key}-revenue") or "").strip(),
                margin=(data.get(f"{key}-margin") or "").strip(),
                version=version,
                user=people.get(row.pk) if row.kind == "person" else None,
                team=teams.get(row.pk) if row.kind == "team" else None,
            )
        )
    return entries
