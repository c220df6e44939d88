"""The sales pipeline: opportunities (list, page, forms, moves), the kanban board, the weighted pipeline."""

from django.urls import path

from orbit.growth import views_pipeline as views

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("board/", views.board, name="board"),
    path("forecast/", views.forecast, name="forecast"),
]
