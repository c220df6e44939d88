"""Reads of accounts and contacts, always scoped to what the user may see."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from orbit.access.policy import visible_accounts
from orbit.accounts.models import Account, Contact, OwnershipPeriod
from orbit.org.models import User

SORTS = {
    "name": ("sort_name", "id"),
    "-name": ("-sort_name", "-id"),
    "inn": ("inn", "id"),
    "-inn": ("-inn", "-id"),
    "status": ("status", "sort_name", "id"),
    "-status": ("-status", "sort_name", "id"),
    "tier": ("tier", "sort_name", "id"),
    "-tier": ("-tier", "sort_name", "id"),
    "manager": ("responsible_manager__display_name", "sort_name", "id"),
    "-manager": ("-responsible_manager__display_name", "sort_name", "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    status: list[str] = field(default_factory=list)
    tier: list[str] = field(default_factory=list)
    segment: list[int] = field(default_factory=list)
    region: list[int] = field(default_factory=list)
    industry: list[int] = field(default_factory=list)
    manager: list[int] = field(default_factory=list)
    parent: int | None = None
    archived: bool = False  # True: the archive instead of the live accounts
    sort: str = "name"


def search_q(text: str) -> Q:
    """Name or INN search: every word must occur (served by the trigram index on PostgreSQL)."""
    query = Q()
    for word in text.lower().split():
        query &= Q(search_text__contains=word)
    return query


def account_list(user: User, filters: AccountFilters) -> QuerySet[Account]:
    qs = visible_accounts(user, include_archived=filters.archived)
    if filters.archived:
        qs = qs.filter(archived_at__isnull=False)
    if filters.q.strip():
        qs = qs.filter(search_q(filters.q))
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.tier:
        qs = qs.filter(tier__in=filters.tier)
    if filters.segment:
        qs = qs.filter(segment_id__in=filters.segment)
    if filters.region:
        qs = qs.filter(region_id__in=filters.region)
    if filters.industry:
        qs = qs.filter(industry_id__in=filters.industry)
    if filters.manager:
        qs = qs.filter(responsible_manager_id__in=filters.manager)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    return qs.select_related("responsible_manager", "industry", "region", "segment").order_by(
        *SORTS.get(filters.sort, SORTS["name"])
    )


def account_get(user: User, pk: int) -> Account:
    """The account (archived too) if the user may see it; 404 otherwise, so existence does not leak."""
    account = (
        visible_accounts(user, include_archived=True)
        .select_related("responsible_manager", "industry", "region", "segment", "parent", "created_by")
        .filter(pk=pk)
        .first()
    )
    if account is None:
        raise Http404
    return account


def account_card(user: User, pk: int) -> Account:
    """The card opens for archived accounts too, so they can be read and restored."""
    account = (
        visible_accounts(user, include_archived=True)
        .filter(pk=pk)
        .select_related("responsible_manager", "industry", "region", "segment", "parent", "created_by")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("archived_at", "full_name")),
            Prefetch(
                "ownership_periods",
                queryset=OwnershipPeriod.objects.select_related("manager", "changed_by").order_by(
                    "-started_at"
                ),
            ),
        )
        .first()
    )
    if account is None:
        raise Http404
    return account


@dataclass
class HoldingNode:
    account: Account
    children: list["HoldingNode"]
    is_current: bool = False


def holding_tree(user: User, account: Account, *, max_depth: int = 6) -> HoldingNode | None:
    """The holding the account belongs to, from its top visible parent down; None for a standalone account."""
    visible = visible_accounts(user).only("id", "legal_name", "short_name", "parent_id", "status", "inn")
    root = account
    for _ in range(max_depth):
        if root.parent_id is None:
            break
        parent = visible.filter(pk=root.parent_id).first()
        if parent is None:
            break
        root = parent
    levels = {root.pk: HoldingNode(root, [], root.pk == account.pk)}
    frontier = [root.pk]
    for _ in range(max_depth):
        if not frontier:
            break
        children = list(visible.filter(parent_id__in=frontier).order_by("sort_name"))
        frontier = []
        for child in children:
            node = HoldingNode(child, [], child.pk == account.pk)
            levels[child.parent_id].children.append(node)
            levels[child.pk] = node
            frontier.append(child.pk)
    tree = levels[root.pk]
    return tree if tree.children or root.pk != account.pk else None


def visible_contacts(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(archived_at__isnull=True, account__in=visible_accounts(user))


def contact_get(user: User, pk: int) -> Contact:
    """A contact of a visible account, archived or not (it can be restored from its page)."""
    contact = (
        Contact.objects.filter(account__in=visible_accounts(user, include_archived=True))
        .select_related("account")
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        raise Http404
    return contact


def manager_choices() -> QuerySet[User]:
    """People who may own accounts, for filters and forms."""
    from orbit.org.models import OWNER_ROLES

    return (
        User.objects.filter(is_active=True, roles__role__in=OWNER_ROLES).distinct().order_by("display_name")
    )
