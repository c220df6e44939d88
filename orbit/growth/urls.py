"""The growth area's pages, mounted at /growth/: each part's patterns in its own module."""

from django.urls import include, path

app_name = "growth"
urlpatterns = [
    path("", include("orbit.growth.urls_whitespace")),
]
