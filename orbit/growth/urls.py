"""The growth area's pages, mounted at /growth/ (namespace "growth"); each part adds its own module."""

from django.urls import include, path

app_name = "growth"
urlpatterns = [
    path("", include("orbit.growth.urls_plans")),
]
