"""A URL configuration with a view that fails, for the 500 page's test; the project's handlers apply."""

from django.urls import path

from orbit.urls import handler403, handler404, handler500, urlpatterns


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [*urlpatterns, path("boom/", boom)]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
