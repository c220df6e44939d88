from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "orbit.analytics"
    label = "analytics"
    verbose_name = _("Client analytics")
