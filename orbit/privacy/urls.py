from django.urls import path

from orbit.privacy import views

app_name = "privacy"
urlpatterns = [
    path("erasures/", views.erasure_list, name="erasures"),
    path("accounts/<int:pk>/contacts/<int:contact_pk>/", views.contact_page, name="contact"),
    path("accounts/<int:pk>/contacts/<int:contact_pk>/export/", views.contact_export, name="export"),
    path("accounts/<int:pk>/contacts/<int:contact_pk>/consent/", views.consent_add, name="consent_add"),
    path("accounts/<int:pk>/contacts/<int:contact_pk>/erase/", views.contact_erase, name="erase"),
]
