from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from orbit.org.models import Team, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "position", "team", "is_active"]
    list_filter = ["is_active", "team", "roles__role"]
    list_select_related = ["team"]
    inlines = [UserRoleInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Orbit"), {"fields": ("display_name", "position", "language", "team", "monthly_capacity_hours")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "lead"]
    list_select_related = ["parent", "lead"]
    raw_id_fields = ["lead"]
