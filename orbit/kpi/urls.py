"""The managers' KPI pages, mounted at /managers/kpi/, with their tabs in the "Managers" area."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.common.tabs import area
from orbit.kpi import views

app_name = "kpi"
# Everyone signed in: a manager sees his own figures, a lead his teams', the head everyone's.
area("managers", _("Managers")).add(10, "kpi", "kpi:page", _("KPI"))
area("managers", _("Managers")).add(20, "ranking", "kpi:ranking", _("Ranking"))

urlpatterns = [
    path("", views.kpi_list, name="page"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/<slug:code>/", views.drill, name="drill"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("ranking/publish/", views.ranking_publish, name="ranking_publish"),
]
