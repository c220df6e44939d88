from django.urls import path

from orbit.imports import views, views_import

app_name = "imports"
urlpatterns = [
    path("exports/accounts/", views.account_export, name="accounts_export"),
    path("exports/requests/", views.request_export, name="requests_export"),
    path("imports/", views_import.import_home, name="home"),
    path("imports/preview/", views_import.import_preview, name="preview"),
    path("imports/commit/", views_import.import_commit, name="commit"),
    path("imports/report/<str:token>/", views_import.import_report, name="report"),
    path("imports/<int:pk>/", views_import.import_batch, name="batch"),
    path("imports/<int:pk>/progress/", views_import.import_progress, name="progress"),
    path("imports/<int:pk>/undo/", views_import.import_undo, name="undo"),
]
