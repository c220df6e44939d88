"""Planned project work on the assignee's day and in his calendar feed (registered with
`orbit.activities.deadlines` in the app's ready()).

A planned work not yet done, of a running project, assigned to one of `owners`, from the
`activities.deadlines` horizon ahead, and overdue while not done (marking it done, or moving it, is still to be
done). It is on the day it starts (local). The registry speaks in days: the time and the place are in `detail`;
the calendar feed shows it as an all-day item of that day.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.activities.deadlines import Deadline
from orbit.growth.models import RUNNING_PROJECT, PlannedWork


def planned_work_deadlines(*, read, owners, today: dt.date, until: dt.date, limit: int) -> list[Deadline]:
    before = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    rows = (
        read(PlannedWork.objects)
        .filter(
            assignee_id__in=owners,
            done_at__isnull=True,
            project__status__in=RUNNING_PROJECT,
            starts_at__lt=before,
        )
        .select_related("project__account")
        .only(
            "id",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "project__id",
            "project__name",
            "project__account__id",
            "project__account__short_name",
            "project__account__legal_name",
        )
        .order_by("starts_at", "id")[:limit]
    )
    items = []
    for work in rows:
        starts, ends = timezone.localtime(work.starts_at), timezone.localtime(work.ends_at)
        when = (
            f"{starts:%H:%M}–{ends:%H:%M}"
            if starts.date() == ends.date()
            else f"{starts:%H:%M}–{ends:%d.%m %H:%M}"
        )
        detail = _("project «%(name)s», %(when)s") % {"name": work.project.name, "when": when}
        if work.location:
            detail += f", {work.location}"
        items.append(
            Deadline(
                uid=f"planned-work-{work.pk}",
                kind="planned_work",
                day=starts.date(),
                title=_("Planned work: %(title)s") % {"title": work.title},
                account_id=work.project.account_id,
                account_name=work.project.account.display_name,
                url=reverse("growth:project", args=[work.project_id]) + f"#work-{work.pk}",
                detail=detail,
            )
        )
    return items
