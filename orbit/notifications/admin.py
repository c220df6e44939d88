from django.contrib import admin

from orbit.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: for an administrator checking whether someone was told and whether the e-mail went out."""

    list_display = ["created_at", "recipient", "kind", "title", "in_app", "read_at", "emailed_at"]
    list_filter = ["kind", "in_app"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username", "recipient__display_name"]
    raw_id_fields = ["recipient", "account"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
