from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from orbit.worktime.models import CalendarDay, CalendarYear, WorkCalendar


class CalendarYearInline(admin.TabularInline):
    model = CalendarYear
    extra = 0


@admin.register(WorkCalendar)
class WorkCalendarAdmin(SimpleHistoryAdmin):
    list_display = ["name", "time_zone", "day_starts", "day_ends", "working_weekdays", "is_default"]
    inlines = [CalendarYearInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "note", "calendar"]
    list_filter = ["calendar", "kind"]
    list_select_related = ["calendar"]
    date_hierarchy = "date"
    search_fields = ["note"]
