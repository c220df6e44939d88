from django.urls import path

from orbit.imports import views

app_name = "imports"
urlpatterns = [
    path("accounts/", views.account_export, name="accounts_export"),
]
