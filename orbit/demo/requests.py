"""Two years of client requests and complaints, as a head of department would recognise them: key accounts ask
more, most requests are answered and resolved within the SLA, some late ones were escalated; today a few are
open and close to breach, and a few are overdue and already escalated. Deterministic: the same seed and day give
the same rows.

    from orbit.demo.requests import write_requests
    write_requests(seed=1, today=date(2026, 11, 23))  # after accounts, ownership and account teams exist
"""

import bisect
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from orbit.accounts.models import Account, AccountStatus, AccountTeamMember, Contact, OwnershipPeriod
from orbit.requests import conf, sla
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import (
    Department,
    Escalation,
    Priority,
    Request,
    RequestComment,
    RequestStatus,
    RequestType,
)
from orbit.worktime.services import CalendarYearMissing, add_business_hours, business_hours_between

YEARS = 2
# Requests a year by tier: key accounts talk to the company most.
PER_YEAR = {"key": 14, "A": 7, "B": 4, "C": 2}
TYPES = [
    (RequestType.QUESTION, 38),
    (RequestType.DOCUMENTS, 20),
    (RequestType.CHANGE_OF_TERMS, 14),
    (RequestType.COMPLAINT, 16),
    (RequestType.INCIDENT, 12),
]
PRIORITIES = [(Priority.LOW, 20), (Priority.NORMAL, 50), (Priority.HIGH, 22), (Priority.CRITICAL, 8)]
DEPARTMENTS = {
    RequestType.QUESTION: ["support"],
    RequestType.DOCUMENTS: ["accounting"],
    RequestType.CHANGE_OF_TERMS: ["legal", "accounting"],
    RequestType.COMPLAINT: ["logistics", "production", "support"],
    RequestType.INCIDENT: ["support", "production"],
}
SUBJECTS = {
    RequestType.QUESTION: [
        "Как изменить адрес доставки",
        "Уточнить сроки отгрузки",
        "Вопрос по совместимости оборудования",
        "Как подключить новый филиал",
    ],
    RequestType.DOCUMENTS: [
        "Акт сверки за квартал",
        "Копии счетов-фактур",
        "Сертификаты соответствия на партию",
        "Закрывающие документы за месяц",
    ],
    RequestType.CHANGE_OF_TERMS: [
        "Отсрочка платежа до 45 дней",
        "Изменение графика поставок",
        "Дополнительное соглашение о скидке",
    ],
    RequestType.COMPLAINT: [
        "Недовоз по накладной",
        "Повреждённая упаковка при доставке",
        "Брак в партии",
        "Задержка поставки на неделю",
    ],
    RequestType.INCIDENT: [
        "Остановилась линия после обновления",
        "Не проходит обмен с 1С",
        "Сбой в личном кабинете клиента",
    ],
}
LATE_SHARE = 0.13  # requests whose resolution came after the due time
OPEN_DAYS = 12  # requests received in the last days are still open
WORK_MINUTES = (15, 20, 30, 45, 60, 90)  # time logged with an answer, minutes


def _received(day: dt.date, rng: random.Random) -> dt.datetime:
    # Most requests come in working hours; some in the evening, after the working day.
    hour = 9 + rng.randrange(9) if rng.random() < 0.85 else 18 + rng.randrange(4)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.choice((0, 10, 25, 40, 55)))))


def _share(rng: random.Random, late: bool) -> float:
    return rng.uniform(1.05, 1.8) if late else rng.uniform(0.15, 0.95)


