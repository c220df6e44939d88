"""People around an account besides its owner: open handoffs from sales, the hunter's attribution, project managers.

An account in the «handoff» status is a won client whose handoff is under way, exactly as the handoff workflow
leaves it: an open handoff from the hunter to an account manager, its brief, and its steps done up to some point.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from orbit.accounts.models import BuyingRole, ChangeReason, TeamRole
from orbit.demo.histories import Chronicle, PeriodPlan
from orbit.handoffs.models import HandoffStatus, StepKind

HUNTER_BONUS_DAYS = 365  # the hunter shares the bonus for a year after the handoff
STEP_ORDER = (StepKind.BRIEF, StepKind.JOIN_DEAL, StepKind.MEETING, StepKind.ACCEPTANCE)

PROMISES = (
    "Первая поставка в течение трёх недель после подписания, отсрочка платежа 30 дней.",
    "Скидка 7 % на первый год при объёме от 2 млн ₽ в квартал.",
    "Выделенный инженер на запуск и обучение персонала клиента.",
    "Фиксированные цены до конца года и резерв товара на нашем складе.",
)
SCOPES = (
    "Спецификация из 40 позиций согласована с главным инженером; замена аналогами только по согласованию.",
    "Заказы через ЭДО, каталог в формате закупочной системы клиента.",
    "Пилот на одной площадке, затем тиражирование на три филиала.",
    "Доставка до склада клиента, окно приёмки 8:00–12:00, разгрузка силами поставщика.",
)
RISKS = (
    "Конкурент предлагает отсрочку 90 дней: клиент может к нему вернуться.",
    "Бюджет на второе полугодие ещё не утверждён.",
    "Главный инженер был против смены поставщика.",
    "Сжатые сроки запуска, в договоре штрафы за просрочку.",
)
COMMITMENTS = (
    "Прислать сертификаты соответствия и паспорта продукции.",
    "Согласовать график поставок на квартал.",
    "Провести обучение операторов на площадке клиента.",
)
MEETING_OUTCOMES = (
    "Клиент подтвердил объём и график; новый менеджер представлен, договорились о еженедельных созвонах.",
    "Обсудили технические требования, клиент ждёт коммерческое предложение на вторую площадку.",
)


@dataclass
class TeamMemberPlan:
    user: str
    role: str
    started_at: dt.datetime
    added_by: str
    note: str = ""
    ended_at: dt.datetime | None = None


@dataclass
class StepPlan:
    kind: str
    owner: str
    due_date: dt.date
    position: int
    done_at: dt.datetime | None = None
    note: str = ""


@dataclass
class HandoffPlan:
    from_user: str
    to_user: str
    started_at: dt.datetime
    status: str
    brief: dict
    meeting: dict = field(default_factory=dict)
    steps: list[StepPlan] = field(default_factory=list)


def _stakeholders(contacts: list) -> str:
    roles = {BuyingRole.DECISION_MAKER: "принимает решение", BuyingRole.BUYER: "ведёт закупку"}
    lines = [
        f"{c.full_name} ({c.position}) — {roles.get(c.buying_role, 'участвует в проекте')}" for c in contacts
    ]
    return "; ".join(lines[:3]) + "."


def _brief(ch: Chronicle, contacts: list, started: dt.date) -> dict:
    rng = ch.rng
    number = f"{rng.randint(10, 999)}-П/{started:%y}"
    return {
        "promised": rng.choice(PROMISES),
        "technical_scope": rng.choice(SCOPES),
        "stakeholders": _stakeholders(contacts),
        "risks": rng.choice(RISKS),
        "open_commitments": rng.choice(COMMITMENTS),
        "documents": f"Договор № {number} от {started:%d.%m.%Y}, спецификация № 1.",
    }


def _steps(ch: Chronicle, hunter: str, receiver: str, started: dt.date) -> list[StepPlan]:
    """The handoff's steps, done up to a random point: the receiver's acceptance is always still ahead."""
    owners = {StepKind.BRIEF: hunter, StepKind.JOIN_DEAL: receiver, StepKind.MEETING: hunter}
    owners[StepKind.ACCEPTANCE] = receiver
    done_count = ch.rng.randint(0, 3)
    steps, done_day = [], started
    for position, kind in enumerate(STEP_ORDER):
        step = StepPlan(
            kind, owners[kind], started + dt.timedelta(days=settings.ORBIT_HANDOFF_STEP_DAYS[kind]), position
        )
        if position < done_count:
            done_day = min(done_day + dt.timedelta(days=ch.rng.randint(1, 4)), ch.last_day)
            step.done_at = ch.moment(done_day)
        steps.append(step)
    return steps


def open_handoff(
    ch: Chronicle,
    *,
    hunter: str,
    receiver: str,
    started_at: dt.datetime,
    contacts: list,
    names: dict[str, str],
) -> HandoffPlan:
    started = timezone.localtime(started_at).date()
    steps = _steps(ch, hunter, receiver, started)
    done = {s.kind: s for s in steps if s.done_at}
    handoff = HandoffPlan(
        from_user=hunter,
        to_user=receiver,
        started_at=started_at,
        status=HandoffStatus.IN_PROGRESS if StepKind.BRIEF in done else HandoffStatus.DRAFT,
        brief=_brief(ch, contacts, started),
        steps=steps,
    )
    if StepKind.MEETING in done:
        client = contacts[0].full_name if contacts else ""
        handoff.meeting = {
            "meeting_at": done[StepKind.MEETING].done_at,
            "meeting_participants": ", ".join(filter(None, (names[hunter], names[receiver], client))),
            "meeting_outcome": ch.rng.choice(MEETING_OUTCOMES),
        }
    return handoff


def hunter_attribution(
    ch: Chronicle, periods: list[PeriodPlan], hunters: tuple[str, ...]
) -> list[TeamMemberPlan]:
    """The hunter stays on the account team after his handoff, for the year in which he shares the bonus."""
    members = []
    for earlier, later in itertools.pairwise(periods):
        if later.reason != ChangeReason.HANDOFF or earlier.manager not in hunters:
            continue
        until = timezone.localtime(later.started_at).date() + dt.timedelta(days=HUNTER_BONUS_DAYS)
        members.append(
            TeamMemberPlan(
                user=earlier.manager,
                role=TeamRole.SALES_MANAGER,
                started_at=later.started_at,
                added_by=later.changed_by,
                note="Привёл клиента",
                ended_at=ch.moment(until) if until <= ch.last_day else None,
            )
        )
    return members


def project_manager(ch: Chronicle, *, manager: str, owner: str, since: dt.date) -> TeamMemberPlan:
    day = since + dt.timedelta(days=ch.rng.randint(0, max(0, (ch.last_day - since).days)))
    return TeamMemberPlan(
        user=manager,
        role=TeamRole.PROJECT_MANAGER,
        started_at=ch.moment(day),
        added_by=owner,
        note="Внедрение",
    )


def global_account_manager(ch: Chronicle, *, manager: str, since: dt.date) -> TeamMemberPlan:
    """A key account manager holds the whole holding: he sees every subsidiary and coordinates their owners."""
    return TeamMemberPlan(
        user=manager,
        role=TeamRole.GLOBAL_ACCOUNT_MANAGER,
        started_at=ch.moment(since),
        added_by="head",
        note="Глобальный клиент-менеджер холдинга",
    )


def national_account_manager(ch: Chronicle, period: PeriodPlan) -> TeamMemberPlan:
    """The subsidiary's own manager serves it as the holding's national account manager, under the global AM."""
    return TeamMemberPlan(
        user=period.manager,
        role=TeamRole.NATIONAL_ACCOUNT_MANAGER,
        started_at=period.started_at,
        added_by=period.changed_by or "head",
        note="Национальный клиент-менеджер дочерней компании",
    )
