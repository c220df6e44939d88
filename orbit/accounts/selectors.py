"""Reads of accounts and contacts, always scoped to what the user may see."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.http import Http404

from orbit.access.policy import owners_seen, visible_accounts
from orbit.accounts import list_columns
from orbit.accounts.models import (
    LEGAL_FORMS,
    Account,
    AccountPulse,
    AccountTeamMember,
    Contact,
    OwnershipPeriod,
    TeamRole,
)
from orbit.accounts.search_keys import ACCOUNT_KEYS, narrowed
from orbit.handoffs.models import OPEN_STATUSES, Handoff
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
    "manager": ("manager_sort", "sort_name", "id"),
    "-manager": ("-manager_sort", "-sort_name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    # The work columns, read from the account's pulse (one indexed row per account, never NULL: see
    # AccountPulse). The tiebreaker is the pulse's own key (the account's id), so each sort is one index walk
    # and a keyset cursor one row comparison on the pulse's index.
    "last_touch": ("last_touch_at", "pulse_key"),
    "-last_touch": ("-last_touch_at", "-pulse_key"),
    "next_touch": ("next_touch_on", "pulse_key"),
    "-next_touch": ("-next_touch_on", "-pulse_key"),
    "open_requests": ("open_requests", "pulse_key"),
    "-open_requests": ("-open_requests", "-pulse_key"),
}
PULSE_SORTS = {"last_touch_at", "next_touch_on", "open_requests"}
# Up to this many accounts in the list, a work sort sorts them instead of walking the pulse's index (Orbit's own
# threshold, measured in bench/README.md "Issue 17: the work columns"): a walk meets the list's accounts at
# their share of all accounts — an AM's 300 of a million cost 16,000 probes, 0.5 s — while a team lead's 13,600
# are met after ~2,000 probes (20 ms) and sorting them would read the whole pulse table instead (0.3-0.8 s).
SORT_BELOW = 5_000

# Columns of the user row an account list never needs (secrets and stamps).
USER_FIELDS_NOT_LISTED = ("password", "last_login", "date_joined")


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
    ids: list[int] = field(default_factory=list)  # a bulk selection's accounts (its export)
    cols: tuple[str, ...] = list_columns.DEFAULT  # the columns shown (list_columns.chosen)


_LEGAL_FORM_WORDS = {form.lower() for form in LEGAL_FORMS}


def search_q(text: str) -> Q:
    """Name or INN search: every word must occur (served by the trigram index on PostgreSQL).

    A legal form next to a name («ооо кристалл») is dropped: nearly every account carries one, so it
    narrows nothing and only makes the search slow.
    """
    words = [word.strip("«»\"'.,") for word in text.lower().split()]
    words = [word for word in words if word] or [text.lower().strip()]
    names = [word for word in words if word not in _LEGAL_FORM_WORDS] or words
    query = Q()
    for word in names:
        query &= Q(search_text__contains=word)
    return query


def list_order(filters: AccountFilters) -> tuple[str, ...]:
    """The fields the list is sorted by (the last one the id): what a keyset page's cursor holds."""
    return SORTS.get(filters.sort, SORTS["name"])


def account_list(user: User, filters: AccountFilters) -> QuerySet[Account]:
    return account_list_counted(user, filters)[0]


def account_list_counted(user: User, filters: AccountFilters) -> tuple[QuerySet[Account], int | None]:
    """`account_list`, and its count up to SORT_BELOW + 1 when a work sort had to take one to choose its plan (None
    when none was taken), for the page's paginator (CappedPaginator `matched`, `counted_to`): the list page then
    counts once, not twice. For a division lead sorting his 136,000 accounts by last touch each count took 5–14 ms
    (bench/README, issue 16)."""
    qs = visible_accounts(user, include_archived=filters.archived)
    if filters.archived:
        qs = qs.filter(archived_at__isnull=False)
    if filters.q.strip():
        # The scope and the text in one index scan (accounts 0016); the scope above still decides.
        qs = narrowed(qs.filter(search_q(filters.q)), user, ACCOUNT_KEYS)
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
    if filters.ids:
        qs = qs.filter(pk__in=filters.ids)
    order = list_order(filters)
    pulse_sort = order[0].lstrip("-") in PULSE_SORTS
    searched = sorts_all_matches(filters)
    counted = _count_to_sort_below(qs) if pulse_sort and not searched else None
    sorted_not_walked = searched or (counted is not None and counted <= SORT_BELOW)
    if pulse_sort:
        qs = _with_pulse(qs)
    if sorted_not_walked:
        order = _sorted_after_search(order)
    # The manager's name is shown, never his password hash or login stamps: they are not even selected.
    qs = qs.select_related("responsible_manager", "industry", "region", "segment")
    return qs.defer(*(f"responsible_manager__{name}" for name in USER_FIELDS_NOT_LISTED)).order_by(
        *order
    ), counted


