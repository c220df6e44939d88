from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "orbit.requests"
    label = "requests"
    verbose_name = _("Requests and complaints")

    def ready(self):
        # Plug into the accounts area: open requests move with responsibility; requests on the timeline; the card header's facts; the account's pulse.
        from orbit.requests import pulse, selectors, services, timeline  # noqa: F401
