from django.urls import path

from orbit.handoffs import views

app_name = "handoffs"
urlpatterns = [
    path("", views.handoff_list, name="list"),
    path("new/<int:account_pk>/", views.handoff_start, name="start"),
    path("bulk/", views.bulk_reassign, name="bulk"),
    path("bulk/<int:pk>/", views.bulk_move, name="bulk_move"),
    path("covers/", views.cover_list, name="covers"),
    path("covers/<int:pk>/cancel/", views.cover_cancel, name="cover_cancel"),
    path("covers/<int:pk>/summary/", views.cover_summary, name="cover_summary"),
    path("<int:pk>/", views.handoff_detail, name="detail"),
    path("<int:pk>/brief/", views.handoff_brief, name="brief"),
    path("<int:pk>/steps/<str:kind>/", views.handoff_step, name="step"),
    path("<int:pk>/accept/", views.handoff_accept, name="accept"),
    path("<int:pk>/reject/", views.handoff_reject, name="reject"),
    path("<int:pk>/cancel/", views.handoff_cancel, name="cancel"),
    path("<int:pk>/checkup/", views.handoff_checkup, name="checkup"),
]
