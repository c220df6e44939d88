"""The growth area's pages, mounted at /growth/: each part of the area adds its own patterns module."""

from django.urls import include, path

app_name = "growth"
urlpatterns = [
    path("", include("orbit.growth.urls_pipeline")),
    path("", include("orbit.growth.urls_plans")),
    path("", include("orbit.growth.urls_projects")),
    path("", include("orbit.growth.urls_whitespace")),
]
