"""The one place where visibility and permissions are decided.

Every read of accounts (and of what hangs off an account) starts from `visible_accounts(user)`;
every change asks `can_change_account(user, account)` before anything is written.

What the rules need to know about a user (roles, the policy, the team tree, his account-team seats, covers,
handoffs he receives) is read once per request in one query (`access_context`), so scoping costs the same on
every page. `access` is the bottom layer: it imports only `org`. The accounts app declares its model and the
apps that widen visibility register a SELECT each (`orbit/access/registry.py`); every model that hangs off an
account reads through `Model.objects.visible_to(user)` (`orbit/access/querysets.py`), built on `account_scope`.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from orbit.access import registry
from orbit.access.models import VisibilityPolicy
from orbit.org.models import GLOBAL_READ_ROLES, Role, Team, User, UserRole

# One round trip for everything the rules read: these core branches, then one SELECT per registered widening
# (account-team seats, handoffs received, covers: `orbit/access/registry.py`). Every branch has the same five
# columns: kind, three numbers and a text. Works on PostgreSQL and SQLite.
_CORE_SQL = """
SELECT 'role', CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), role
  FROM {userrole} WHERE user_id = %(user)s
UNION ALL
SELECT 'policy', CASE WHEN managers_see_team THEN 1 ELSE 0 END, CASE WHEN leads_see_subteams THEN 1 ELSE 0 END,
       NULL, NULL FROM {policy} WHERE id = 1
UNION ALL
SELECT 'team', id, parent_id, lead_id, NULL FROM {team}
UNION ALL
SELECT 'member', id, team_id, NULL, NULL FROM {user} WHERE team_id IS NOT NULL
"""


def _context_sql() -> str:
    core = _CORE_SQL.format(
        userrole=UserRole._meta.db_table,
        policy=VisibilityPolicy._meta.db_table,
        team=Team._meta.db_table,
        user=User._meta.db_table,
    )
    return "\nUNION ALL\n".join([core.strip(), *(w.sql().strip() for w in registry.widenings())])


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
    teams: dict[int, tuple[int | None, int | None]]  # the whole team tree: id -> (parent id, lead id)


def access_context(user: User) -> AccessContext:
    cached = getattr(user, "_access_context", None)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(_context_sql(), {"user": user.pk, "today": timezone.localdate()})
        rows = cursor.fetchall()
    roles: set[str] = set()
    children: dict[int | None, list[int]] = {}
    roots: list[int] = []
    team_of: dict[int, int] = {}
    teams: dict[int, tuple[int | None, int | None]] = {}
    widened: dict[str, list] = {}
    policy = VisibilityPolicy()
    for row in rows:
        kind, a, b, c, text = row
        if kind == "role":
            roles.add(text)
        elif kind == "policy":
            policy = VisibilityPolicy(pk=1, managers_see_team=bool(a), leads_see_subteams=bool(b))
        elif kind == "team":
            children.setdefault(b, []).append(a)
            teams[a] = (b, c)
            if c == user.pk:
                roots.append(a)
        elif kind == "member":
            team_of[a] = b
        else:
            widened.setdefault(kind, []).append(row)
    grants = registry.Grants()
    for widening in registry.widenings():
        mine = [row for kind in widening.kinds for row in widened.get(kind, ())]
        if mine:
            widening.collect(user, mine, grants)
    led = set(roots) if not policy.leads_see_subteams else _subtree(roots, children)
    my_team = user.team_id  # read once: request.user is a lazy object, and every read of it costs
    context = AccessContext(
        roles=frozenset(roles),
        policy=policy,
        led_team_ids=led,
        led_people={uid for uid, team in team_of.items() if team in led},
        teammates={uid for uid, team in team_of.items() if my_team and team == my_team},
        seat_account_ids=grants.seat_account_ids,
        covered_owner_ids=grants.covered_owner_ids,
        covered_account_ids=grants.covered_account_ids,
        teams=teams,
    )
    user._role_set = context.roles
    user._access_context = context  # type: ignore[attr-defined]  # per-request cache on the user
    return context


def _subtree(roots: list[int], children: dict) -> set[int]:
    result: set[int] = set()
    stack = list(roots)
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.add(team_id)
            stack.extend(children.get(team_id, ()))
    return result


def _has(user: User, *roles: str) -> bool:
    return bool(access_context(user).roles.intersection(roles))


def sees_everything(user: User) -> bool:
    return user.is_superuser or bool(access_context(user).roles & GLOBAL_READ_ROLES)


def led_team_ids(user: User) -> set[int]:
    return access_context(user).led_team_ids


def led_people(user: User) -> set[int]:
    """Members of the teams the user leads: their accounts are his to see and to change."""
    return access_context(user).led_people


def _people(context: AccessContext) -> set[int]:
    """Those whose accounts (and created prospects) he sees besides his own: his teams' members, and his
    teammates where the policy lets managers see their team."""
    people = set(context.led_people)
    if context.policy.managers_see_team:
        people |= context.teammates
    return people


def owners_seen(user: User) -> set[int] | None:
    """The managers whose whole portfolio he sees (himself included), for choices such as a list's manager
    filter; None for those who see everything. Single accounts seen through a seat or a cover are not here."""
    if sees_everything(user):
        return None
    context = access_context(user)
    return _people(context) | context.covered_owner_ids | {user.pk}


def _own_scope(user: User) -> Q:
    """The accounts he sees, as a condition on the account's own fields (names declared by the accounts app)."""
    shape = registry.accounts()
    manager, creator, status = shape.manager_field, shape.creator_field, shape.status_field
    prospect = {status: shape.prospect_status}
    context = access_context(user)
    scope = Q(**{f"{manager}_id": user.pk}) | Q(**prospect, **{f"{creator}_id": user.pk})
    if context.seat_account_ids or context.covered_account_ids:
        scope |= Q(id__any=context.seat_account_ids | context.covered_account_ids)
    if context.covered_owner_ids:
        scope |= Q(**{f"{manager}_id__any": context.covered_owner_ids})
    people = _people(context) - {user.pk}
    if people:
        # A lead sees what his people see: their accounts and the prospects they created.
        scope |= Q(**{f"{manager}_id__any": people})
        scope |= Q(**prospect, **{f"{creator}_id__any": people})
    return scope


