"""The growth area's pages under /growth/: each part of the area has its own patterns module."""

from django.urls import include, path

app_name = "growth"

urlpatterns = [
    path("", include("orbit.growth.urls_projects")),
]
