from django.urls import path

from orbit.access import views

app_name = "access"
urlpatterns = [
    path("visibility/", views.visibility_settings, name="visibility"),
]
