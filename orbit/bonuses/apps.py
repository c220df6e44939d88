from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BonusesConfig(AppConfig):
    name = "orbit.bonuses"
    verbose_name = _("Bonuses")
