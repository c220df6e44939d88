"""Account scoping, declared once per model instead of remembered in every read.

A model that belongs to an account declares its path to the account and gets `objects.visible_to(user)`:

    class Touch(TrackedModel):
        objects = AccountScopedManager("account")

    Touch.objects.visible_to(user)                 # touches on accounts the user may see
    Touch.objects.visible_to(user).filter(...)     # then narrow as usual

A model with another legitimate reason to be seen (a task assigned to him, with no account) subclasses
`AccountScopedQuerySet` and overrides `also_visible`. `tests/access/test_scoping_guard.py` finds every model
with a path to the account in the app registry and fails until it declares its scoping this way (or in
`NOT_READ_FOR_USERS` there, with the reason).

In the spirit of NetBox's `RestrictedQuerySet.restrict(user, action)`; here the rules are the visibility
policy's (`orbit.access.policy.account_scope`), applied as a join on the account's fields.
"""

from django.db import models
from django.db.models import Q

from orbit.access import policy


class AccountScopedQuerySet(models.QuerySet):
    account_path: str = "account"  # set by AccountScopedManager; "" for the account model itself

    def visible_to(self, user, *, include_archived: bool = True):
        """Rows the user may read: those on accounts he sees (archived ones too unless told otherwise: their
        history stays readable), plus what `also_visible` grants him."""
        scope = policy.account_scope(user, self.account_path, include_archived=include_archived)
        extra = self.also_visible(user) if user and user.is_authenticated and user.is_active else None
        if extra is None:
            return self.filter(scope)
        if not scope:
            # He sees every account: every row that has one (an empty Q OR-ed with the extra would narrow it
            # to the extra alone), and the rest only for the extra reason.
            scope = Q(**{f"{self.account_path}__isnull": False})
        return self.filter(scope | extra)

    def also_visible(self, user) -> Q | None:
        """Rows visible to the user for a reason other than their account (override per model)."""
        return None

    def _clone(self):
        clone = super()._clone()
        clone.account_path = self.account_path
        return clone


class AccountScopedManager(models.Manager):
    """`objects = AccountScopedManager("account")`: the path from the model to its account."""

    def __init__(
        self, account_path: str = "account", queryset_class: type[AccountScopedQuerySet] | None = None
    ):
        super().__init__()
        self.account_path = account_path
        self.queryset_class = queryset_class or AccountScopedQuerySet

    def get_queryset(self) -> AccountScopedQuerySet:
        qs = self.queryset_class(self.model, using=self._db, hints=self._hints)
        qs.account_path = self.account_path
        return qs

    def visible_to(self, user, *, include_archived: bool = True) -> AccountScopedQuerySet:
        return self.get_queryset().visible_to(user, include_archived=include_archived)


def account_path(model) -> str | None:
    """The declared path from `model` to its account, or None if it declares none."""
    manager = model._default_manager
    return getattr(manager, "account_path", None) if hasattr(manager, "visible_to") else None
