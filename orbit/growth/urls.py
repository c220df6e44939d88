"""The growth area's pages, mounted at /growth/: each part of the area adds its own patterns module."""

from django.urls import include, path
from django.views.generic import RedirectView

from orbit.growth import views_card

app_name = "growth"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="growth:board", permanent=False), name="home"),
    path("accounts/<int:pk>/", views_card.account_panel, name="account_panel"),
    path("accounts/<int:pk>/holding/", views_card.holding, name="holding"),
    path("", include("orbit.growth.urls_pipeline")),
    path("", include("orbit.growth.urls_plans")),
    path("", include("orbit.growth.urls_projects")),
    path("", include("orbit.growth.urls_whitespace")),
]
