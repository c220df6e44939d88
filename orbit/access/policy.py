"""The one place where visibility and permissions are decided.

Every read of accounts (and of what hangs off an account) starts from `visible_accounts(user)`;
every change asks `can_change_account(user, account)` before anything is written.

What the rules need to know about a user (roles, the policy, the team tree, his account-team seats) is read
once per request in one query (`access_context`), so scoping costs the same on every page.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from orbit.access.models import VisibilityPolicy
from orbit.accounts.models import Account, AccountStatus, TeamRole
from orbit.handoffs.models import Cover
from orbit.org.models import GLOBAL_READ_ROLES, Role, User

_HOLDING_DEPTH = 5

# One round trip for everything the rules read. Every branch has the same five columns: kind, two numbers,
# one more number and a text. Works on PostgreSQL and SQLite.
_CONTEXT_SQL = """
SELECT 'role', CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), role
  FROM org_userrole WHERE user_id = %(user)s
UNION ALL
SELECT 'policy', CASE WHEN managers_see_team THEN 1 ELSE 0 END, CASE WHEN leads_see_subteams THEN 1 ELSE 0 END,
       NULL, NULL FROM access_visibilitypolicy WHERE id = 1
UNION ALL
SELECT 'team', id, parent_id, lead_id, NULL FROM org_team
UNION ALL
SELECT 'member', id, team_id, NULL, NULL FROM org_user WHERE team_id IS NOT NULL
UNION ALL
SELECT 'seat', account_id, NULL, NULL, role FROM accounts_accountteammember
 WHERE user_id = %(user)s AND ended_at IS NULL
UNION ALL
SELECT 'seat', account_id, NULL, NULL, 'receiver' FROM handoffs_handoff
 WHERE to_user_id = %(user)s AND status IN ('draft', 'in_progress')
UNION ALL
SELECT 'cover', id, owner_id, CASE WHEN whole_portfolio THEN 1 ELSE 0 END, NULL FROM handoffs_cover
 WHERE deputy_id = %(user)s AND cancelled_at IS NULL AND starts_on <= %(today)s AND ends_on >= %(today)s
