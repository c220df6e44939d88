from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "orbit.activities"
    label = "activities"
    verbose_name = _("Touches and tasks")

    def ready(self):
        # Plug into the accounts area: open touches and tasks move with responsibility; touches on the timeline; the card header's facts; the account's pulse.
        from orbit.activities import pulse, selectors, services, timeline  # noqa: F401
