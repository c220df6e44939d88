from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "orbit.ops"
    verbose_name = "Operations"
