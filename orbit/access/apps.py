from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "orbit.access"
    label = "access"
