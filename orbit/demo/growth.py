"""Growing accounts in the demo: opportunities in both pipelines at every stage with their stage histories, won
deals with projects (stages, planned work, the project manager on the account team), lost deals with their
reasons, and revenue and margin plans for every manager and team, the last 6 months and the next 3, near
what they really invoiced.

Rows are computed here and written in bulk, following the services' rules (orbit.growth.opportunities,
orbit.growth.plans): an opportunity passes every stage up to its own (so no required stage is skipped), its
probability is its stage's, an open one closes in the future, a won or lost one has `closed_on` and a lost one
a reason; a project's stages split its dates. Projects are written as rows (their services belong to another
part of the growth area): the project manager gets a seat on the account team, the account manager is the
account's responsible one. Plans use the invoiced fact by manager and month, so the plan vs fact page shows
people ahead of and behind plan. Deterministic: the same seed and day give the same rows. The shares and
amounts below are Orbit's demo defaults.
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from orbit.accounts.models import Account, AccountStatus, AccountTeamMember, TeamRole
from orbit.growth.defaults import ensure_defaults
from orbit.growth.models import (
    LostReason,
    Opportunity,
    OpportunityKind,
    OpportunityStageChange,
    Pipeline,
    PlannedWork,
    Project,
    ProjectStage,
    ProjectStageStatus,
    ProjectStatus,
    SalesPlan,
    Stage,
    StageOutcome,
)
from orbit.growth.plans import first_of_month, next_month, previous_month
from orbit.org.models import OWNER_ROLES, Role, Team, User
from orbit.revenue.models import Invoice, Order, ProductLine

BATCH = 500
# Share of the farmed accounts with an opportunity, and of those with a second one.
GROWTH_SHARE, SECOND_SHARE = 0.35, 0.25
# Where the deals stand: open (spread over the open stages), won, lost.
OUTCOMES = (("open", 0.58), ("won", 0.27), ("lost", 0.15))
PROJECT_SHARE = 0.6  # of the won deals: a project follows
PAST_PLAN_MONTHS, FUTURE_PLAN_MONTHS = 6, 3
DEFAULT_PLAN = Decimal("300000")  # a month's plan for a seller without invoices yet (a hunter)
DEFAULT_MARGIN_SHARE = Decimal("0.3")
GROWTH_KINDS = (
    (OpportunityKind.UPSELL, "Расширение поставки: {line}"),
    (OpportunityKind.CROSS_SELL, "Новое направление: {line}"),
    (OpportunityKind.RENEWAL, "Продление договора: {line}"),
    (OpportunityKind.REACTIVATION, "Возобновление закупок: {line}"),
)
NEXT_STEPS = (
    "Отправить коммерческое предложение",
    "Согласовать встречу с ЛПР",
    "Провести демонстрацию",
    "Уточнить бюджет на следующий год",
    "Подготовить договор",
    "Согласовать спецификацию",
)
LOST_NOTES = ("", "Клиент выбрал вариант дешевле", "Решение отложили до следующего года", "")
PROJECT_STAGES = ("Обследование", "Поставка", "Внедрение", "Обучение и приёмка")
WORKS = ("Выезд на объект", "Монтаж оборудования", "Настройка и запуск", "Обучение пользователей")


def write_growth(*, seed: int, today: dt.date, now: dt.datetime) -> dict[str, int]:
    """Write the growth area of the demo; returns the count of each kind of row."""
    rng = random.Random(f"{seed}-growth")
    ensure_defaults()  # a flushed database lost migration 0002's pipelines
    head = User.objects.filter(username="head").first()
    opportunities, changes, won = _write_opportunities(rng, today, now)
    projects, stages, works, seats = _write_projects(rng, won, today, now, head)
    plans = _write_plans(rng, today, head)
    fulfilled = _link_orders(won)
    return {
        "opportunities": opportunities,
        "stage_changes": changes,
        "projects": projects,
        "project_stages": stages,
        "planned_work": works,
        "pm_seats": seats,
        "plans": plans,
        "fulfilled_orders": fulfilled,
    }


def _link_orders(won: list[Opportunity]) -> int:
    """The first order a client sent on or after the day a deal was won fulfils it, so the demo's invoices show
    every kind of sale (orbit/growth/sale_kinds.py), not only new and repeat business."""
    by_account: dict[int, list[Order]] = {}
    accounts = {o.account_id for o in won if o.closed_on}
    for order in Order.objects.filter(account_id__in=accounts, opportunity__isnull=True).order_by(
        "received_at"
    ):
        by_account.setdefault(order.account_id, []).append(order)
    linked = []
    for opportunity in sorted((o for o in won if o.closed_on), key=lambda o: (o.closed_on, o.pk)):
        waiting = by_account.get(opportunity.account_id, [])
        order = next((x for x in waiting if timezone.localdate(x.received_at) >= opportunity.closed_on), None)
        if order is not None:
            waiting.remove(order)
            order.opportunity = opportunity
            linked.append(order)
    Order.objects.bulk_update(linked, ["opportunity"], batch_size=500)
    return len(linked)


# --- opportunities -----------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _amount(rng: random.Random, size: float) -> Decimal:
    return Decimal(max(50_000, round(rng.lognormvariate(13.0, 0.8) * size, -4)))


def _write_opportunities(rng: random.Random, today: dt.date, now: dt.datetime):
    pipelines = {p.code: p for p in Pipeline.objects.all()}
    stages = {
        code: list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
        for code, pipeline in pipelines.items()
    }
    reasons = list(LostReason.objects.order_by("id"))
    lines = list(ProductLine.objects.order_by("id"))
    accounts = list(
        Account.objects.filter(archived_at__isnull=True)
        .exclude(status=AccountStatus.CHURNED)
        .order_by("id")
        .values("id", "status", "responsible_manager_id", "created_by_id", "tier")
    )
    rows: list[tuple[Opportunity, list[Stage], list[dt.datetime]]] = []
    counters: dict[str, int] = defaultdict(int)
    for account in accounts:
        hunting = account["status"] in (AccountStatus.PROSPECT, AccountStatus.HANDOFF)
        owner = account["responsible_manager_id"] or account["created_by_id"]
        if owner is None:
            continue
        if hunting:
            count = 1 if rng.random() < 0.8 else 0
        else:
            count = (rng.random() < GROWTH_SHARE) + (rng.random() < GROWTH_SHARE * SECOND_SHARE)
        for _ in range(count):
            code = "new_business" if hunting else "account_growth"
            rows.append(
                _opportunity(rng, account, owner, code, stages[code], reasons, lines, counters, today, now)
            )
            counters[code] += 1
    made = [row[0] for row in rows]
    Opportunity.objects.bulk_create(made, batch_size=BATCH)
    # created_at is auto_now_add: put back the day each deal was opened.
    for opportunity, _path, times in rows:
        opportunity.created_at = times[0]
        opportunity.updated_at = times[-1]
    Opportunity.objects.bulk_update(made, ["created_at", "updated_at"], batch_size=BATCH)
    changes = []
    for opportunity, path, times in rows:
        previous = None
        for stage, moment in zip(path, times, strict=True):
            changes.append(
                OpportunityStageChange(
                    opportunity=opportunity,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=moment,
                    changed_by_id=opportunity.owner_id,
                )
            )
            previous = stage
    OpportunityStageChange.objects.bulk_create(changes, batch_size=BATCH)
    won = [o for o in made if o.status == StageOutcome.WON]
    return len(made), len(changes), won


def _opportunity(rng, account, owner, code, stages, reasons, lines, counters, today, now):
    open_stages = [s for s in stages if s.outcome == StageOutcome.OPEN]
    won_stage = next(s for s in stages if s.outcome == StageOutcome.WON)
    lost_stage = next(s for s in stages if s.outcome == StageOutcome.LOST)
    # The first deals of each pipeline stand one on each stage, so every stage shows on the board.
    every = [*open_stages, won_stage, lost_stage]
    if counters[code] < len(every):
        target = every[counters[code]]
    else:
        outcome = rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0]
        target = {"open": rng.choice(open_stages), "won": won_stage, "lost": lost_stage}[outcome]
    if target.outcome == StageOutcome.OPEN:
        path = open_stages[: open_stages.index(target) + 1]
    elif target.outcome == StageOutcome.WON:
        path = [*open_stages, won_stage]
    else:  # lost from wherever it had got to
        path = [*open_stages[: rng.randint(1, len(open_stages))], lost_stage]
    # Opened 3-10 months ago for closed deals, up to 4 months ago for open ones; steps 3-25 days apart.
    opened = today - dt.timedelta(
        days=rng.randint(90, 300) if target.outcome != "open" else rng.randint(5, 120)
    )
    days = [opened]
    for _ in path[1:]:
        days.append(min(days[-1] + dt.timedelta(days=rng.randint(3, 25)), today - dt.timedelta(days=1)))
    # Every step strictly after the one before (several on one day: minutes apart), all before today.
    times: list[dt.datetime] = []
    for day in days:
        if times and timezone.localtime(times[-1]).date() == day:
            times.append(times[-1] + dt.timedelta(minutes=rng.randint(5, 30)))
        else:
            times.append(_at(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
    line = rng.choice(lines) if lines else None
    size = {"key": 3.0, "A": 1.8, "B": 1.0, "C": 0.6}.get(account["tier"], 1.0)
    amount = _amount(rng, size)
    if code == "new_business":
        kind, title = OpportunityKind.NEW_BUSINESS, "Первая поставка: {line}"
    else:
        kind, title = rng.choice(GROWTH_KINDS)
    closed = days[-1] if target.outcome != StageOutcome.OPEN else None
    opportunity = Opportunity(
        account_id=account["id"],
        kind=kind,
        title=title.format(line=line.name_ru.lower() if line else "услуги"),
        pipeline_id=target.pipeline_id,
        stage=target,
        status=target.outcome,
        owner_id=owner,
        amount=amount,
        currency="RUB",
        rate=Decimal(1),
        amount_base=amount,
        probability=target.probability,
        expected_close_on=closed or today + dt.timedelta(days=rng.randint(7, 120)),
        next_step=rng.choice(NEXT_STEPS) if closed is None else "",
        next_step_on=today + dt.timedelta(days=rng.randint(1, 14)) if closed is None else None,
        product_line=line,
        lost_reason=rng.choice(reasons) if target.outcome == StageOutcome.LOST else None,
        lost_note=rng.choice(LOST_NOTES) if target.outcome == StageOutcome.LOST else "",
        closed_on=closed,
        stage_changed_at=times[-1],
        created_by_id=owner,
        version=len(path),
    )
    return opportunity, path, times


# --- projects ----------------------------------------------------------------------------------------------


def _status(starts: dt.date, ends: dt.date, today: dt.date) -> str:
    if ends < today:
        return "done"
    return "active" if starts <= today else "planned"


def _write_projects(rng, won: list[Opportunity], today: dt.date, now: dt.datetime, head):
    managers = list(
        User.objects.filter(roles__role=Role.PROJECT_MANAGER, is_active=True).order_by("username")
    )
    if not managers:
        return 0, 0, 0, 0
    responsible = dict(
        Account.objects.filter(pk__in={o.account_id for o in won}).values_list("id", "responsible_manager_id")
    )
    projects = []
    for opportunity in won:
        if rng.random() >= PROJECT_SHARE:
            continue
        starts = opportunity.closed_on + dt.timedelta(days=rng.randint(5, 20))
        ends = starts + dt.timedelta(days=rng.randint(40, 150))
        status = _status(starts, ends, today)
        projects.append(
            Project(
                account_id=opportunity.account_id,
                opportunity=opportunity,
                name=f"Внедрение: {opportunity.title}",
                project_manager=rng.choice(managers),
                account_manager_id=responsible.get(opportunity.account_id),
                status={"done": ProjectStatus.DONE, "active": ProjectStatus.ACTIVE}.get(
                    status, ProjectStatus.PLANNED
                ),
                starts_on=starts,
                ends_on=ends,
                created_by=head,
            )
        )
    Project.objects.bulk_create(projects, batch_size=BATCH)
    stages, works = [], []
    for project in projects:
        span = (project.ends_on - project.starts_on).days + 1
        bounds = [
            project.starts_on + dt.timedelta(days=span * i // len(PROJECT_STAGES))
            for i in range(len(PROJECT_STAGES) + 1)
        ]
        for position, name in enumerate(PROJECT_STAGES):
            first, last = bounds[position], max(bounds[position], bounds[position + 1] - dt.timedelta(days=1))
            state = _status(first, last, today)
            stage = ProjectStage(
                project=project,
                position=position,
                name=name,
                starts_on=first,
                ends_on=last,
                status={"done": ProjectStageStatus.DONE, "active": ProjectStageStatus.ACTIVE}.get(
                    state, ProjectStageStatus.PLANNED
                ),
                started_at=_at(first, 10) if state != "planned" else None,
                finished_at=_at(last, 17) if state == "done" else None,
            )
            stages.append(stage)
            day = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            start = _at(day, rng.choice((9, 10, 11, 14)))
            works.append(
                PlannedWork(
                    project=project,
                    stage=stage,
                    title=WORKS[position % len(WORKS)],
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=rng.choice((2, 3, 4))),
                    assignee=project.project_manager,
                    location="На площадке клиента",
                    done_at=start + dt.timedelta(hours=4) if start + dt.timedelta(hours=4) < now else None,
                )
            )
    ProjectStage.objects.bulk_create(stages, batch_size=BATCH)
    PlannedWork.objects.bulk_create(works, batch_size=BATCH)
    # The project manager joins the account team (once per account), from the day the deal was won.
    seated = set(
        AccountTeamMember.objects.filter(
            role=TeamRole.PROJECT_MANAGER,
            ended_at__isnull=True,
            account_id__in={p.account_id for p in projects},
        ).values_list("account_id", "user_id")
    )
    seats = []
    for project in projects:
        key = (project.account_id, project.project_manager_id)
        if key in seated:
            continue
        seated.add(key)
        seats.append(
            AccountTeamMember(
                account_id=project.account_id,
                user_id=project.project_manager_id,
                role=TeamRole.PROJECT_MANAGER,
                started_at=_at(project.opportunity.closed_on, 18),
                note=project.name[:300],
                added_by=head,
            )
        )
    AccountTeamMember.objects.bulk_create(seats, batch_size=BATCH)
    return len(projects), len(stages), len(works), len(seats)


# --- plans -------------------------------------------------------------------------------------------------


def _round(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(Decimal(1)) * step


def _write_plans(rng: random.Random, today: dt.date, head) -> int:
    current = first_of_month(today)
    months = [current]
    for _ in range(PAST_PLAN_MONTHS):
        months.insert(0, previous_month(months[0]))
    for _ in range(FUTURE_PLAN_MONTHS):
        months.append(next_month(months[-1]))
    past = months[:PAST_PLAN_MONTHS]
    sellers = list(
        User.objects.filter(is_active=True, roles__role__in=[*OWNER_ROLES, Role.TEAM_LEAD])
        .distinct()
        .order_by("username")
        .values_list("id", "team_id")
    )
    fact: dict[tuple[int, dt.date], tuple[Decimal, Decimal]] = {}
    for row in (
        Invoice.objects.filter(issued_on__gte=months[0], issued_on__lt=current, manager__isnull=False)
        .annotate(month=TruncMonth("issued_on"))
        .values("manager_id", "month")
        .annotate(net=Sum("net_total_base"), cost=Sum("cost_total_base"))
        .order_by()
    ):
        month = (
            row["month"]
            if isinstance(row["month"], dt.date)
            else dt.date.fromisoformat(str(row["month"])[:10])
        )
        fact[(row["manager_id"], month)] = (Decimal(row["net"]), Decimal(row["cost"]))
    plans = []
    by_team_month: dict[tuple[int, dt.date], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for person, team in sellers:
        history = [fact.get((person, m), (Decimal(0), Decimal(0))) for m in past]
        nets = [net for net, _cost in history if net > 0]
        base = sum(nets[-3:], Decimal(0)) / len(nets[-3:]) if nets else DEFAULT_PLAN
        total_net = sum((n for n, _c in history), Decimal(0))
        share = (
            (total_net - sum((c for _n, c in history), Decimal(0))) / total_net
            if total_net > 0
            else DEFAULT_MARGIN_SHARE
        )
        share = min(max(share, Decimal("0.05")), Decimal("0.9"))
        for index, month in enumerate(months):
            net = history[index][0] if index < len(past) else Decimal(0)
            if index < len(past) and net > 0:  # near what he really did: 85-120 % of it
                figure = net / Decimal(str(rng.uniform(0.85, 1.2)))
            else:  # this month and the next ones: his recent average, growing a little
                figure = base * Decimal(str(1 + 0.03 * max(0, index - len(past)) + rng.uniform(-0.05, 0.1)))
            revenue = max(_round(figure, 10_000), Decimal(10_000))
            margin = min(_round(revenue * share, 1_000), revenue)
            plans.append(
                SalesPlan(month=month, user_id=person, revenue=revenue, margin=margin, updated_by=head)
            )
            if team is not None:
                sums = by_team_month[(team, month)]
                sums[0] += revenue
                sums[1] += margin
    # Every team's own plan: its tree's people's plans, rounded (the head sets the team a round figure).
    teams = list(Team.objects.values_list("id", "parent_id"))
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in teams:
        children[parent].append(pk)

    def tree(pk: int) -> list[int]:
        return [pk, *(t for child in children[pk] for t in tree(child))]

    for pk, _parent in sorted(teams):
        for month in months:
            revenue = sum((by_team_month[(t, month)][0] for t in tree(pk)), Decimal(0))
            margin = sum((by_team_month[(t, month)][1] for t in tree(pk)), Decimal(0))
            if revenue > 0:
                revenue = _round(revenue, 100_000) or Decimal(100_000)
                plans.append(
                    SalesPlan(
                        month=month,
                        team_id=pk,
                        revenue=revenue,
                        margin=min(_round(margin, 10_000), revenue),
                        updated_by=head,
                    )
                )
    SalesPlan.objects.bulk_create(plans, batch_size=BATCH)
    return len(plans)
