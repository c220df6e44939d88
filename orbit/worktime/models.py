"""Working calendars: the hours of a working day, the working weekdays, and each year's production calendar
(public holidays, transferred working days, short pre-holiday days) as data the admin edits.

Business-hours arithmetic lives in `services.py`; it reads a calendar's days once and caches them under the
calendar's `revision`, which every change of the calendar, its years or its days replaces.
"""

import datetime as dt
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MIN_YEAR, MAX_YEAR = 2000, 2100
# ISO weekday numbers: 1 = Monday ... 7 = Sunday.
WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a known time zone; use an IANA name such as Europe/Moscow."),
            code="time_zone",
            params={"value": value},
        ) from None


def validate_weekdays(value: str) -> None:
    if not value or any(ch not in "1234567" for ch in value) or len(set(value)) != len(value):
        raise ValidationError(_("Choose at least one working weekday."), code="weekdays")


class WorkCalendar(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )
    day_starts = models.TimeField(_("working day starts"), default=dt.time(9))
    day_ends = models.TimeField(_("working day ends"), default=dt.time(18))
    # The working weekdays as ISO numbers, "12345" = Monday to Friday.
    working_weekdays = models.CharField(
        _("working weekdays"), max_length=7, default="12345", validators=[validate_weekdays]
    )
    is_default = models.BooleanField(_("default calendar"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Replaced on every change of the calendar, its years or its days: the key of the computation cache.
    revision = models.UUIDField(default=uuid.uuid4, editable=False)
    history = HistoricalRecords(excluded_fields=["revision"])

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="worktime_one_default_calendar",
            ),
            models.CheckConstraint(
                condition=models.Q(day_starts__lt=models.F("day_ends")), name="worktime_day_starts_before_end"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.revision = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "revision"}
        super().save(*args, **kwargs)

    @property
    def weekday_set(self) -> frozenset[int]:
        return frozenset(int(ch) for ch in self.working_weekdays)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def clean(self):
        if self.day_starts and self.day_ends and self.day_starts >= self.day_ends:
            raise ValidationError({"day_ends": _("The working day must end after it starts.")})


class CalendarYear(models.Model):
    """A year whose official production calendar has been entered: counting in any other year is refused."""

    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("The decree on transfers of days off, or where the days were taken from."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["calendar", "year"]
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="worktime_unique_year")]

    def __str__(self) -> str:
        return f"{self.calendar} · {self.year}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("holiday (non-working)")
    WORKING = "working", _("working day (transferred)")
    SHORT = "short", _("short pre-holiday day")


class CalendarDay(models.Model):
    """An exception to the weekly rule on one date."""

    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="worktime_unique_day")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self):
        if (
            self.calendar_id
            and self.date
            and not CalendarYear.objects.filter(calendar_id=self.calendar_id, year=self.date.year).exists()
        ):
            message = _("%(year)s is not entered in this calendar: enter the year first.")
            raise ValidationError({"date": ValidationError(message, params={"year": self.date.year})})


def renew_revision(calendar_id: int, holder: "WorkCalendar | None" = None) -> None:
    """The calendar's content changed: a new revision, so cached computations are rebuilt (and the instance
    the caller holds, if given, carries it too)."""
    revision = uuid.uuid4()
    WorkCalendar.objects.filter(pk=calendar_id).update(revision=revision)
    if holder is not None:
        holder.revision = revision


@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_content_changed(sender, instance, **kwargs):
    """Not business logic: the computation cache's key. Signals, so that queryset deletes (the admin's bulk
    action, a cascade) renew it too."""
    renew_revision(instance.calendar_id, instance._state.fields_cache.get("calendar"))
