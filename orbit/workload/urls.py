"""The workload pages, a tab of the Managers area, mounted at /managers/workload/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.common.tabs import area
from orbit.workload import views

app_name = "workload"
area("managers", _("Managers")).add(
    30, "workload", "workload:index", _("Workload"), lambda user: user.is_authenticated
)

urlpatterns = [
    path("", views.index, name="index"),
    path("norms/", views.norms_page, name="norms"),
    path("norms/edit/", views.norms_edit, name="norms_edit"),
    path("person/<int:pk>/", views.person, name="person"),
    path("person/<int:pk>/settings/", views.person_settings, name="person_settings"),
    path("team/<int:pk>/rebalance/", views.rebalance, name="rebalance"),
]
