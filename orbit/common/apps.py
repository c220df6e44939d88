from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "orbit.common"
    label = "common"

    def ready(self):
        from orbit.common import sqlite_functions

        sqlite_functions.connect()
