from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "orbit.common"
    label = "common"
