from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "orbit.api"
    label = "api"
