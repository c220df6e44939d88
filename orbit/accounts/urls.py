from django.urls import path

from orbit.accounts import views, views_bulk, views_dedup, views_register

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("lookup/", views.account_lookup, name="lookup"),
    path("inn-lookup/", views_register.inn_lookup, name="inn_lookup"),
    path("reassignments/", views.reassignment_report, name="reassignments"),
    path("bulk/", views_bulk.bulk_action, name="bulk"),
    path("bulk/receivers/", views_bulk.bulk_receivers, name="bulk_receivers"),
    path("duplicates/", views_dedup.duplicates_report, name="duplicates"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/history/", views.account_history, name="history"),
    path("<int:pk>/ownership/", views.account_ownership_panel, name="ownership"),
    path("<int:pk>/holding/", views.holding_matrix, name="holding"),
    path("<int:pk>/status/", views.account_status, name="status"),
    path("<int:pk>/reassign/", views.account_reassign, name="reassign"),
    path("<int:pk>/reassign/reverse/", views.account_reassign_reverse, name="reassign_reverse"),
    path("<int:pk>/responsible/", views.account_responsible_on, name="responsible_on"),
    path("<int:pk>/forms/<str:name>/", views.card_form, name="card_form"),
    path("<int:pk>/team/", views.team_add, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/end/", views.team_end, name="team_end"),
    path("<int:pk>/merge/", views_dedup.account_merge, name="merge"),
    path("<int:pk>/archive/", views.account_archive, name="archive"),
    path("<int:pk>/restore/", views.account_restore, name="restore"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/archive/", views.contact_archive, name="contact_archive"),
    path("<int:pk>/contacts/<int:contact_pk>/restore/", views.contact_restore, name="contact_restore"),
]