# What a row of the list page draws (accounts/list_rows.py) and the bulk bar posts (id and version).
LIST_PAGE_FIELDS = (
    "id", "version", "legal_name", "short_name", "inn", "status", "tier",
    "segment__code", "segment__name_ru", "segment__name_en",
    "region__code", "region__name_ru", "region__name_en",
    "responsible_manager__display_name", "responsible_manager__first_name",
    "responsible_manager__last_name", "responsible_manager__username",
)  # fmt: skip


def for_list_page(qs: QuerySet[Account], order: tuple[str, ...]) -> QuerySet[Account]:
    """`account_list` narrowed to the columns the page draws, plus the sort's fields (the page's cursors hold
    them): reading and building 25 accounts with every field and the industry took ~4 ms of a ~45 ms page."""
    fields = {f.name for f in Account._meta.concrete_fields}  # not the pulse's annotations nor expressions
    sort_fields = [name.lstrip("-") for name in order if isinstance(name, str) and name.lstrip("-") in fields]
    return (
        qs.select_related(None)
        .select_related("responsible_manager", "region", "segment")
        .only(*LIST_PAGE_FIELDS, *sort_fields)
    )


def sorts_all_matches(filters: AccountFilters) -> bool:
    """A search sorted by anything but the last change: PostgreSQL finds every match, then sorts them
    (`_sorted_after_search`), so the page can count them on the way (keyset `counts_with_rows`)."""
    return bool(filters.q.strip()) and list_order(filters)[0].lstrip("-") != "updated_at"


def _count_to_sort_below(qs: QuerySet[Account]) -> int:
    """The list's accounts, counted up to SORT_BELOW + 1 (a COUNT that stops there)."""
    return qs.order_by()[: SORT_BELOW + 1].count()


def _with_pulse(qs: QuerySet[Account]) -> QuerySet[Account]:
    """Sorting by the pulse: it joins each row (an inner join: every account has its row, see AccountPulse),
    so the sort can walk the pulse's index and meet the accounts by their key."""
    return qs.filter(pulse__isnull=False).annotate(
        last_touch_at=F("pulse__last_touch_at"),
        next_touch_on=F("pulse__next_touch_on"),
        open_requests=F("pulse__open_requests"),
        pulse_key=F("pulse__account_id"),
    )


def attach_pulse(accounts: list[Account]) -> None:
    """The pulse's figures on a page of accounts that were not sorted by them (one query for the page): the
    other sorts keep their own plans, without the join."""
    missing = [a for a in accounts if not hasattr(a, "pulse_key")]
    if not missing:
        return
    rows = AccountPulse.objects.in_bulk([a.pk for a in missing])
    for account in missing:
        row = rows.get(account.pk) or AccountPulse(account_id=account.pk)
        # The same names a work sort annotates, so the cells read one shape of row.
        setattr(account, "last_touch_at", row.last_touch_at)  # noqa: B010
        setattr(account, "next_touch_on", row.next_touch_on)  # noqa: B010
        setattr(account, "open_requests", row.open_requests)  # noqa: B010
        setattr(account, "pulse_key", account.pk)  # noqa: B010


def _sorted_after_search(order: tuple[str, ...]) -> tuple:
    """Make PostgreSQL sort the matches instead of walking the sort index until 25 of them turn up (after a
    search, and for a work sort of a short list: see SORT_BELOW).

    The planner guesses a short word to match often and walks e.g. the sort_name index, filtering every
    row: 1.5 s for «кристалл» at a million accounts, whose matches sort late. Sorting the matches found
    through the trigram index costs at most ~200 ms even when nearly every account matches. An
    expression (`key || ''`) keeps the order and is what stops the planner from using the index.
    """
    first, *rest = order
    name = first.lstrip("-")
    # A date or a count goes through COALESCE (the same value, not a text); a name through `|| ''`.
    expression = Coalesce(F(name), F(name)) if name in PULSE_SORTS else Concat(F(name), Value(""))
    return (expression.desc() if first.startswith("-") else expression.asc(), *rest)


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


def merged_into(user: User, account: Account) -> list[Account]:
    """The accounts (he may see) merged into this one: their own history is read on their history page."""
    return list(
        visible_accounts(user, include_archived=True)
        .filter(merged_into=account)
        .only("id", "legal_name", "short_name", "inn")
        .order_by("id")
    )


