from django.urls import path

from orbit.ops import metrics, views

app_name = "ops"
urlpatterns = [
    path("live", views.live, name="live"),
    path("ready", views.ready, name="ready"),
    path("metrics", metrics.metrics, name="metrics"),
]
