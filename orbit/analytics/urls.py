"""The analytics area's pages, mounted at /analytics/: each part of the area adds its own patterns module
(and its tab, orbit/analytics/tabs.py)."""

from django.urls import include, path

app_name = "analytics"
urlpatterns = [
    path("", include("orbit.analytics.urls_dashboard")),
    path("", include("orbit.analytics.urls_runs")),
    path("", include("orbit.analytics.urls_retention")),
    path("", include("orbit.analytics.urls_reactivation")),
]
