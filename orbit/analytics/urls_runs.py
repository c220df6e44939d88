from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.analytics import runs, views_runs
from orbit.analytics.tabs import add_tab

add_tab(90, "runs", "analytics:runs", _("Computation"), runs.may_see_runs)
add_tab(95, "settings", "analytics:settings", _("Settings"), runs.may_run)

urlpatterns = [
    path("runs/", views_runs.run_list, name="runs"),
    path("runs/start/", views_runs.run_start, name="run_start"),
    path("runs/<int:pk>/", views_runs.run_detail, name="run"),
    path("settings/", views_runs.settings_page, name="settings"),
]
