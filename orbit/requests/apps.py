from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "orbit.requests"
    label = "requests"
    verbose_name = _("Requests and complaints")
