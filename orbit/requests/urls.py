"""Requests and complaints."""

from django.urls import path

from orbit.requests import views

app_name = "requests"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("board/", views.request_board, name="board"),
    path("<int:pk>/board-move/", views.request_board_move, name="board_move"),
    path("sla/", views.policy_list, name="policies"),
    path("sla/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("account/<int:account_pk>/", views.account_panel, name="account_panel"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/comment/", views.request_comment, name="comment"),
    path("<int:pk>/status/", views.request_status, name="status"),
    path("<int:pk>/assign/", views.request_assign, name="assign"),
    path("<int:pk>/files/", views.attachment_add, name="attach"),
    path("<int:pk>/files/<int:file_pk>/", views.attachment_download, name="download"),
]
