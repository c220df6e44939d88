import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orbit.access.policy import can_change_account, visible_accounts
from orbit.accounts import team
from orbit.accounts.models import TeamRole
from tests.factories import make_account, make_user


def _visible(user):
    fresh = type(user).objects.get(pk=user.pk)
    return set(visible_accounts(fresh).values_list("pk", flat=True))


def test_team_member_sees_the_account_but_does_not_edit_it(org):
    engineer = make_user("engineer")
    account = make_account(org.head, org.am_a)
    team.team_member_add(by=org.am_a, account=account, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    assert _visible(engineer) == {account.pk}
    assert not can_change_account(type(engineer).objects.get(pk=engineer.pk), account)


def test_ended_membership_ends_visibility(org):
    engineer = make_user("engineer")
    account = make_account(org.head, org.am_a)
    member = team.team_member_add(by=org.am_a, account=account, user=engineer, role=TeamRole.PROJECT_MANAGER)
    team.team_member_end(by=org.am_a, member=member)
    assert _visible(engineer) == set()


def test_global_account_manager_sees_the_whole_holding(org):
    gam = make_user("gam", "key_account_manager")
    holding = make_account(org.head, org.am_a)
    daughter = make_account(org.head, org.am_b, parent=holding)
    granddaughter = make_account(org.head, org.am_b, parent=daughter)
    make_account(org.head, org.am_b)  # unrelated
    team.team_member_add(by=org.head, account=holding, user=gam, role=TeamRole.GLOBAL_ACCOUNT_MANAGER)
    assert _visible(gam) == {holding.pk, daughter.pk, granddaughter.pk}


def test_holding_roles_are_set_by_the_head_and_in_the_right_place(org):
    gam = make_user("gam", "key_account_manager")
    holding = make_account(org.head, org.am_a)
    daughter = make_account(org.head, org.am_a, parent=holding)
    with pytest.raises(PermissionDenied):  # the owner cannot widen someone's view to a whole holding
        team.team_member_add(by=org.am_a, account=holding, user=gam, role=TeamRole.GLOBAL_ACCOUNT_MANAGER)
    with pytest.raises(ValidationError):
        team.team_member_add(by=org.head, account=daughter, user=gam, role=TeamRole.GLOBAL_ACCOUNT_MANAGER)
    with pytest.raises(ValidationError):
        team.team_member_add(by=org.head, account=holding, user=gam, role=TeamRole.NATIONAL_ACCOUNT_MANAGER)
    team.team_member_add(by=org.head, account=daughter, user=gam, role=TeamRole.NATIONAL_ACCOUNT_MANAGER)


def test_same_role_twice_is_refused_clearly(org):
    account = make_account(org.head, org.am_a)
    team.team_member_add(by=org.am_a, account=account, user=org.am_b, role=TeamRole.PROJECT_MANAGER)
    with pytest.raises(ValidationError) as error:
        team.team_member_add(by=org.am_a, account=account, user=org.am_b, role=TeamRole.PROJECT_MANAGER)
    assert "user" in error.value.message_dict


def test_outsiders_cannot_change_the_team(org):
    account = make_account(org.head, org.am_a)
    with pytest.raises(PermissionDenied):
        team.team_member_add(by=org.am_b, account=account, user=org.am_b, role=TeamRole.SUPPORT_ENGINEER)
