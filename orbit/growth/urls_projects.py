"""Project pages (the `projects` part of the growth area); included by `orbit/growth/urls.py`."""

from django.urls import path

from orbit.growth import views_projects as views

urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_start, name="project_start"),
    path("projects/calendar/", views.my_calendar, name="my_calendar"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/cancel/", views.project_cancel, name="project_cancel"),
    path("projects/<int:pk>/calendar/", views.project_calendar, name="project_calendar"),
    path("projects/<int:pk>/stages/new/", views.stage_add, name="project_stage_add"),
    path("projects/<int:pk>/work/new/", views.work_add, name="work_add"),
    path("project-stages/<int:pk>/edit/", views.stage_edit, name="project_stage_edit"),
    path("project-stages/<int:pk>/start/", views.stage_start, name="project_stage_start"),
    path("project-stages/<int:pk>/finish/", views.stage_finish, name="project_stage_finish"),
    path("work/<int:pk>/edit/", views.work_edit, name="work_edit"),
    path("work/<int:pk>/done/", views.work_done, name="work_done"),
    path("work/<int:pk>/remove/", views.work_remove, name="work_remove"),
    path(
        "accounts/<int:account_pk>/projects/new/", views.project_start_account, name="project_start_account"
    ),
    path("accounts/<int:account_pk>/calendar/", views.account_calendar, name="account_calendar"),
]