"""


@dataclass
class AccessContext:
    roles: frozenset[str]
    policy: VisibilityPolicy
    led_team_ids: set[int]
    led_people: set[int]  # members of the teams he leads
    teammates: set[int]  # members of his own team
    seat_account_ids: set[int]  # accounts where he sits on the account team (holdings expanded) or receives
    covered_owner_ids: set[int]  # managers away whose whole portfolio he covers today
    covered_account_ids: set[int]  # single accounts he covers today


def access_context(user: User) -> AccessContext:
    cached = getattr(user, "_access_context", None)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(_CONTEXT_SQL, {"user": user.pk, "today": timezone.localdate()})
        rows = cursor.fetchall()
    roles, children, roots, team_of, seats, holdings = set(), {}, [], {}, set(), set()  # type: ignore[var-annotated]
    covered_owners, partial_covers = set(), set()
    policy = VisibilityPolicy()
    for kind, a, b, c, text in rows:
        if kind == "role":
            roles.add(text)
        elif kind == "policy":
            policy = VisibilityPolicy(pk=1, managers_see_team=bool(a), leads_see_subteams=bool(b))
        elif kind == "team":
            children.setdefault(b, []).append(a)
            if c == user.pk:
                roots.append(a)
        elif kind == "member":
            team_of[a] = b
        elif kind == "cover":
            if c:
                covered_owners.add(b)
            else:
                partial_covers.add(a)
        elif kind == "seat":
            seats.add(a)
            if text == TeamRole.GLOBAL_ACCOUNT_MANAGER:
                holdings.add(a)
    led = set(roots) if not policy.leads_see_subteams else _subtree(roots, children)
    context = AccessContext(
        roles=frozenset(roles),
        policy=policy,
        led_team_ids=led,
        led_people={uid for uid, team in team_of.items() if team in led},
        teammates={uid for uid, team in team_of.items() if user.team_id and team == user.team_id},
        seat_account_ids=seats | _holding_members(holdings),
        covered_owner_ids=covered_owners,
        covered_account_ids=_covered_accounts(partial_covers),
    )
    user._role_set = context.roles
    user._access_context = context  # type: ignore[attr-defined]  # per-request cache on the user
    return context


def _covered_accounts(cover_ids: set[int]) -> set[int]:
    if not cover_ids:
        return set()
    return set(
        Cover.accounts.through.objects.filter(cover_id__in=cover_ids).values_list("account_id", flat=True)
    )


def _subtree(roots: list[int], children: dict) -> set[int]:
    result: set[int] = set()
    stack = list(roots)
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.add(team_id)
            stack.extend(children.get(team_id, ()))
    return result


def _holding_members(holdings: set[int]) -> set[int]:
    """All subsidiaries below the holdings a global AM is responsible for (one query per level)."""
    found: set[int] = set()
    frontier = holdings
    for _level in range(_HOLDING_DEPTH):
        if not frontier:
            break
        frontier = set(Account.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def _has(user: User, *roles: str) -> bool:
    return bool(access_context(user).roles.intersection(roles))


def sees_everything(user: User) -> bool:
    return user.is_superuser or bool(access_context(user).roles & GLOBAL_READ_ROLES)


def led_team_ids(user: User) -> set[int]:
    return access_context(user).led_team_ids


def led_people(user: User) -> set[int]:
    """Members of the teams the user leads: their accounts are his to see and to change."""
    return access_context(user).led_people


def _own_scope(user: User) -> Q:
    context = access_context(user)
    scope = Q(responsible_manager=user) | Q(status=AccountStatus.PROSPECT, created_by=user)
    if context.seat_account_ids or context.covered_account_ids:
        scope |= Q(id__in=context.seat_account_ids | context.covered_account_ids)
    if context.covered_owner_ids:
        scope |= Q(responsible_manager_id__in=context.covered_owner_ids)
    people = set(context.led_people)
    if context.policy.managers_see_team:
        people |= context.teammates
    people.discard(user.pk)
    if people:
        # A lead sees what his people see: their accounts and the prospects they created.
        scope |= Q(responsible_manager_id__in=people)
        scope |= Q(status=AccountStatus.PROSPECT, created_by_id__in=people)
    return scope


def visible_accounts(user: User, *, include_archived: bool = False) -> QuerySet[Account]:
    qs = Account.objects.all()
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if sees_everything(user):
        return qs
    return qs.filter(_own_scope(user))


def can_view_account(user: User, account: Account) -> bool:
    return visible_accounts(user, include_archived=True).filter(pk=account.pk).exists()


def can_change_account(user: User, account: Account) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or _has(user, Role.HEAD, Role.ADMIN):
        return True
    if _has(user, Role.AUDITOR) and not _has(user, *_WRITER_ROLES):
        return False
    if account.responsible_manager_id == user.pk:
        return True
    context = access_context(user)
    if (
        account.responsible_manager_id in context.covered_owner_ids
        or account.pk in context.covered_account_ids
    ):
        return True  # a deputy works the accounts he covers
    if account.status == AccountStatus.PROSPECT and account.created_by_id == user.pk:
        return True
    people = led_people(user)
    if account.responsible_manager_id is not None:
        return account.responsible_manager_id in people
    return account.status == AccountStatus.PROSPECT and account.created_by_id in people


def can_work_account(user: User, account: Account) -> bool:
    """Log touches, requests and tasks on the account: whoever may change it, and its account team."""
    if can_change_account(user, account):
        return True
    if _has(user, Role.AUDITOR) and not _has(user, *_WRITER_ROLES):
        return False
    return account.pk in access_context(user).seat_account_ids and account.archived_at is None


def can_create_account(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and (
        user.is_superuser or _has(user, *_WRITER_ROLES)
    )


def may_reassign(user: User, account: Account) -> bool:
    """Responsibility decides visibility, so only the head, an admin, or the current manager's lead moves it."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or _has(user, Role.HEAD, Role.ADMIN):
        return True
    people = led_people(user)
    return bool(led_team_ids(user)) and (
        account.responsible_manager_id is None or account.responsible_manager_id in people
    )


def may_reassign_anything(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and (
        user.is_superuser or _has(user, Role.HEAD, Role.ADMIN)
    )


def can_reassign(user: User, account: Account, new_manager: User) -> bool:
    """A lead may move accounts only inside his own team tree; the head and admins anywhere."""
    if not may_reassign(user, account):
        return False
    return user.is_superuser or _has(user, Role.HEAD, Role.ADMIN) or new_manager.pk in led_people(user)


_WRITER_ROLES = (
    Role.HEAD,
    Role.ADMIN,
    Role.TEAM_LEAD,
    Role.ACCOUNT_MANAGER,
    Role.KEY_ACCOUNT_MANAGER,
    Role.SALES_MANAGER,
    Role.PROJECT_MANAGER,
)


def can_set_policy(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and (
        user.is_superuser or _has(user, Role.HEAD, Role.ADMIN)
    )
