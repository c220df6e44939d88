"""A person's day as an iCal feed, so planned touches, tasks, handoff steps and other areas' deadlines (contract
renewals and notice days, late deliveries: `deadlines`) show in any calendar app."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event

from orbit.activities import deadlines
from orbit.activities.models import Task, TaskStatus, Touch, TouchStatus
from orbit.handoffs.models import OPEN_STATUSES, HandoffStep

PAST_DAYS, AHEAD_DAYS = 30, 90
FEED_LIMIT = 500  # deadlines per source in one feed (Orbit's default): a calendar is not a backlog report


def _all_day(uid: str, day: dt.date, summary: str, url: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@orbit")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    return event


def feed(user, request) -> bytes:
    """Planned touches and due items from a month back to three months ahead, and the touches done lately."""
    now = timezone.now()
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=AHEAD_DAYS)
    link = request.build_absolute_uri
    calendar = Calendar()
    calendar.add("prodid", "-//Orbit//orbit-crm//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Orbit")
    with override(user.language or "ru"):
        # Through the visibility policy, not by owner: an account he no longer sees leaves his calendar too.
        touches = (
            Touch.objects.visible_to(user, include_archived=False)
            .filter(owner=user)
            .select_related("account")
        )
        for touch in touches.filter(status=TouchStatus.PLANNED, planned_for__range=(start, end)):
            summary = f"{touch.get_kind_display()}: {touch.account.display_name}"
            url = link(f"/accounts/{touch.account_id}/")
            calendar.add_component(_all_day(f"touch-{touch.pk}", touch.planned_for, summary, url, now))
        for touch in touches.filter(status=TouchStatus.DONE, happened_at__date__gte=start):
            event = Event()
            event.add("uid", f"touch-{touch.pk}@orbit")
            event.add("dtstamp", now)
            event.add("dtstart", touch.happened_at)
            event.add("dtend", touch.happened_at + dt.timedelta(minutes=touch.duration_minutes))
            event.add("summary", f"✓ {touch.get_kind_display()}: {touch.account.display_name}")
            event.add("description", touch.outcome)
            event.add("url", link(f"/accounts/{touch.account_id}/"))
            calendar.add_component(event)
        tasks = Task.objects.visible_to(user).filter(
            assignee=user, status=TaskStatus.OPEN, due_on__range=(start, end)
        )
        for task in tasks:
            summary = _("Task: %(title)s") % {"title": task.title}
            calendar.add_component(_all_day(f"task-{task.pk}", task.due_on, summary, link("/agenda/"), now))
        steps = (
            HandoffStep.objects.visible_to(user)
            .filter(
                owner=user,
                done_at__isnull=True,
                handoff__status__in=OPEN_STATUSES,
                due_date__range=(start, end),
            )
            .select_related("handoff__account")
        )
        for step in steps:
            summary = f"{step.get_kind_display()}: {step.handoff.account.display_name}"
            url = link(f"/handoffs/{step.handoff_id}/")
            calendar.add_component(_all_day(f"step-{step.pk}", step.due_date, summary, url, now))
        # Other areas' deadlines (contract renewals and notice days, late deliveries), through the same policy.
        due = deadlines.collect(
            read=lambda manager: manager.visible_to(user, include_archived=False),
            owners=[user.pk],
            today=today,
            until=end,
            limit=FEED_LIMIT,
        )
        for item in due:
            if item.day >= start:
                summary = f"{item.title}: {item.account_name}"
                calendar.add_component(_all_day(item.uid, item.day, summary, link(item.url), now))
    return calendar.to_ical()
