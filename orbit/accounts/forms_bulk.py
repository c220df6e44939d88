"""The account list's bulk bar: which accounts (checked rows, or all matching the filter) and what to do."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orbit.accounts import bulk_actions
from orbit.accounts.models import ChangeReason, Segment, Tier
from orbit.accounts.selectors import manager_choices
from orbit.activities.models import TouchKind
from orbit.common.forms import DateField
from orbit.handoffs.models import HandoffKind
from orbit.handoffs.services import BETWEEN_MANAGERS_REASONS
from orbit.imports.exporting import FORMATS

EXPORT = "export"
ACTION_CHOICES = [
    (bulk_actions.TIER, _("Change tier")),
    (bulk_actions.SEGMENT, _("Change segment")),
    (bulk_actions.TOUCH, _("Plan a touch for me")),
    (bulk_actions.HANDOFF, _("Start a handoff")),
    (EXPORT, _("Export")),
]
# What each action needs besides the selection (checked in clean: a field error names the missing one).
NEEDS = {
    bulk_actions.TIER: ("tier",),
    bulk_actions.SEGMENT: ("segment",),
    bulk_actions.TOUCH: ("touch_kind", "planned_for"),
    bulk_actions.HANDOFF: ("to_user", "handoff_kind"),
    EXPORT: ("format",),
}


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ACTION_CHOICES)
    scope = forms.ChoiceField(
        choices=[("page", "page"), ("all", "all")], required=False, widget=forms.HiddenInput
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput)
    tier = forms.ChoiceField(label=_("New tier"), choices=[("", "—"), *Tier.choices], required=False)
    segment = forms.ModelChoiceField(label=_("New segment"), queryset=Segment.objects.all(), required=False)
    touch_kind = forms.ChoiceField(
        label=_("Kind of touch"), choices=[("", "—"), *TouchKind.choices], required=False
    )
    planned_for = DateField(label=_("Day"), required=False)
    subject = forms.CharField(label=_("Note"), max_length=200, required=False)
    to_user = forms.ModelChoiceField(label=_("Receiver"), queryset=manager_choices(), required=False)
    handoff_kind = forms.ChoiceField(
        label=_("Kind of handoff"),
        choices=HandoffKind.choices,
        initial=HandoffKind.BETWEEN_MANAGERS,
        required=False,
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(r.value, r.label) for r in ChangeReason if r in BETWEEN_MANAGERS_REASONS],
        required=False,
    )
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS], required=False)

    def clean(self):
        data = super().clean()
        for name in NEEDS.get(data.get("action", ""), ()):
            if not data.get(name):
                self.add_error(name, _("Fill this in for the chosen action."))
        return data

    def params(self) -> dict:
        """The chosen action's parameters, as plain values (kept on the action's receipt)."""
        data = self.cleaned_data
        action = data["action"]
        if action == bulk_actions.TIER:
            return {"tier": data["tier"]}
        if action == bulk_actions.SEGMENT:
            return {"segment": data["segment"].pk}
        if action == bulk_actions.TOUCH:
            return {
                "kind": data["touch_kind"],
                "planned_for": data["planned_for"].isoformat(),
                "subject": data["subject"],
            }
        if action == bulk_actions.HANDOFF:
            return {"to_user": data["to_user"].pk, "kind": data["handoff_kind"], "reason": data["reason"]}
        return {"format": data["format"]}


def checked_versions(values: list[str]) -> dict[int, int | None]:
    """The checked rows: "id:version" each (the version the list showed), a bare id meaning "as it is now"."""
    versions: dict[int, int | None] = {}
    for value in values:
        pk, _sep, version = value.partition(":")
        if pk.isdigit():
            versions[int(pk)] = int(version) if version.isdigit() else None
    return versions