def write_requests(*, seed: int, today: dt.date, now: dt.datetime | None = None) -> int:
    """Write the requests (with their first-response comments) and schedule the SLA checks of the open ones.

    Returns the number of requests written. Needs the accounts, their ownership periods and account teams.
    """
    rng = random.Random(f"{seed}-requests")
    # Nothing happens after `now` (the generator's `demo_now`: noon of `today`, or earlier when seeded earlier).
    now = now or min(timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0))), timezone.now())
    start = today - dt.timedelta(days=365 * YEARS)
    ensure_defaults()  # a reset demo database lost the departments and rules the migration wrote
    departments = {d.code: d for d in Department.objects.all()}
    accounts = list(
        Account.objects.filter(archived_at__isnull=True)
        .exclude(status__in=[AccountStatus.PROSPECT, AccountStatus.HANDOFF])
        .select_related("responsible_manager", "responsible_manager__team")
        .order_by("id")
    )
    periods = defaultdict(list)
    for period in (
        OwnershipPeriod.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=start))
        .select_related("manager", "manager__team", "manager__team__lead")
        .order_by("account_id", "started_at")
    ):
        periods[period.account_id].append(period)
    contacts = defaultdict(list)
    for contact_id, account_id in Contact.objects.filter(archived_at__isnull=True).values_list(
        "id", "account_id"
    ):
        contacts[account_id].append(contact_id)
    engineers = defaultdict(list)
    for user_id, account_id in AccountTeamMember.objects.filter(ended_at__isnull=True).values_list(
        "user_id", "account_id"
    ):
        engineers[account_id].append(user_id)
    policies = {(t, p): sla.policy_for(t, p) for t in RequestType.values for p in Priority.values}
    calendar = sla.calendar_of(None)

    rows: list[Request] = []
    answers: list[tuple[int, int, dt.datetime, str]] = []  # (row index, author, when, text)
    for account in accounts:
        spans = periods[account.pk]
        if not spans:
            continue
        starts = [p.started_at for p in spans]
        count = round(PER_YEAR.get(account.tier, 3) * YEARS * rng.uniform(0.5, 1.4))
        days = sorted(start + dt.timedelta(days=rng.randrange(365 * YEARS + 1)) for _ in range(count))
        for day in days:
            received = _received(day, rng)
            if received > now:
                continue
            index = bisect.bisect_right(starts, received) - 1
            if index < 0:
                continue
            manager = spans[index].manager
            request_type = rng.choices([v for v, _w in TYPES], [w for _v, w in TYPES])[0]
            priority = rng.choices([v for v, _w in PRIORITIES], [w for _v, w in PRIORITIES])[0]
            policy = policies[(request_type, priority)]
            if policy is None:
                continue
            try:
                first_due, resolution_due = sla.due_times(policy, received)
            except CalendarYearMissing:
                continue
            lead = manager.team.lead if manager.team_id and manager.team.lead_id != manager.pk else None
            executor_ids = [u for u in engineers[account.pk] if u != manager.pk] or (
                [lead.pk] if lead else []
            )
            assignee_id = rng.choice(executor_ids) if executor_ids else None
            row = Request(
                account_id=account.pk,
                contact_id=rng.choice(contacts[account.pk])
                if contacts[account.pk] and rng.random() < 0.8
                else None,
                request_type=request_type,
                priority=priority,
                department=departments[rng.choice(DEPARTMENTS[request_type])],
                subject=rng.choice(SUBJECTS[request_type]),
                description="",
                manager_id=manager.pk,
                assignee_id=assignee_id,
                created_by_id=manager.pk,
                received_at=received,
                sla_policy=policy,
                first_response_due=first_due,
                resolution_due=resolution_due,
            )
            _give_outcome(row, rng, now, today, calendar, policy)
            rows.append(row)
            if row.first_responded_at is not None and assignee_id is not None:
                answers.append(
                    (len(rows) - 1, assignee_id, row.first_responded_at, "Приняли в работу, разбираемся.")
                )
    rows += _near_breach(rng, accounts, policies, departments, calendar, now)
    Request.objects.bulk_create(rows, batch_size=2000)
    # Each answer logs the time it took (its own random stream: the requests above stay as they were).
    spent = random.Random(f"{seed}-request-minutes")
    comments = [
        RequestComment(
            request_id=rows[i].pk, author_id=author, text=text, minutes_spent=spent.choice(WORK_MINUTES)
        )
        for i, author, _w, text in answers
    ]
    RequestComment.objects.bulk_create(comments, batch_size=5000)
    # auto_now_add stamped "now": put the comments and the rows' creation at their real moments.
    for comment, (_i, _a, when, _t) in zip(comments, answers, strict=True):
        comment.created_at = when
    RequestComment.objects.bulk_update(comments, ["created_at"], batch_size=5000)
    for row in rows:
        row.created_at = row.updated_at = row.received_at
    Request.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=2000)
    for row in rows:
        if row.status in (RequestStatus.NEW, RequestStatus.IN_PROGRESS) and row.resolution_due > now:
            sla.schedule(row)  # the background worker warns and escalates them as time goes on
    return len(rows)


