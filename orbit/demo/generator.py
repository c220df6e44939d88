"""Writes the demo plan into the database in one transaction, in bulk, keeping the ownership invariant.

Ownership periods are written directly (not through `ownership.transfer`, which takes a lock and three
queries per change): the plan already holds contiguous periods with exactly one open period per owned
account, and the account's `responsible_manager` is set to that period's manager. On PostgreSQL the deferred
constraint trigger re-checks every account before the transaction ends.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from orbit.accounts import pulse
from orbit.accounts.models import (
    Account,
    AccountStatus,
    AccountTeamMember,
    Contact,
    Industry,
    OwnershipPeriod,
    Region,
    Segment,
)
from orbit.accounts.names import name_key
from orbit.demo import data
from orbit.demo.analytics import write_analytics
from orbit.demo.bell import write_bell
from orbit.demo.bonuses import write_bonuses
from orbit.demo.growth import write_growth
from orbit.demo.kpi import write_kpi
from orbit.demo.past_handoffs import write_past_handoffs
from orbit.demo.people import transliterate
from orbit.demo.plan import AccountPlan, Plan, build_plan
from orbit.demo.requests import write_requests
from orbit.demo.revenue import write_revenue
from orbit.demo.staffing import write_staffing
from orbit.demo.touches import write_touches
from orbit.demo.workload import write_workload
from orbit.handoffs.models import Handoff, HandoffKind, HandoffStep
from orbit.org.models import Team, User, UserRole

SIZES = {"small": 400, "medium": 5000}
BATCH = 500

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SeedReport:
    accounts: int
    subsidiaries: int
    holdings: int
    contacts: int
    periods: int
    handoffs: int
    people: int
    teams: int
    seconds: float
    touches: int = 0
    past_handoffs: int = 0
    tasks: int = 0
    requests: int = 0
    notifications: int = 0
    invoices: int = 0
    credit_notes: int = 0
    payments: int = 0
    orders: int = 0
    contracts: int = 0
    opportunities: int = 0
    projects: int = 0
    plans: int = 0
    fulfilled_orders: int = 0
    analytics_changes: int = 0


def database_has_users() -> bool:
    return User.objects.exists()


def reset_database() -> None:
    """Delete everything in the database (all tables, not only demo rows), as `manage.py flush` does."""
    call_command("flush", interactive=False, verbosity=0)


def seed(
    *,
    accounts: int,
    seed: int,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Plan and write the demo department; the same seed and the same day give the same data (seeded in the
    afternoon: see `demo_now`)."""
    started = time.monotonic()
    today = today or timezone.localdate()
    now = now or demo_now(today)
    plan = build_plan(accounts=accounts, seed=seed, today=today)
    with transaction.atomic():
        _write_reference_data()
        users = _write_people(today)
        written = _write_accounts(plan, users, progress or _quiet)
        contacts = _write_contacts(plan, written, users, progress or _quiet)
        periods = _write_periods(plan, written, users, progress or _quiet)
        _write_account_teams(plan, written, users)
        handoffs = _write_handoffs(plan, written, users)
        past_handoffs = sum(write_past_handoffs(seed=seed, now=now).values())
        touches, tasks = write_touches(seed=seed, today=today)
        requests = write_requests(seed=seed, today=today, now=now)
        notifications = write_bell(seed=seed, now=now)
        money = write_revenue(seed=seed, today=today)
        growth = write_growth(seed=seed, today=today, now=now)
        changes = write_analytics(today, now)  # on the finished ledger
        write_staffing(seed=seed, today=today)  # managers' profiles and the hybrids' logged hours
        write_kpi(today, now)  # the managers' published ranking, over the figures above
        write_workload(today)  # capacities that show an overloaded and an underloaded manager
        write_bonuses(today=today)  # a rule version and last month closed
        pulse.rebuild()  # the account list's work columns, over the touches and requests written in bulk
        # Fire PostgreSQL's deferred invariant checks here, so a broken plan fails with a clear message.
        connection.check_constraints()
    return SeedReport(
        accounts=len(plan.accounts),
        subsidiaries=sum(1 for a in plan.accounts if a.parent is not None),
        holdings=plan.holdings,
        contacts=contacts,
        periods=periods,
        handoffs=handoffs,
        people=len(users),
        teams=len(data.TEAMS),
        seconds=time.monotonic() - started,
        touches=touches,
        past_handoffs=past_handoffs,
        tasks=tasks,
        requests=requests,
        notifications=notifications,
        invoices=money["invoices"],
        credit_notes=money["credit_notes"],
        payments=money["payments"],
        orders=money["orders"],
        contracts=money["contracts"],
        opportunities=growth["opportunities"],
        projects=growth["projects"],
        plans=growth["plans"],
        fulfilled_orders=growth["fulfilled_orders"],
        analytics_changes=changes,
    )


