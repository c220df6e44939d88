from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "orbit.growth"
    label = "growth"
    verbose_name = _("Growth")

    def ready(self):
        # Plug into the accounts area: open opportunities and running projects move with responsibility.
        from orbit.growth import opportunities  # noqa: F401
