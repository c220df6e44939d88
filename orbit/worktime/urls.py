"""Working calendars."""

from django.urls import path

from orbit.worktime import views

app_name = "worktime"
urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("new/", views.calendar_create, name="create"),
    path("<int:pk>/", views.calendar_detail, name="detail"),
    path("<int:pk>/edit/", views.calendar_edit, name="edit"),
    path("<int:pk>/years/", views.year_add, name="year_add"),
    path("<int:pk>/days/<str:day>/", views.day_edit, name="day"),
    path("<int:pk>/days/<str:day>/remove/", views.day_remove, name="day_remove"),
]
