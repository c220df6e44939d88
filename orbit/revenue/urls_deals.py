"""Contracts and orders pages (the `deals` part of the revenue area); included by `orbit/revenue/urls.py`."""

from django.urls import path

from orbit.revenue import views_deals as views

urlpatterns = [
    path("accounts/<int:account_pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/activate/", views.contract_activate, name="contract_activate"),
    path("contracts/<int:pk>/renew/", views.contract_renew, name="contract_renew"),
    path("contracts/<int:pk>/terminate/", views.contract_terminate, name="contract_terminate"),
    path("accounts/<int:account_pk>/orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/step/", views.order_step, name="order_step"),
    path("orders/<int:pk>/invoice/", views.order_invoice, name="order_invoice"),
]