def _give_outcome(row: Request, rng: random.Random, now, today, calendar, policy) -> None:
    """Set status, response, resolution and escalation: finished in the past, open in the last days."""
    recent = timezone.localtime(row.received_at).date() > today - dt.timedelta(days=OPEN_DAYS)
    # Most recent requests already past their resolution due time were finished; a fifth are still open, late.
    recent = recent and (row.resolution_due > now or rng.random() < 0.2)
    if not recent:
        late = rng.random() < LATE_SHARE
        first_hours = float(policy.first_response_hours) * _share(rng, late and rng.random() < 0.5)
        resolve_hours = float(policy.resolution_hours) * _share(rng, late)
        row.first_responded_at = add_business_hours(calendar, row.received_at, first_hours)
        row.resolved_at = max(
            add_business_hours(calendar, row.received_at, resolve_hours), row.first_responded_at
        )
        if row.resolved_at >= now:
            row.resolved_at = None
            row.status = RequestStatus.IN_PROGRESS
        else:
            row.status = RequestStatus.CLOSED if rng.random() < 0.9 else RequestStatus.RESOLVED
            if row.status == RequestStatus.CLOSED:
                row.closed_at = min(row.resolved_at + dt.timedelta(days=rng.randint(1, 5)), now)
        if (
            row.resolved_at is None
            or row.resolved_at > row.resolution_due
            or row.first_responded_at > row.first_response_due
        ):
            row.escalation_level = Escalation.TEAM_LEAD
            row.escalated_at = min(row.first_response_due, row.resolution_due)
            if rng.random() < 0.25:
                row.escalation_level = Escalation.HEAD
        return
    # Open: some are answered and in progress, some wait for the client, the rest are new.
    roll = rng.random()
    if roll < 0.7 and row.first_response_due < now:
        row.first_responded_at = min(
            add_business_hours(
                calendar, row.received_at, float(policy.first_response_hours) * rng.uniform(0.2, 0.9)
            ),
            now,
        )
        row.status = RequestStatus.IN_PROGRESS
    elif roll < 0.85 and row.first_response_due < now:
        row.first_responded_at = min(row.first_response_due, now)
        row.status = RequestStatus.WAITING_CLIENT
        row.paused_at = now - dt.timedelta(hours=rng.randint(1, 30))
        row.paused_hours = Decimal(0)
    else:
        row.status = RequestStatus.NEW
    if row.status == RequestStatus.WAITING_CLIENT:
        return
    running_due = row.first_response_due if row.first_responded_at is None else row.resolution_due
    if running_due <= now:
        # Overdue today: escalated to the lead, the oldest ones to the head as well.
        row.escalation_level = Escalation.TEAM_LEAD
        row.escalated_at = running_due
        if add_business_hours(calendar, running_due, float(conf.head_escalation_hours())) <= now:
            row.escalation_level = Escalation.HEAD
    else:
        share = conf.warning_share()
        allowed = policy.first_response_hours if row.first_responded_at is None else policy.resolution_hours
        if add_business_hours(calendar, row.received_at, float(allowed * share)) <= now:
            field = "first_response_warned_for" if row.first_responded_at is None else "resolution_warned_for"
            setattr(row, field, running_due)  # near breach: the manager was warned


NEAR_BREACH = 6  # open requests today with 85-95 % of the time to answer used up


def _near_breach(rng, accounts, policies, departments, calendar, now) -> list[Request]:
    """A few requests registered just long enough ago that their first response is about to be late."""
    owned = [a for a in accounts if a.responsible_manager_id and a.responsible_manager.is_active]
    rows = []
    for account in rng.sample(owned, min(NEAR_BREACH, len(owned))):
        priority = rng.choice([Priority.CRITICAL, Priority.HIGH])
        request_type = rng.choice([RequestType.COMPLAINT, RequestType.INCIDENT])
        policy = policies[(request_type, priority)]
        if policy is None:
            continue
        wanted = float(policy.first_response_hours) * rng.uniform(0.85, 0.95)
        received = now
        try:
            # Step back in ten-minute steps until that much working time lies between the request and now.
            for _ in range(24 * 6 * 20):
                if business_hours_between(calendar, received, now).total_seconds() / 3600 >= wanted:
                    break
                received -= dt.timedelta(minutes=10)
            first_due, resolution_due = sla.due_times(policy, received)
        except CalendarYearMissing:
            continue
        rows.append(
            Request(
                account_id=account.pk,
                request_type=request_type,
                priority=priority,
                department=departments[rng.choice(DEPARTMENTS[request_type])],
                subject=rng.choice(SUBJECTS[request_type]),
                manager_id=account.responsible_manager_id,
                created_by_id=account.responsible_manager_id,
                received_at=received,
                sla_policy=policy,
                first_response_due=first_due,
                resolution_due=resolution_due,
                status=RequestStatus.NEW,
                first_response_warned_for=first_due,
            )
        )
    return rows
