"""Retention by cohort and the key-account share over time, with their tabs in the analytics area."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.analytics import views_retention as views
from orbit.analytics.tabs import add_tab

# Everyone signed in: each reader's figures are over the accounts he sees.
add_tab(50, "retention", "analytics:retention", _("Retention"))
add_tab(60, "shares", "analytics:shares", _("Key-account share"))

urlpatterns = [
    path("retention/", views.retention_page, name="retention"),
    path("shares/", views.shares_page, name="shares"),
]
