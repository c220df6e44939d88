"""Whitespace: the accounts × product lines page, the one-click opportunity for a gap, the card's lines."""

from django.urls import path

from orbit.growth import views_whitespace as views

urlpatterns = [
    path("whitespace/", views.whitespace, name="whitespace"),
    path("whitespace/accounts/<int:pk>/open/", views.open_gap, name="whitespace_open"),
]
