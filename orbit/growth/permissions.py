"""Who may work the pipeline of an account and who sets plans.

Opportunities and projects: whoever may work the account (`policy.can_work_account`: its changers and its
account team — the KAM, the project manager, the hunter who won it), never an auditor (he checks, he does not
sell). Reading follows `visible_to`.

Plans: the head and admins set anyone's; a team lead sets those of the people and teams he leads (his subtree).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.org.models import Role


def can_sell(user, account) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and policy.can_work_account(user, account)


def require_sell(user, account) -> None:
    """Raise PermissionDenied unless `user` may work `account`'s opportunities and projects."""
    if not can_sell(user, account):
        raise PermissionDenied(_("You may not change the opportunities and projects of this account."))


def can_set_plan(user, *, person=None, team=None) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN):
        return True
    if person is not None:
        return person.pk in policy.led_people(user)
    if team is not None:
        return team.pk in policy.led_team_ids(user)
    return False
