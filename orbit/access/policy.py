"""The one place where visibility and permissions are decided.

Every read of accounts (and of what hangs off an account) starts from `visible_accounts(user)`;
every change asks `can_change_account(user, account)` before anything is written.
"""

from django.db.models import Q, QuerySet

from orbit.accounts.models import Account, AccountStatus
from orbit.org.models import GLOBAL_READ_ROLES, Role, Team, User


def sees_everything(user: User) -> bool:
    return user.is_superuser or user.has_role(*GLOBAL_READ_ROLES)


def led_team_ids(user: User) -> set[int]:
    """Teams the user leads, with all their sub-teams (one query over the small team table)."""
    cached = getattr(user, "_led_team_ids", None)
    if cached is not None:
        return cached
    children: dict[int | None, list[int]] = {}
    roots = []
    for team_id, parent_id, lead_id in Team.objects.order_by().values_list("id", "parent_id", "lead_id"):
        children.setdefault(parent_id, []).append(team_id)
        if lead_id == user.pk:
            roots.append(team_id)
    result: set[int] = set()
    stack = roots
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.add(team_id)
            stack.extend(children.get(team_id, ()))
    user._led_team_ids = result
    return result


def _own_scope(user: User) -> Q:
    scope = Q(responsible_manager=user) | Q(status=AccountStatus.PROSPECT, created_by=user)
    team_ids = led_team_ids(user)
    if team_ids:
        # A lead sees what his people see: their accounts and the prospects they created.
        scope |= Q(responsible_manager__team_id__in=team_ids)
        scope |= Q(status=AccountStatus.PROSPECT, created_by__team_id__in=team_ids)
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
    team_ids = led_team_ids(user)
    manager = account.responsible_manager
    if manager is not None:
        return manager.team_id in team_ids
    creator = account.created_by
    return account.status == AccountStatus.PROSPECT and creator is not None and creator.team_id in team_ids


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
    team_ids = led_team_ids(user)
    current = account.responsible_manager if account.responsible_manager_id else None
    return bool(team_ids) and (current is None or current.team_id in team_ids)


def can_reassign(user: User, account: Account, new_manager: User) -> bool:
    """A lead may move accounts only inside his own team tree; the head and admins anywhere."""
    if not may_reassign(user, account):
        return False
    return (
        user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN) or new_manager.team_id in led_team_ids(user)
    )


_WRITER_ROLES = (
    Role.HEAD,
    Role.ADMIN,
    Role.TEAM_LEAD,
    Role.ACCOUNT_MANAGER,
    Role.KEY_ACCOUNT_MANAGER,
    Role.SALES_MANAGER,
    Role.PROJECT_MANAGER,
)
