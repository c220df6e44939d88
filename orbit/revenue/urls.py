"""The revenue area's pages, mounted at /revenue/: receivables, invoices and the money forms, the card's and
the holding's panels (views.py), and the contracts and orders pages (urls_deals.py)."""

from django.urls import path

from orbit.revenue import urls_deals, views

app_name = "revenue"
urlpatterns = [
    path("receivables/", views.receivables, name="receivables"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/credit-note/", views.credit_note_create, name="credit_note_create"),
    path("accounts/<int:pk>/", views.account_panel, name="account_panel"),
    path("accounts/<int:pk>/holding/", views.holding, name="holding"),
    path("accounts/<int:pk>/invoices/new/", views.invoice_create, name="invoice_create"),
    path("accounts/<int:pk>/payments/new/", views.payment_create, name="payment_create"),
    *urls_deals.urlpatterns,
]
