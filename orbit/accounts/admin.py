from django.contrib import admin

from orbit.accounts.models import Account, Contact, Industry, OwnershipPeriod, Region, Segment


@admin.register(Industry, Region, Segment)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en"]
    search_fields = ["code", "name_ru", "name_en"]


class OwnershipInline(admin.TabularInline):
    """Read-only here: responsibility changes only through the ownership service (reassign on the card)."""

    model = OwnershipPeriod
    fk_name = "account"
    extra = 0
    can_delete = False
    readonly_fields = ["manager", "started_at", "ended_at", "reason", "comment", "changed_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "inn", "status", "tier", "responsible_manager"]
    list_filter = ["status", "tier", "segment"]
    list_select_related = ["responsible_manager"]
    search_fields = ["legal_name", "short_name", "inn"]
    raw_id_fields = ["parent", "industry", "region", "segment"]
    readonly_fields = ["responsible_manager", "status", "created_by", "version", "archived_at"]
    inlines = [OwnershipInline]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["full_name", "account", "position", "buying_role"]
    raw_id_fields = ["account"]
    search_fields = ["full_name", "email"]
    list_select_related = ["account"]
