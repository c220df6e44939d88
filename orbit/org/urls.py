from django.urls import path

from orbit.org import views

app_name = "org"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("teams/", views.teams, name="teams"),
]
