from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "orbit.access"
    label = "access"

    def ready(self):
        from orbit.access import lookups  # noqa: F401  (registers the `__any` lookup the scope is written with)
