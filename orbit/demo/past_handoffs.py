"""The handoffs behind the ownership history, so the demo shows them in every state: each client a hunter
handed over and each move between managers for a vacation, an overload or a departure becomes a handoff
accepted at the moment responsibility moved (completed once its check-up is done); a few more were rejected
or cancelled and left ownership as it was. Written after the periods, from them, so the two always agree.
"""

import datetime as dt
import itertools
import random
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from orbit.accounts.models import AccountStatus, ChangeReason, OwnershipPeriod
from orbit.handoffs.models import Handoff, HandoffKind, HandoffStatus, HandoffStep, StepKind
from orbit.org.models import User

# Reasons whose change went through a handoff (a reversal or a plain reassignment did not).
THROUGH_HANDOFF = (ChangeReason.HANDOFF, ChangeReason.VACATION, ChangeReason.OVERLOAD, ChangeReason.DEPARTURE)
PROMISED = [
    "Поставка по спецификации №2 до конца квартала, отсрочка платежа 30 дней",
    "Скидка 5 % при годовом объёме, ежемесячная сверка",
    "Пилот на одном складе, затем тиражирование на филиалы",
]
SCOPE = [
    "Интеграция с 1С через EDI",
    "Маркировка и паллетирование по стандарту клиента",
    "Доставка до двух складов",
]
RISKS = [
    "Клиент сравнивает с конкурентом по цене",
    "Сжатые сроки первой отгрузки",
    "Новый финансовый директор",
]
REJECTIONS = [
    "Бриф неполный: нет договорённостей по отсрочке — верните после встречи с клиентом",
    "Перегружен: в портфеле уже 45 клиентов",
]
CANCELLATIONS = ["Менеджер вернулся из отпуска раньше", "Клиент попросил оставить прежнего менеджера"]


def _steps(handoff: Handoff, giver: User, receiver: User, accepted: dt.datetime, checkup_done: bool) -> list:
    weeks = settings.ORBIT_HANDOFF_CHECKUP_WEEKS
    plan = [
        (StepKind.BRIEF, giver, accepted - dt.timedelta(days=9)),
        (StepKind.JOIN_DEAL, receiver, accepted - dt.timedelta(days=6)),
        (StepKind.MEETING, giver, accepted - dt.timedelta(days=2)),
        (StepKind.ACCEPTANCE, receiver, accepted),
        (StepKind.CHECKUP, receiver, accepted + dt.timedelta(weeks=weeks)),
    ]
    return [
        HandoffStep(
            handoff=handoff,
            kind=kind,
            owner=owner,
            due_date=timezone.localtime(when).date() + dt.timedelta(days=1),
            done_at=when if kind != StepKind.CHECKUP or checkup_done else None,
            done_by=owner if kind != StepKind.CHECKUP or checkup_done else None,
            position=position,
        )
        for position, (kind, owner, when) in enumerate(plan)
    ]


def write_past_handoffs(*, seed: int, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(f"{seed}-past-handoffs")
    users = User.objects.in_bulk()
    periods = defaultdict(list)
    for period in OwnershipPeriod.objects.select_related("account").order_by("account_id", "started_at"):
        periods[period.account_id].append(period)
    handoffs, steps, stamps = [], [], []
    checkup_age = dt.timedelta(weeks=settings.ORBIT_HANDOFF_CHECKUP_WEEKS)
    for earlier, later in (pair for runs in periods.values() for pair in itertools.pairwise(runs)):
        if later.reason not in THROUGH_HANDOFF:
            continue
        accepted = later.started_at
        done = now - accepted > checkup_age
        giver, receiver = users[earlier.manager_id], users[later.manager_id]
        handoff = Handoff(
            account=later.account,
            kind=HandoffKind.FROM_SALES
            if later.reason == ChangeReason.HANDOFF
            else HandoffKind.BETWEEN_MANAGERS,
            reason=later.reason,
            from_user=giver,
            to_user=receiver,
            status=HandoffStatus.COMPLETED if done else HandoffStatus.ACCEPTED,
            previous_account_status=AccountStatus.PROSPECT
            if later.reason == ChangeReason.HANDOFF
            else AccountStatus.ACTIVE,
            promised=rng.choice(PROMISED),
            technical_scope=rng.choice(SCOPE),
            risks=rng.choice(RISKS),
            meeting_at=accepted - dt.timedelta(days=2),
            meeting_outcome="Клиент познакомился с новым менеджером",
            decided_at=accepted,
            decision_comment="Бриф понятен, принимаю",
            checkup_satisfied=True if done else None,
            created_by=giver,
        )
        handoffs.append(handoff)
        stamps.append(accepted - dt.timedelta(days=10))
        steps.append((handoff, giver, receiver, accepted, done))
    # Refused and called-off handoffs: ownership stayed with the giver.
    current = [runs[-1] for runs in periods.values() if runs[-1].ended_at is None]
    receivers = [u for u in users.values() if u.is_active and u.username.startswith("am")]
    for refused, period in enumerate(rng.sample(current, min(len(current), 6))):
        receiver = rng.choice([u for u in receivers if u.pk != period.manager_id])
        decided = now - dt.timedelta(days=rng.randint(20, 200))
        status = (HandoffStatus.REJECTED, HandoffStatus.CANCELLED)[refused % 2]
        comment = rng.choice(REJECTIONS if status == HandoffStatus.REJECTED else CANCELLATIONS)
        handoffs.append(
            Handoff(
                account=period.account,
                kind=HandoffKind.BETWEEN_MANAGERS,
                reason=ChangeReason.OVERLOAD if status == HandoffStatus.REJECTED else ChangeReason.VACATION,
                from_user=users[period.manager_id],
                to_user=receiver,
                status=status,
                previous_account_status=period.account.status,
                promised=rng.choice(PROMISED),
                decided_at=decided,
                decision_comment=comment,
                created_by=users[period.manager_id],
            )
        )
        stamps.append(decided - dt.timedelta(days=5))
    Handoff.objects.bulk_create(handoffs)
    for handoff, created in zip(handoffs, stamps, strict=True):
        handoff.created_at = handoff.updated_at = created
    Handoff.objects.bulk_update(handoffs, ["created_at", "updated_at"])
    HandoffStep.objects.bulk_create([s for args in steps for s in _steps(*args)], batch_size=1000)
    for handoff in handoffs:
        handoff._history_date = handoff.decided_at
        handoff._history_user = (
            handoff.to_user if handoff.status != HandoffStatus.CANCELLED else handoff.from_user
        )
    Handoff.history.bulk_history_create(handoffs, batch_size=1000)
    counts = defaultdict(int)
    for handoff in handoffs:
        counts[handoff.status] += 1
    return dict(counts)
