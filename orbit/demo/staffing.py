"""Staffing in the demo (the Managers area's People and Org model tabs): a list of competencies, two dated
assessments of each for some of the managers (so the profile shows a trend), a lead's written assessment,
trainings; and a second hybrid (sales3 also takes the account manager's role, as sales4 has) with logged touch
hours over the last 12 complete months on prospects and on clients, so the time split and the what-if show
numbers. Deterministic: the same seed and day give the same rows. Levels and minutes are demo values."""

import datetime as dt
import random

from django.utils import timezone

from orbit.accounts.models import Account, AccountStatus
from orbit.activities.models import Touch, TouchStatus
from orbit.common.charts import months_back
from orbit.org.models import Role, User, UserRole
from orbit.staffing.models import Competency, CompetencyAssessment, LeadAssessment, Training

COMPETENCIES = (
    ("negotiation", "Переговоры", "Negotiation"),
    ("product", "Знание продукта", "Product knowledge"),
    ("planning", "Планирование работы с клиентом", "Account planning"),
    ("service", "Клиентский сервис", "Client service"),
    ("finance", "Финансовая грамотность", "Business finance"),
)
ASSESSED = ("am1", "am2", "am3", "am7", "kam1", "sales3", "sales4")
COURSES = (
    ("Переговоры с закупщиками", "Школа продаж «Вектор»", "Сертификат № {n}"),
    ("Управление ключевыми клиентами", "Институт KAM", ""),
    ("Финансы для менеджеров", "Бизнес-школа «Практика»", "Удостоверение № {n}"),
)
NOTES = (
    "Уверенно ведёт переговоры, клиенты его ценят. Стоит подтянуть планирование: встречи часто переносятся.",
    "Сильна в сервисе, медленно растит чек. На следующий квартал — две сделки допродажи.",
    "Хорошо знает продукт, но избегает сложных разговоров о цене. Рекомендован курс по переговорам.",
)
HYBRIDS = ("sales3", "sales4")


def write_staffing(*, seed: int, today: dt.date) -> dict[str, int]:
    rng = random.Random(f"{seed}-staffing")
    people = {u.username: u for u in User.objects.filter(username__in=(*ASSESSED, "head", "lead2", "lead3"))}
    head = people.get("head")
    if head is None:
        return {}
    competencies = [
        Competency(code=code, name_ru=ru, name_en=en, position=i)
        for i, (code, ru, en) in enumerate(COMPETENCIES)
    ]
    Competency.objects.bulk_create(competencies)
    leads = {"am1": "lead2", "am2": "lead2", "am3": "lead2", "am7": "lead3"}
    assessments, notes, trainings = [], [], []
    for n, username in enumerate(ASSESSED):
        person = people.get(username)
        if person is None:
            continue
        by = people.get(leads.get(username, "head")) or head
        for competency in competencies:
            first = rng.randint(2, 4)
            second = max(1, min(5, first + rng.choice((-1, 0, 1, 1))))
            for level, days_ago in ((first, rng.randint(200, 300)), (second, rng.randint(20, 90))):
                assessments.append(
                    CompetencyAssessment(
                        person=person,
                        competency=competency,
                        level=level,
                        assessed_on=today - dt.timedelta(days=days_ago),
                        assessed_by=by,
                    )
                )
        notes.append(
            LeadAssessment(
                person=person, text=NOTES[n % len(NOTES)], written_on=today - dt.timedelta(days=30), author=by
            )
        )
        course, provider, certificate = COURSES[n % len(COURSES)]
        started = today - dt.timedelta(days=rng.randint(60, 400))
        trainings.append(
            Training(
                person=person,
                course=course,
                provider=provider,
                started_on=started,
                finished_on=started + dt.timedelta(days=rng.randint(2, 30)),
                certificate=certificate.format(n=1000 + n),
                created_by=by,
            )
        )
    CompetencyAssessment.objects.bulk_create(assessments)
    LeadAssessment.objects.bulk_create(notes)
    Training.objects.bulk_create(trainings)
    touches = _hybrid_hours(rng, today)
    return {
        "competencies": len(competencies),
        "assessments": len(assessments),
        "trainings": len(trainings),
        "hybrid_touches": touches,
    }


def _hybrid_hours(rng: random.Random, today: dt.date) -> int:
    """Done touches with durations for the hybrids, every month of the last 12 complete ones: some on their
    prospects (hunting), the rest on their other accounts (serving when old clients); the hunting share drifts
    down over the year, as the seeds say a hybrid's selling time drains into service."""
    zone = timezone.get_current_timezone()
    hybrids = list(User.objects.filter(username__in=HYBRIDS, is_active=True))
    for user in hybrids:
        UserRole.objects.get_or_create(user=user, role=Role.ACCOUNT_MANAGER)
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    months = months_back(last, 12)
    rows = []
    for user in hybrids:
        prospects = list(
            Account.objects.filter(status=AccountStatus.PROSPECT, created_by=user)
            .order_by("pk")
            .values_list("pk", flat=True)[:20]
        )
        clients = list(
            Account.objects.filter(responsible_manager=user, status=AccountStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)[:20]
        )
        if len(clients) < 3:  # the hybrid farms some of the department's old clients too
            clients = list(
                Account.objects.filter(status=AccountStatus.ACTIVE)
                .order_by("pk")
                .values_list("pk", flat=True)[:5]
            )
        for i, month in enumerate(months):
            hunting_touches = max(2, 12 - i // 2) if prospects else 0
            serving_touches = 6 + i if clients else 0
            for pool, count in ((prospects, hunting_touches), (clients, serving_touches)):
                for _ in range(count):
                    day = month + dt.timedelta(days=rng.randint(0, 27))
                    at = dt.datetime.combine(
                        day, dt.time(rng.randint(9, 17), rng.choice((0, 30))), tzinfo=zone
                    )
                    rows.append(
                        Touch(
                            account_id=rng.choice(pool),
                            owner=user,
                            status=TouchStatus.DONE,
                            happened_at=at,
                            duration_minutes=rng.choice((30, 45, 60, 90)),
                        )
                    )
    Touch.objects.bulk_create(rows)
    return len(rows)
