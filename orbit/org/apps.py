from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "orbit.org"
    label = "org"
