from django.urls import path

from orbit.imports import views, views_import
from orbit.imports.lists import EXPORTS

app_name = "imports"
urlpatterns = [
    # One address a list: /exports/accounts/, /exports/invoice-lines/ … (names "accounts_export" …).
    *(
        path(f"exports/{name.replace('_', '-')}/", views.list_export, {"name": name}, name=f"{name}_export")
        for name in EXPORTS
    ),
    path("exports/<int:pk>/", views.export_page, name="export"),
    path("exports/<int:pk>/file/", views.export_file, name="export_file"),
    path("imports/", views_import.import_home, name="home"),
    path("imports/preview/", views_import.import_preview, name="preview"),
    path("imports/commit/", views_import.import_commit, name="commit"),
    path("imports/report/<str:token>/", views_import.import_report, name="report"),
    path("imports/<int:pk>/", views_import.import_batch, name="batch"),
    path("imports/<int:pk>/progress/", views_import.import_progress, name="progress"),
    path("imports/<int:pk>/undo/", views_import.import_undo, name="undo"),
]
