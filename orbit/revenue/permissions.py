"""Who may write money on an account: issue invoices, credit notes, orders, contracts and record payments.

Reading follows `visible_to`; writing is the account's changers (`policy.can_change_account`: the responsible
manager, his leads and deputies, the head, admin) except an auditor, who checks the books and never posts to
them, even if he also holds another role (separation of duties).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.org.models import Role


def can_bill(user, account) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if not user.is_superuser and user.has_role(Role.AUDITOR):
        return False
    return policy.can_change_account(user, account)


def require_bill(user, account) -> None:
    """Raise PermissionDenied unless `user` may bill `account`: the first line of every money service."""
    if not can_bill(user, account):
        raise PermissionDenied(_("You may not issue documents or record payments for this account."))