def visibility_keys(user: User) -> list[str] | None:
    """`_own_scope` as tokens, for an index to narrow a search (migration accounts 0016): an account carries
    `a<its id>`, `m<its manager>` and, while a prospect, `p<its creator>`; he sees it iff one of them is in
    this list. None for those who see everything. Only a narrowing for speed: queries still apply
    `account_scope`, and tests/search checks both give the same accounts for every role."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    if sees_everything(user):
        return None
    context = access_context(user)
    people = _people(context) | {user.pk}
    keys = {f"m{pk}" for pk in people | context.covered_owner_ids} | {f"p{pk}" for pk in people}
    keys |= {f"a{pk}" for pk in context.seat_account_ids | context.covered_account_ids}
    return sorted(keys)


_NOTHING = Q(pk__in=[])


def account_scope(user: User, path: str = "", *, include_archived: bool = True) -> Q:
    """The condition "the account at `path` is one the user may see", for any model that hangs off an account
    (`path` = "account", "request__account", ...; "" for the account itself). Built on the account's own fields
    through a join, not a subquery, so a filtered list stays an index scan. `Q()` for those who see everything.
    """
    if not (user and user.is_authenticated and user.is_active):
        return _NOTHING
    prefix = f"{path}__" if path else ""
    archived = (
        Q() if include_archived else Q(**{f"{prefix}{registry.accounts().archived_field}__isnull": True})
    )
    if sees_everything(user):
        return archived
    return archived & _prefixed(_own_scope(user), prefix)


def _prefixed(q: Q, prefix: str) -> Q:
    if not prefix:
        return q
    result = Q()
    result.connector, result.negated = q.connector, q.negated
    result.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])  # type: ignore[index]
        for child in q.children
    ]
    return result


def visible_accounts(user: User, *, include_archived: bool = False) -> QuerySet:
    """The accounts the user may see (live ones unless `include_archived`)."""
    return registry.accounts().model._default_manager.filter(
        account_scope(user, include_archived=include_archived)
    )


def can_view_account(user: User, account) -> bool:
    return visible_accounts(user, include_archived=True).filter(pk=account.pk).exists()


def can_change_account(user: User, account) -> bool:
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
    if account.status == registry.accounts().prospect_status and account.created_by_id == user.pk:
        return True
    people = led_people(user)
    if account.responsible_manager_id is not None:
        return account.responsible_manager_id in people
    return account.status == registry.accounts().prospect_status and account.created_by_id in people


def can_work_account(user: User, account) -> bool:
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


def may_act_in_bulk(user: User) -> bool:
    """Whoever changes accounts may act on a selection of them (each account still checked as one by one);
    the auditor, who changes nothing, does no bulk action."""
    return can_create_account(user)


def may_reassign(user: User, account) -> bool:
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


def can_reassign(user: User, account, new_manager: User) -> bool:
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


# Personal data (orbit/privacy): whoever sees a contact may take out what Orbit holds about him (audited); only
# the head and administrators erase, since erasure is irreversible and reaches every table of the account.
def can_erase_personal_data(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and (
        user.is_superuser or _has(user, Role.HEAD, Role.ADMIN)
    )
