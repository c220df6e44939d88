"""The reactivation queue and the runs' segment changes, with their tabs in the analytics area."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.analytics import views_changes, views_reactivation
from orbit.analytics.tabs import add_tab

add_tab(40, "reactivation", "analytics:reactivation", _("Reactivation"))
add_tab(45, "changes", "analytics:changes", _("Changes"))

urlpatterns = [
    path("reactivation/", views_reactivation.queue, name="reactivation"),
    path("reactivation/<int:pk>/lost/", views_reactivation.mark_lost, name="reactivation_lost"),
    path("changes/", views_changes.changes, name="changes"),
    path("day/", views_reactivation.day_block, name="day"),
]
