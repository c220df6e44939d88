from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "orbit.analytics"
    label = "analytics"
    verbose_name = _("Client analytics")

    def ready(self):
        # Plug into the accounts area: runs' changes and reactivation cases on the timeline, the queue follows
        # responsibility.
        from orbit.analytics import reactivation, timeline  # noqa: F401
