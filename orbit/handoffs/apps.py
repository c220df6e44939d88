from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffsConfig(AppConfig):
    name = "orbit.handoffs"
    label = "handoffs"
    verbose_name = _("Handoffs")

    def ready(self):
        from orbit.handoffs import timeline, visibility  # noqa: F401  (handoffs on the account's timeline)

        # The receiver of an open handoff and a deputy see more: registered with the access policy.
        visibility.register()
