"""The Bonuses tab of the Managers area, mounted at /managers/bonuses/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.bonuses import views
from orbit.common.tabs import area

app_name = "bonuses"
area("managers", _("Managers")).add(
    30, "bonuses", "bonuses:statements", _("Bonuses"), lambda user: user.is_authenticated
)

urlpatterns = [
    path("", views.statements_page, name="statements"),
    path("people/<int:person_id>/", views.statement_page, name="statement"),
    path("people/<int:person_id>/xlsx/", views.statement_export, name="statement_export"),
    path("rules/", views.rules_page, name="rules"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("close/", views.month_close, name="close"),
    path("reopen/", views.month_reopen, name="reopen"),
]
