"""The analytics area's pages, mounted at /analytics/: each part of the area adds its own patterns module
(and its tab, orbit/analytics/tabs.py)."""

from django.urls import include, path  # noqa: F401 — each part adds `path("", include(...))`

app_name = "analytics"
urlpatterns = []
