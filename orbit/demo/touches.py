"""Two years of touches and a few open tasks, with the patterns a head of department would recognise:
diligent managers who keep every account's cadence, sloppy ones who let it slip, and neglected accounts
nobody has called for half a year. Deterministic: the same seed and day give the same rows.
"""

import bisect
import datetime as dt
import random
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from orbit.accounts.models import Account, Contact, OwnershipPeriod
from orbit.activities.cadence import DEFAULT_DAYS, ensure_defaults
from orbit.activities.models import Task, Touch, TouchKind, TouchSource, TouchStatus
from orbit.activities.services import WORKED_STATUSES, plan_cadence_touches

YEARS = 2
# How well each manager keeps the cadence (share of due touches made); everyone else: 0.75.
DILIGENCE = {"am1": 0.97, "kam1": 0.95, "am2": 0.9, "am7": 0.85, "am4": 0.55, "am9": 0.45, "am11": 0.35}
NEGLECTED_SHARE = 0.08  # accounts whose last touch is six months old or more
KINDS = [(TouchKind.CALL, 50), (TouchKind.EMAIL, 20), (TouchKind.MEETING, 15), (TouchKind.MESSAGE, 10)]
KINDS += [(TouchKind.VISIT, 5)]
MINUTES = {
    TouchKind.CALL: (10, 40),
    TouchKind.EMAIL: (5, 20),
    TouchKind.MEETING: (45, 120),
    TouchKind.MESSAGE: (5, 10),
    TouchKind.VISIT: (90, 300),
}
OUTCOMES = [
    "Обсудили план закупок на квартал",
    "Клиент доволен поставкой, просит ускорить документы",
    "Согласовали встречу с финансовым директором",
    "Выслали коммерческое предложение по допродаже",
    "Уточнили график отгрузок",
    "Клиент рассматривает конкурента, нужна встреча",
    "Напомнили о продлении договора",
    "Собрали обратную связь по сервису",
    "Провели презентацию новой линейки",
    "Обсудили претензию по качеству, договорились о компенсации",
]
TASKS = [
    "Подготовить акт сверки",
    "Согласовать спецификацию к договору",
    "Отправить КП по расширению",
    "Запросить отзыв для кейса",
    "Проверить оплату по счёту",
]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(9 + rng.randrange(9), rng.choice((0, 15, 30, 45))))
    )


def write_touches(*, seed: int, today: dt.date) -> tuple[int, int]:
    """Done touches over two years by the manager responsible at the time, then the cadence's planned ones
    and some open tasks. Returns (touches, tasks)."""
    ensure_defaults()
    rng = random.Random(f"{seed}-touches")
    start = today - dt.timedelta(days=365 * YEARS)
    accounts = list(
        Account.objects.filter(status__in=WORKED_STATUSES, archived_at__isnull=True)
        .select_related("responsible_manager")
        .order_by("id")
    )
    periods = defaultdict(list)
    for period in OwnershipPeriod.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__date__gte=start)
    ).order_by("account_id", "started_at"):
        periods[period.account_id].append(period)
    contacts = defaultdict(list)
    for contact_id, account_id in Contact.objects.filter(archived_at__isnull=True).values_list(
        "id", "account_id"
    ):
        contacts[account_id].append(contact_id)
    from orbit.org.models import User

    usernames = dict(User.objects.values_list("id", "username"))

    touches, links = [], []
    for account in accounts:
        spans = periods[account.pk]
        if not spans:
            continue
        starts = [p.started_at for p in spans]
        interval = DEFAULT_DAYS.get(account.tier, 60)
        stop = today - dt.timedelta(days=rng.randint(180, 300)) if rng.random() < NEGLECTED_SHARE else today
        day = max(start, timezone.localtime(starts[0]).date()) + dt.timedelta(days=rng.randrange(interval))
        while day < stop:
            when = _at(day, rng)
            index = bisect.bisect_right(starts, when) - 1
            if index < 0:  # before the account's first manager took it
                day += dt.timedelta(days=1)
                continue
            period = spans[index]
            diligence = DILIGENCE.get(usernames.get(period.manager_id, ""), 0.75)
            if rng.random() < diligence:
                kind = rng.choices([v for v, _w in KINDS], [w for _v, w in KINDS])[0]
                touch = Touch(
                    account_id=account.pk,
                    owner_id=period.manager_id,
                    kind=kind,
                    status=TouchStatus.DONE,
                    source=TouchSource.CADENCE if rng.random() < 0.6 else TouchSource.MANUAL,
                    planned_for=day,
                    happened_at=when,
                    duration_minutes=rng.randint(*MINUTES[kind]),
                    outcome=rng.choice(OUTCOMES),
                )
                touches.append(touch)
                if contacts[account.pk]:
                    links.append((len(touches) - 1, rng.choice(contacts[account.pk])))
            # a diligent manager comes back on time; a sloppy one later than the cadence allows
            day += dt.timedelta(
                days=max(1, round(interval * rng.uniform(0.7, 1.1) / max(diligence, 0.3) ** 0.5))
            )
    Touch.objects.bulk_create(touches, batch_size=2000)
    through = Touch.contacts.through
    through.objects.bulk_create(
        [through(touch_id=touches[i].pk, contact_id=c) for i, c in links], batch_size=5000
    )
    plan_cadence_touches(today=today)
    tasks = []
    for account in rng.sample(accounts, min(len(accounts), max(10, len(accounts) // 12))):
        if account.responsible_manager is None or not account.responsible_manager.is_active:
            continue
        tasks.append(
            Task(
                title=rng.choice(TASKS),
                assignee=account.responsible_manager,
                account=account,
                due_on=today + dt.timedelta(days=rng.randint(-6, 10)),
                created_by=account.responsible_manager,
            )
        )
    Task.objects.bulk_create(tasks)
    return len(touches), len(tasks)
