"""The one place where visibility and permissions are decided.

Every read of accounts (and of what hangs off an account) starts from `visible_accounts(user)`;
every change asks `can_change_account(user, account)` before anything is written.
"""

from django.db.models import Q, QuerySet

from orbit.access.models import VisibilityPolicy
from orbit.accounts.models import Account, AccountStatus
from orbit.org.models import GLOBAL_READ_ROLES, Role, Team, User


def sees_everything(user: User) -> bool:
    return user.is_superuser or user.has_role(*GLOBAL_READ_ROLES)


def _policy(user: User) -> VisibilityPolicy:
    cached = getattr(user, "_visibility_policy", None)
    if cached is None:
        cached = user._visibility_policy = VisibilityPolicy.current()
    return cached


def led_team_ids(user: User) -> set[int]:
    """Teams the user leads, with their sub-teams unless the policy says otherwise (one small query)."""
    cached = getattr(user, "_led_team_ids", None)
    if cached is not None:
        return cached
    children: dict[int | None, list[int]] = {}
    roots = []
    for team_id, parent_id, lead_id in Team.objects.order_by().values_list("id", "parent_id", "lead_id"):
        children.setdefault(parent_id, []).append(team_id)
        if lead_id == user.pk:
            roots.append(team_id)
    if not _policy(user).leads_see_subteams:
        result = set(roots)
    else:
        result = set()
        stack = roots
        while stack:
            team_id = stack.pop()
            if team_id not in result:
                result.add(team_id)
                stack.extend(children.get(team_id, ()))
    user._led_team_ids = result
    return result


def _members(team_ids: set[int]) -> set[int]:
    return set(User.objects.filter(team_id__in=team_ids).values_list("id", flat=True)) if team_ids else set()


def led_people(user: User) -> set[int]:
    """Members of the teams the user leads: their accounts are his to see and to change."""
    cached = getattr(user, "_led_people", None)
    if cached is None:
        cached = user._led_people = _members(led_team_ids(user))
    return cached


def _people_seen_through(user: User) -> set[int]:
    """Whose accounts the user sees besides his own: the people he leads, and his teammates if the policy says so."""
    people = led_people(user)
    if user.team_id and _policy(user).managers_see_team:
        people = people | _members({user.team_id})
    return people


def _own_scope(user: User) -> Q:
    scope = Q(responsible_manager=user) | Q(status=AccountStatus.PROSPECT, created_by=user)
    people = _people_seen_through(user)
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
    if user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN):
        return True
    if user.has_role(Role.AUDITOR) and not user.has_role(*_WRITER_ROLES):
        return False
    if account.responsible_manager_id == user.pk:
        return True
    if account.status == AccountStatus.PROSPECT and account.created_by_id == user.pk:
        return True
    people = led_people(user)
    if account.responsible_manager_id is not None:
        return account.responsible_manager_id in people
    return account.status == AccountStatus.PROSPECT and account.created_by_id in people


def can_create_account(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and (
        user.is_superuser or user.has_role(*_WRITER_ROLES)
    )


def may_reassign(user: User, account: Account) -> bool:
    """Responsibility decides visibility, so only the head, an admin, or the current manager's lead moves it."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN):
        return True
    people = led_people(user)
    return bool(led_team_ids(user)) and (
        account.responsible_manager_id is None or account.responsible_manager_id in people
    )


def can_reassign(user: User, account: Account, new_manager: User) -> bool:
    """A lead may move accounts only inside his own team tree; the head and admins anywhere."""
    if not may_reassign(user, account):
        return False
    return user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN) or new_manager.pk in led_people(user)


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
        user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN)
    )
