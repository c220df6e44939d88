"""The dashboard part of the analytics area: the overview, the accounts table, RFM and the card's panel."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from orbit.analytics import views_dashboard as views
from orbit.analytics.tabs import add_tab

add_tab(10, "dashboard", "analytics:dashboard", _("Overview"))
add_tab(20, "accounts", "analytics:accounts", _("Accounts"))
add_tab(30, "rfm", "analytics:rfm", _("RFM"))

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/", views.account_panel, name="account_panel"),
    path("rfm/", views.rfm, name="rfm"),
]
