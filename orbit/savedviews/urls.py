from django.urls import path

from orbit.savedviews import views

app_name = "savedviews"
urlpatterns = [
    path("", views.view_manage, name="manage"),
    path("open/", views.view_open, name="open"),
    path("new/", views.view_create, name="create"),
    path("<int:pk>/rename/", views.view_rename, name="rename"),
    path("<int:pk>/share/", views.view_share, name="share"),
    path("<int:pk>/delete/", views.view_delete, name="delete"),
]
