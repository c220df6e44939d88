from django import forms

from orbit.notifications.kinds import Channels, Kind


class PreferencesForm(forms.Form):
    """A row per kind, a checkbox per channel: `<kind>-in_app`, `<kind>-email`."""

    CHANNELS = ("in_app", "email")

    def __init__(self, *args, current: dict[str, Channels], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            for channel in self.CHANNELS:
                self.fields[f"{kind.value}-{channel}"] = forms.BooleanField(
                    label=kind.label, required=False, initial=getattr(current[kind.value], channel)
                )

    def rows(self):
        """(kind label, in-app field, e-mail field) for the table."""
        for kind in Kind:
            yield kind.label, self[f"{kind.value}-in_app"], self[f"{kind.value}-email"]

    def choices(self) -> dict[str, Channels]:
        data = self.cleaned_data
        return {
            kind.value: Channels(in_app=data[f"{kind.value}-in_app"], email=data[f"{kind.value}-email"])
            for kind in Kind
        }
