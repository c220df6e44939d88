"""The Managers area's staffing part, mounted at /managers/staffing/: the "People" tab (profiles, span of
control) and the "Org model" tab (the hybrids' time split and the hunter-or-farmer what-if)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.common.tabs import area
from orbit.staffing import views_org_model, views_people

TABS = area("managers", _("Managers"))
# Everyone signed in: a manager reads his own profile and his own split; a lead his people's; the head all.
TABS.add(50, "people", "staffing:people", _("People"))
TABS.add(60, "org_model", "staffing:org_model", _("Org model"))

app_name = "staffing"
urlpatterns = [
    path("", views_people.people, name="people"),
    path("people/<int:person_id>/", views_people.profile, name="profile"),
    path("people/<int:person_id>/assess/", views_people.assess, name="assess"),
    path("people/<int:person_id>/assessment/", views_people.lead_assessment, name="lead_assessment"),
    path("people/<int:person_id>/training/", views_people.training_add, name="training_add"),
    path("trainings/<int:pk>/edit/", views_people.training_edit, name="training_edit"),
    path("competencies/", views_people.competencies, name="competencies"),
    path("competencies/<int:pk>/edit/", views_people.competency_edit, name="competency_edit"),
    path("org-model/", views_org_model.org_model, name="org_model"),
]
