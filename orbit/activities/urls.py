from django.urls import path

from orbit.activities import views, workspace_views

app_name = "activities"
urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("accounts/<int:pk>/", views.account_panel, name="account_panel"),
    path("accounts/<int:pk>/touch/", views.touch_log, name="touch_log"),
    path("accounts/<int:pk>/plan/", views.touch_plan, name="touch_plan"),
    path("touches/<int:pk>/complete/", views.touch_complete, name="touch_complete"),
    path("touches/<int:pk>/cancel/", views.touch_cancel, name="touch_cancel"),
    path("touches/<int:pk>/move/", workspace_views.touch_move, name="touch_move"),
    path("tasks/", workspace_views.task_list, name="tasks"),
    path("week/", workspace_views.calendar_week, name="week"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("cadence/", views.cadence, name="cadence"),
    path("cadence/<int:pk>/toggle/", views.cadence_toggle, name="cadence_toggle"),
    path("calendar/new/", views.feed_create, name="feed_create"),
    path("calendar/revoke/", views.feed_revoke, name="feed_revoke"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
]