def demo_now(today: dt.date) -> dt.datetime:
    """The demo's "now": noon of its day, or the real moment if that is earlier. The story is told as of
    midday (requests received this morning, some already answered), but a demo seeded at 00:30 must not show
    a request received at 11:40 today, nor a handoff decided later than the moment one looks at it."""
    noon = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    return min(noon, timezone.now())


def _quiet(label: str, done: int, total: int) -> None:
    """No progress output: the default for small runs and tests."""


def _batches(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Reference data and people ------------------------------------------------------------------------------


def _write_reference_data() -> None:
    """Industries, regions and segments; rows an administrator already added with the same code are kept."""
    for model, items in ((Industry, data.INDUSTRIES), (Region, data.REGIONS), (Segment, data.SEGMENTS)):
        existing = set(model.objects.values_list("code", flat=True))
        model.objects.bulk_create(
            [
                model(code=i.code, name_ru=i.name_ru, name_en=i.name_en)
                for i in items
                if i.code not in existing
            ]
        )


def _write_people(today: dt.date) -> dict[str, User]:
    teams: dict[str, Team] = {}
    for info in data.TEAMS:
        teams[info.key] = Team.objects.create(name=info.name, parent=teams.get(info.parent))
    # One hash for everyone: hashing is deliberately slow (~0.3 s each) and all demo users share the password.
    password = make_password(data.DEMO_PASSWORD)
    joined = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=7 * 365), dt.time(9)))
    users = {}
    for person in data.PEOPLE:
        user = User(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            display_name=person.display_name,
            email=f"{transliterate(person.first_name)[0]}.{transliterate(person.last_name)}@orbit.example",
            position=person.position,
            language="ru",
            team=teams[person.team] if person.team else None,
            is_active=person.active,
            is_staff=person.username == "admin",
            is_superuser=person.username == "admin",
            monthly_capacity_hours=person.capacity,
            date_joined=joined,
            password=password,
        )
        user.save()
        for role in person.roles:
            UserRole.objects.create(user=user, role=role)
        users[person.username] = user
    for info in data.TEAMS:
        teams[info.key].lead = users[info.lead]
        teams[info.key].save(update_fields=["lead"])
    return users


# Accounts, contacts, ownership --------------------------------------------------------------------------


def _account(plan: AccountPlan, written: dict[int, Account], refs: dict, users: dict[str, User]) -> Account:
    account = Account(
        legal_name=plan.legal_name,
        short_name=plan.short_name,
        inn=plan.inn,
        kpp=plan.kpp,
        industry=refs["industry"][plan.industry.code],
        region=refs["region"][plan.region.code],
        segment=refs["segment"][plan.segment],
        tier=plan.tier,
        parent=written[id(plan.parent)] if plan.parent else None,
        status=plan.status,
        status_changed_at=plan.status_changed_at,
        responsible_manager=users[plan.owner] if plan.owner else None,
        created_by=users[plan.created_by],
        **plan.profile,
    )
    # bulk_create skips save(), which fills the search and sort columns.
    account.search_text = account.build_search_text()
    account.sort_name = account.build_sort_name()
    account.manager_sort = account.build_manager_sort()
    account.name_key = name_key(account.legal_name)
    return account


def _references() -> dict:
    return {
        "industry": {o.code: o for o in Industry.objects.all()},
        "region": {o.code: o for o in Region.objects.all()},
        "segment": {o.code: o for o in Segment.objects.all()},
    }


def _write_accounts(plan: Plan, users: dict[str, User], progress: Progress) -> dict[int, Account]:
    """Accounts level by level (a holding before its subsidiaries); returns them keyed by id() of the plan."""
    refs = _references()
    written: dict[int, Account] = {}
    total = len(plan.accounts)
    for depth in sorted({a.depth for a in plan.accounts}):
        level = [a for a in plan.accounts if a.depth == depth]
        for batch in _batches(level):
            objs = [_account(a, written, refs, users) for a in batch]
            Account.objects.bulk_create(objs)
            written.update((id(a), obj) for a, obj in zip(batch, objs, strict=True))
            progress("accounts", len(written), total)
    _backdate_accounts(plan, written, users)
    return written


def _backdate_accounts(plan: Plan, written: dict[int, Account], users: dict[str, User]) -> None:
    """Give accounts the dates of their history and a matching audit row."""
    objs = []
    for account_plan in plan.accounts:
        obj = written[id(account_plan)]
        obj.created_at, obj.updated_at = account_plan.created_at, _last_change(account_plan)
        obj._history_date = account_plan.created_at
        obj._history_user = users[account_plan.created_by]
        objs.append(obj)
    _backdate(Account, objs)
    Account.history.bulk_history_create(objs, batch_size=BATCH)


def _backdate(model, objs: list) -> None:
    """Store the objects' own created_at/updated_at, which bulk_create replaced with "now" (auto_now fields).

    One prepared statement run many times: bulk_update's CASE expressions cost seconds on 5,000 rows.
    """
    adapt = connection.ops.adapt_datetimefield_value
    rows = [(adapt(o.created_at), adapt(o.updated_at), o.pk) for o in objs]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET created_at = %s, updated_at = %s WHERE id = %s", rows)


