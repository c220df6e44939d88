"""Calendar pages for the head of department and administrators: thin views over selectors and services."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error
from orbit.worktime import selectors, services
from orbit.worktime.forms import CalendarForm, DayForm, YearForm
from orbit.worktime.models import CalendarDay, DayKind


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


def _year_url(calendar, year: int) -> str:
    return f"{reverse('worktime:detail', args=[calendar.pk])}?year={year}"


@login_required
def calendar_list(request):
    calendars = selectors.calendar_list(request.user)
    return render(request, "worktime/list.html", {"calendars": calendars})


@login_required
def calendar_create(request):
    selectors.calendar_list(request.user)  # the permission check
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_create(by=request.user, **form.service_fields())
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Calendar created. Enter its years next."))
            return redirect("worktime:detail", pk=calendar.pk)
    return render(request, "worktime/form.html", {"form": form, "calendar": None})


@login_required
def calendar_edit(request, pk: int):
    calendar = selectors.calendar_get(request.user, pk)
    form = CalendarForm(request.POST or None, instance=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_update(
                by=request.user,
                calendar=calendar,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except (ConflictError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Calendar saved. SLA clocks count on the new hours from now on."))
            return redirect("worktime:detail", pk=pk)
    return render(request, "worktime/form.html", {"form": form, "calendar": calendar})


def _detail(request, calendar, year_form=None, status=200):
    years = list(calendar.years.order_by("year"))
    entered = [y.year for y in years]
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = today.year if today.year in entered or not entered else entered[-1]
    entry = next((y for y in years if y.year == year), None)
    context = {
        "calendar": calendar,
        "years": years,
        "year": year,
        "entry": entry,
        "months": selectors.year_grid(calendar, year) if entry else [],
        "days": list(CalendarDay.objects.filter(calendar=calendar, date__year=year)) if entry else [],
        "year_form": year_form or YearForm(initial={"year": (entered[-1] + 1) if entered else today.year}),
        "kinds": DayKind,
        "today": today,
    }
    return render(request, "worktime/detail.html", context, status=status)


@login_required
def calendar_detail(request, pk: int):
    return _detail(request, selectors.calendar_get(request.user, pk))


@login_required
@require_POST
def year_add(request, pk: int):
    calendar = selectors.calendar_get(request.user, pk)
    form = YearForm(request.POST)
    if form.is_valid():
        try:
            services.year_add(by=request.user, calendar=calendar, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(year)s entered. Mark its transfers of days off, working Saturdays and short days.")
                % {"year": form.cleaned_data["year"]},
            )
            return redirect(_year_url(calendar, form.cleaned_data["year"]))
    return _detail(request, calendar, year_form=form)


@login_required
def day_edit(request, pk: int, day: str):
    calendar = selectors.calendar_get(request.user, pk)
    date = _parse_day(day)
    entry = CalendarDay.objects.filter(calendar=calendar, date=date).first()
    initial = {"kind": entry.kind, "note": entry.note} if entry else {}
    form = DayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.day_set(by=request.user, calendar=calendar, date=date, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(date)s saved.") % {"date": date.strftime("%d.%m.%Y")})
            return redirect(_year_url(calendar, date.year))
    by_rule = date.isoweekday() in calendar.weekday_set
    return render(
        request,
        "worktime/day.html",
        {"calendar": calendar, "date": date, "entry": entry, "form": form, "by_rule_working": by_rule},
    )


@login_required
@require_POST
def day_remove(request, pk: int, day: str):
    calendar = selectors.calendar_get(request.user, pk)
    date = _parse_day(day)
    if services.day_remove(by=request.user, calendar=calendar, date=date):
        messages.success(
            request, _("%(date)s follows the weekly rule again.") % {"date": date.strftime("%d.%m.%Y")}
        )
    return redirect(_year_url(calendar, date.year))
