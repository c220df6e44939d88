from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "orbit.activities"
    label = "activities"
    verbose_name = _("Touches and tasks")

    def ready(self):
        from orbit.activities import services  # noqa: F401  (registers how open touches and tasks move)