def _last_change(account_plan: AccountPlan) -> dt.datetime:
    moments = [account_plan.status_changed_at] + [p.started_at for p in account_plan.periods]
    return max(moments)


def _write_contacts(
    plan: Plan, written: dict[int, Account], users: dict[str, User], progress: Progress
) -> int:
    objs = []
    for account_plan in plan.accounts:
        account = written[id(account_plan)]
        for c in account_plan.contacts:
            contact = Contact(
                account=account,
                created_by=users[c.added_by],
                full_name=c.full_name,
                position=c.position,
                phone=c.phone,
                email=c.email,
                buying_role=c.buying_role,
                consent_given=c.consent_given,
                consent_date=c.consent_date,
                consent_source=c.consent_source,
            )
            contact._history_date = c.added_at
            contact._history_user = users[c.added_by]
            objs.append(contact)
    for done, batch in enumerate(_batches(objs), start=1):
        Contact.objects.bulk_create(batch)
        progress("contacts", min(done * BATCH, len(objs)), len(objs))
    Contact.history.bulk_history_create(objs, batch_size=BATCH)
    return len(objs)


def _write_periods(
    plan: Plan, written: dict[int, Account], users: dict[str, User], progress: Progress
) -> int:
    objs = [
        OwnershipPeriod(
            account=written[id(account_plan)],
            manager=users[p.manager],
            started_at=p.started_at,
            ended_at=p.ended_at,
            reason=p.reason,
            comment=p.comment,
            changed_by=users[p.changed_by] if p.changed_by else None,
        )
        for account_plan in plan.accounts
        for p in account_plan.periods
    ]
    for done, batch in enumerate(_batches(objs), start=1):
        OwnershipPeriod.objects.bulk_create(batch)
        progress("ownership periods", min(done * BATCH, len(objs)), len(objs))
    return len(objs)


def _write_account_teams(plan: Plan, written: dict[int, Account], users: dict[str, User]) -> None:
    AccountTeamMember.objects.bulk_create(
        [
            AccountTeamMember(
                account=written[id(account_plan)],
                user=users[m.user],
                role=m.role,
                started_at=m.started_at,
                ended_at=m.ended_at,
                note=m.note,
                added_by=users[m.added_by],
            )
            for account_plan in plan.accounts
            for m in account_plan.team
        ],
        batch_size=BATCH,
    )


def _write_handoffs(plan: Plan, written: dict[int, Account], users: dict[str, User]) -> int:
    """Open handoffs of the clients just won, with their steps, as the handoff workflow leaves them."""
    handoffs, steps = [], []
    for account_plan in plan.accounts:
        h = account_plan.handoff
        if h is None:
            continue
        handoff = Handoff(
            account=written[id(account_plan)],
            kind=HandoffKind.FROM_SALES,
            from_user=users[h.from_user],
            to_user=users[h.to_user],
            status=h.status,
            previous_account_status=AccountStatus.PROSPECT,
            created_by=users[h.from_user],
            **h.brief,
            **h.meeting,
        )
        handoff._history_date = h.started_at
        handoff._history_user = users[h.from_user]
        handoffs.append((handoff, h))
    Handoff.objects.bulk_create([handoff for handoff, _h in handoffs])
    for handoff, h in handoffs:
        handoff.created_at = h.started_at
        handoff.updated_at = max([h.started_at] + [s.done_at for s in h.steps if s.done_at])
        steps += [
            HandoffStep(
                handoff=handoff,
                kind=s.kind,
                owner=users[s.owner],
                due_date=s.due_date,
                done_at=s.done_at,
                done_by=users[s.owner] if s.done_at else None,
                note=s.note,
                position=s.position,
            )
            for s in h.steps
        ]
    HandoffStep.objects.bulk_create(steps, batch_size=BATCH)
    _backdate(Handoff, [handoff for handoff, _h in handoffs])
    Handoff.history.bulk_history_create([handoff for handoff, _h in handoffs], batch_size=BATCH)
    return len(handoffs)


# What a newcomer needs to sign in -----------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    roles: list[str]
    team: str
    hint: str
    active: bool


def demo_logins() -> list[Login]:
    """The demo people present in the database, in the order of the department chart."""
    found = {
        u.username: u
        for u in User.objects.filter(username__in=[p.username for p in data.PEOPLE])
        .select_related("team")
        .prefetch_related("roles")
    }
    logins = []
    for person in data.PEOPLE:
        user = found.get(person.username)
        if user is None:
            continue
        logins.append(
            Login(
                username=user.username,
                name=str(user),
                roles=[str(r.get_role_display()) for r in sorted(user.roles.all(), key=_role_order)],
                team=user.team.name if user.team else "",
                hint=person.hint,
                active=user.is_active,
            )
        )
    return logins


def _role_order(user_role: UserRole) -> int:
    return [choice for choice, _label in UserRole._meta.get_field("role").choices].index(user_role.role)