def account_card(user: User, pk: int) -> Account:
    """The card opens for archived accounts too, so they can be read and restored."""
    account = (
        visible_accounts(user, include_archived=True)
        .filter(pk=pk)
        .select_related("responsible_manager", "industry", "region", "segment", "parent", "created_by")
        .annotate(
            open_handoff_id=Subquery(
                Handoff.objects.filter(account=OuterRef("pk"), status__in=OPEN_STATUSES).values("id")[:1]
            )
        )
        # The team and the ownership history are the card's "Team and ownership" tab, read when it is opened.
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("archived_at", "full_name")))
        .first()
    )
    if account is None:
        raise Http404
    return account


def account_ownership(user: User, pk: int) -> Account:
    """The account with its current team (`current_team`) and ownership periods: the card's ownership tab."""
    account = (
        visible_accounts(user, include_archived=True)
        .filter(pk=pk)
        .select_related("responsible_manager")
        .prefetch_related(
            Prefetch(
                "team_members",
                queryset=AccountTeamMember.objects.filter(ended_at__isnull=True).select_related("user"),
                to_attr="current_team",
            ),
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


_HOLDING_SQL = """
WITH RECURSIVE up(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM accounts_account WHERE id = %(account)s
    UNION ALL
    SELECT a.id, a.parent_id, up.depth + 1 FROM accounts_account a JOIN up ON a.id = up.parent_id
     WHERE up.depth < %(depth)s
), down(id, depth) AS (
    SELECT id, 0 FROM up WHERE depth = (SELECT max(depth) FROM up)
    UNION ALL
    SELECT a.id, down.depth + 1 FROM accounts_account a JOIN down ON a.parent_id = down.id
     WHERE down.depth < %(depth)s
)
SELECT id FROM down
"""


def holding_member_ids(account: Account, *, max_depth: int = 6) -> list[int]:
    """Every company of the account's holding, from its top parent down, whoever may see them (one recursive
    query). Callers scope them: this is for counting what a person does not see, never for showing it."""
    with connection.cursor() as cursor:
        cursor.execute(_HOLDING_SQL, {"account": account.pk, "depth": max_depth})
        return [row[0] for row in cursor.fetchall()]


@dataclass
class HoldingCompanies:
    companies: list[Account]  # the ones the user sees (archived too: their history is the holding's), by name
    hidden: int  # how many of the holding he may not see: left out of every figure, and said so


def holding_companies(user: User, account: Account) -> HoldingCompanies | None:
    """The companies of the account's holding the user may see, with their responsible manager; None for a
    standalone account, or when he sees only one company of it (nothing to roll up). For the holding's
    roll-ups (money, growth): two queries."""
    members = holding_member_ids(account)
    if len(members) < 2:
        return None
    companies = list(
        Account.objects.visible_to(user)
        .filter(pk__in=members)
        .select_related("responsible_manager")
        .order_by("sort_name", "id")
    )
    if len(companies) < 2:
        return None
    return HoldingCompanies(companies=companies, hidden=len(members) - len(companies))


def holding_tree(user: User, account: Account, *, max_depth: int = 6) -> HoldingNode | None:
    """The part of the account's holding the user may see, from its top visible parent down.

    Two queries whatever the depth: one recursive walk for the ids, one visibility-scoped read of them.
    None for a standalone account, or when nothing else of the holding is visible.
    """
    ids = holding_member_ids(account, max_depth=max_depth)
    if len(ids) < 2:
        return None
    nodes: dict[int | None, HoldingNode] = {
        a.pk: HoldingNode(a, [], a.pk == account.pk)
        for a in visible_accounts(user)
        .filter(pk__in=ids)
        .only("id", "legal_name", "short_name", "parent_id", "status", "inn")
        .order_by("sort_name", "id")
    }
    for node in nodes.values():
        parent = nodes.get(node.account.parent_id)
        if parent is not None:
            parent.children.append(node)
    root = nodes.get(account.pk)
    while root is not None and root.account.parent_id in nodes:
        root = nodes[root.account.parent_id]
    return root if root is not None and root.children else None


def visible_contacts(user: User) -> QuerySet[Contact]:
    """Live contacts of live accounts the user sees."""
    return Contact.objects.visible_to(user, include_archived=False).filter(archived_at__isnull=True)


def contact_get(user: User, pk: int) -> Contact:
    """A contact of a visible account, archived or not (it can be restored from its page)."""
    contact = Contact.objects.visible_to(user).select_related("account").filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def manager_choices() -> QuerySet[User]:
    """People who may own accounts, for filters and forms."""
    from orbit.org.models import OWNER_ROLES

    return (
        User.objects.filter(is_active=True, roles__role__in=OWNER_ROLES).distinct().order_by("display_name")
    )


def manager_filter_choices(user: User, selected=()) -> list[tuple[int, str]]:
    """The list's manager filter as (id, name) pairs: the managers whose accounts he sees (all for the head; a
    division lead his ~70 of 500), and any already chosen (a saved view, a link), so the choice still shows."""
    qs = manager_choices()
    owners = owners_seen(user)
    if owners is not None:
        qs = qs.filter(pk__any=owners | set(selected))  # one array (orbit/access/lookups.py)
    return list(qs.values_list("id", "display_name"))


def reassignments(user: User, *, start, end, reason: str = "", manager_id: int | None = None):
    """Changes of responsible manager in [start, end) on accounts the user may see, with who handed to whom."""
    previous = OwnershipPeriod.objects.filter(
        account_id=OuterRef("account_id"), ended_at=OuterRef("started_at")
    )
    qs = (
        OwnershipPeriod.objects.visible_to(user)
        .filter(
            started_at__gte=start,
            started_at__lt=end,
        )
        .exclude(reason="initial")
        .annotate(
            previous_manager_name=Subquery(previous.values("manager__display_name")[:1]),
            previous_manager_id=Subquery(previous.values("manager_id")[:1]),
        )
        .select_related("account", "manager", "changed_by")
        .order_by("-started_at", "-id")
    )
    if reason:
        qs = qs.filter(reason=reason)
    if manager_id:
        qs = qs.filter(Q(manager_id=manager_id) | Q(previous_manager_id=manager_id))
    return qs


@dataclass
class HoldingRow:
    account: Account
    depth: int
    national: list = field(default_factory=list)  # national account managers on this subsidiary
    last_touch: object = None
    open_requests: int = 0
    marks: list[bool] = field(default_factory=list)  # one per column of the matrix: is he national AM here?


@dataclass
class HoldingMatrix:
    root: Account
    rows: list[HoldingRow]
    global_managers: list
    national_managers: list  # the matrix's columns: everyone who is a national AM somewhere in it


def holding_matrix(user: User, account: Account) -> HoldingMatrix | None:
    """The holding the account belongs to, as far as the user sees it: each subsidiary with its manager, its
    national account managers, its last touch and its open requests; the global AMs of the top. A fixed number
    of queries whatever the size of the holding."""
    from orbit.activities.models import Touch, TouchStatus
    from orbit.requests.models import OPEN_STATUSES as OPEN_REQUESTS
    from orbit.requests.models import Request

    tree = holding_tree(user, account)
    if tree is None:
        return None
    order: list[tuple[int, int]] = []

    def walk(node, depth):
        order.append((node.account.pk, depth))
        for child in node.children:
            walk(child, depth + 1)

    walk(tree, 0)
    ids = [pk for pk, _depth in order]
    accounts = (
        Account.objects.visible_to(user, include_archived=False)
        .filter(pk__in=ids)
        .select_related("responsible_manager", "region")
        .annotate(
            # Subqueries, not joins: touches × requests would multiply rows on a busy subsidiary.
            last_touch=Subquery(
                Touch.objects.filter(account=OuterRef("pk"), status=TouchStatus.DONE)
                .order_by("-happened_at")
                .values("happened_at")[:1]
            ),
            open_requests=Coalesce(
                Subquery(
                    Request.objects.filter(account=OuterRef("pk"), status__in=OPEN_REQUESTS)
                    .order_by()
                    .values("account")
                    .annotate(n=Count("id"))
                    .values("n")
                ),
                0,
            ),
        )
        .in_bulk()
    )
    seats = AccountTeamMember.objects.filter(
        account_id__in=ids,
        ended_at__isnull=True,
        role__in=[TeamRole.NATIONAL_ACCOUNT_MANAGER, TeamRole.GLOBAL_ACCOUNT_MANAGER],
    ).select_related("user")
    national: dict[int, list] = {}
    global_managers = []
    for seat in seats.order_by("user__display_name"):
        if seat.role == TeamRole.GLOBAL_ACCOUNT_MANAGER and seat.account_id == tree.account.pk:
            global_managers.append(seat.user)
        elif seat.role == TeamRole.NATIONAL_ACCOUNT_MANAGER:
            national.setdefault(seat.account_id, []).append(seat.user)
    rows = [
        HoldingRow(
            accounts[pk], depth, national.get(pk, []), accounts[pk].last_touch, accounts[pk].open_requests
        )
        for pk, depth in order
    ]
    columns = sorted({m for people in national.values() for m in people}, key=lambda m: m.display_name)
    for row in rows:
        row.marks = [manager in row.national for manager in columns]
    return HoldingMatrix(accounts[tree.account.pk], rows, global_managers, columns)
