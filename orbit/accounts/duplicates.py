"""The duplicates report over the base (issue 15): groups of live accounts a person may see that look like one
company entered twice.

Two kinds of group, each found by GROUP BY over a partial index of the live accounts, read in key order
(index-only: (name_key, inn) and the (inn, kpp) unique index), so a page stops as soon as it has its groups:
- `name`: the same name key (names.name_key) with different INNs — possibly one company typed with a wrong INN,
  possibly two companies with one name: a person decides, and merges (accounts/merge.py) if they are one;
- `inn`: the same INN with different KPPs — a company and its branches, shown as information.
The same INN and KPP twice cannot be among the live accounts (the unique index): no group to look for.
"Different" is min < max within the group, cheaper than COUNT(DISTINCT), which sorts every group.
A manager sees the groups among the accounts he sees; the head, admins and auditors among all.
Measured on 1,000,000 accounts: docs/imports.md, "Duplicates and merge".
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, QuerySet

from orbit.accounts.models import Account
from orbit.common.pagination import CappedPaginator
from orbit.org.models import User

KINDS = ("name", "inn")
GROUP_KEYS = {"inn": ("inn",), "name": ("name_key",)}


@dataclass
class Group:
    key: dict[str, str]
    size: int
    accounts: list[Account]


def _live(user: User) -> QuerySet:
    return Account.objects.visible_to(user, include_archived=False)


def groups(user: User, kind: str) -> QuerySet:
    """The kind's groups (their key values and `size`), in key order: what the report pages through."""
    live = _live(user)
    if kind == "inn":
        grouped = live.values("inn").annotate(size=Count("inn"), lo=Min("kpp"), hi=Max("kpp"))
    elif kind == "name":
        grouped = (
            live.exclude(name_key="")
            .values("name_key")
            .annotate(size=Count("inn"), lo=Min("inn"), hi=Max("inn"))
        )
    else:
        raise ValueError(kind)
    grouped = grouped.filter(lo__lt=F("hi"))
    return grouped.order_by(*GROUP_KEYS[kind])


def counts(user: User) -> dict[str, int]:
    """How many groups of each kind (up to the list cap)."""
    return {kind: CappedPaginator(groups(user, kind), 1).count for kind in KINDS}


def page(user: User, kind: str, number, per_page: int | None = None):
    """A page of the kind's groups with their accounts (two queries and the count)."""
    paginator = CappedPaginator(groups(user, kind), per_page or settings.ORBIT_PAGE_SIZE)
    current = paginator.get_page(number)
    keys = [{name: row[name] for name in GROUP_KEYS[kind]} for row in current.object_list]
    members: dict[tuple, list[Account]] = {}
    if keys:
        match = Q()
        for key in keys:
            match |= Q(**key)
        for account in (
            _live(user).filter(match).select_related("responsible_manager").order_by("inn", "kpp", "id")
        ):
            members.setdefault(tuple(getattr(account, n) for n in GROUP_KEYS[kind]), []).append(account)
    current.object_list = [
        Group(key=key, size=len(found), accounts=found)
        for key in keys
        if len(found := members.get(tuple(key.values()), [])) > 1
    ]
    return current
