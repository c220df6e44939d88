"""Small builders for test data: personas (head, lead, managers, auditor, outsider) and accounts."""

import itertools

from orbit.accounts import services
from orbit.accounts.models import AccountStatus
from orbit.common.validators import inn_with_control
from orbit.org.models import Role, Team, User, UserRole

_seq = itertools.count(1)
PASSWORD = "orbit-test-password-1"


def unique_inn(length: int = 10) -> str:
    n = next(_seq)
    if length == 10:
        return inn_with_control(f"77{n:07d}")
    return inn_with_control(f"50{n:08d}")


def make_user(username: str, *roles: str, team: Team | None = None, **fields) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        team=team,
        display_name=fields.pop("display_name", username.title()),
        **fields,
    )
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in roles])
    return user


def make_team(name: str, lead: User | None = None, parent: Team | None = None) -> Team:
    return Team.objects.create(name=name, lead=lead, parent=parent)


def make_account(by: User, manager: User | None = None, *, status: str = AccountStatus.ACTIVE, **fields):
    fields.setdefault("legal_name", f"ООО «Тест {next(_seq)}»")
    fields.setdefault("inn", unique_inn())
    if len(fields["inn"]) == 10:
        fields.setdefault("kpp", "770101001")
    if status == AccountStatus.PROSPECT:
        return services.account_create(by=by, status=status, responsible_manager=manager, **fields)
    account = services.account_create(
        by=by, status=AccountStatus.ACTIVE, responsible_manager=manager or by, **fields
    )
    if status != AccountStatus.ACTIVE:
        account.status = status
        account.save(update_fields=["status"])
    return account


class Org:
    """A department: head, admin, auditor; two teams with leads and managers; a sub-team; an outsider."""

    def __init__(self):
        self.head = make_user("head", Role.HEAD)
        self.admin = make_user("admin", Role.ADMIN)
        self.auditor = make_user("auditor", Role.AUDITOR)
        self.lead_a = make_user("lead_a", Role.TEAM_LEAD, Role.ACCOUNT_MANAGER)
        self.lead_b = make_user("lead_b", Role.TEAM_LEAD)
        self.team_a = make_team("Team A", lead=self.lead_a)
        self.team_a1 = make_team("Team A1", parent=self.team_a)
        self.team_b = make_team("Team B", lead=self.lead_b)
        self.lead_a.team = self.team_a
        self.lead_a.save()
        self.lead_b.team = self.team_b
        self.lead_b.save()
        self.am_a = make_user("am_a", Role.ACCOUNT_MANAGER, team=self.team_a)
        self.am_a1 = make_user("am_a1", Role.KEY_ACCOUNT_MANAGER, team=self.team_a1)
        self.am_b = make_user("am_b", Role.ACCOUNT_MANAGER, team=self.team_b)
        self.sales = make_user("sales", Role.SALES_MANAGER, team=self.team_b)
        self.outsider = make_user("outsider")
