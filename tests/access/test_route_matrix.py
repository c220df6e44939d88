"""Role × route matrix: every URL pattern of the site, every persona, every kind of account.

The expected visibility is written out by hand below (not computed by the policy under test). The URL patterns
are enumerated from the resolver: a route without an entry in ROUTES fails `test_every_route_is_in_the_matrix`,
so a new page is covered by default.
"""

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from orbit.accounts import services, team
from orbit.accounts.models import AccountStatus, ChangeReason, TeamRole
from orbit.api.models import ApiToken
from orbit.handoffs import covers
from orbit.handoffs import services as handoff_services
from orbit.handoffs.models import HandoffKind
from orbit.org.models import Role
from tests.factories import make_account, make_user

PERSONAS = [
    "anonymous",
    "head",
    "admin",
    "auditor",
    "lead_a",
    "lead_b",
    "am_a",
    "am_a1",
    "am_b",
    "sales",
    "outsider",
]
ACCOUNTS = ["acct_a", "acct_a1", "acct_b", "prospect_s"]
ALL = set(ACCOUNTS)

# Who sees which account: the product's visibility rules, written out.
VISIBLE = {
    "anonymous": set(),
    "outsider": set(),
    "head": ALL,
    "admin": ALL,
    "auditor": ALL,
    "lead_a": {"acct_a", "acct_a1"},  # his team and its sub-team
    "lead_b": {"acct_b", "prospect_s"},  # his team's account and the prospect his salesman created
    "am_a": {"acct_a"},
    "am_a1": {"acct_a1"},
    "am_b": {"acct_b"},
    "sales": {"prospect_s"},  # a prospect he created
}
# Who may change it: the auditor reads only.
CHANGE = {**VISIBLE, "auditor": set()}
# Who may move responsibility to am_a1 (the head and admins anywhere; a lead only inside his tree).
REASSIGN_TO_A1 = {"head": ALL, "admin": ALL, "lead_a": {"acct_a", "acct_a1"}}
CREATE = {"head", "admin", "lead_a", "lead_b", "am_a", "am_a1", "am_b", "sales"}
# Who may reassign (the head, admins, the owner's lead) and who steers a handoff (those, and the giver).
REASSIGN = {"head": ALL, "admin": ALL, "lead_a": {"acct_a", "acct_a1"}, "lead_b": {"acct_b", "prospect_s"}}
STEER = {**REASSIGN, "am_a": {"acct_a"}, "am_a1": {"acct_a1"}, "am_b": {"acct_b"}, "sales": {"prospect_s"}}
NOBODY: dict = {}  # only the receiver, who is not a persona here
COVER_SEES = {"am_a", "lead_a", "head", "admin", "auditor"}
COVER_ARRANGES = {"am_a", "lead_a", "head", "admin"}


ACCOUNT_SCOPES = ("account", "contact", "team", "handoff")


@dataclass
class Route:
    method: str = "get"
    # "public", "guest", "user", "create", "head", "token", or per account: "account", "contact", "team", "handoff"
    scope: str = "user"
    need: dict = field(default_factory=dict)  # for account routes: persona -> set of accounts allowed
    ok: int = 200
    data: dict = field(default_factory=dict)


ROUTES = {
    "home": Route(scope="public", ok=302),
    "login": Route(scope="guest"),  # a logged-in user is sent on to his accounts
    "logout": Route(method="post", ok=302),
    "set_language": Route(method="post", scope="public", ok=302, data={"language": "en"}),
    "org:profile": Route(),
    "org:teams": Route(),
    "org:token_create": Route(method="post", data={"name": "t"}),
    "org:token_revoke": Route(method="post", scope="token", ok=302),
    "access:visibility": Route(scope="head"),
    "accounts:list": Route(),
    "accounts:lookup": Route(),
    "accounts:reassignments": Route(),
    "accounts:create": Route(scope="create"),
    "accounts:detail": Route(scope="account", need=VISIBLE),
    "accounts:history": Route(scope="account", need=VISIBLE),
    "accounts:edit": Route(scope="account", need=CHANGE),
    "accounts:status": Route(method="post", scope="account", need=CHANGE, ok=302, data={"status": "dormant"}),
    "accounts:reassign": Route(method="post", scope="account", need=REASSIGN_TO_A1, ok=302),
    "accounts:card_form": Route(scope="account", need=CHANGE),  # the team form; the reassign one is below
    "accounts:team_add": Route(method="post", scope="account", need=CHANGE, ok=302),
    "accounts:team_end": Route(method="post", scope="team", need=CHANGE, ok=302),
    "accounts:reassign_reverse": Route(method="post", scope="account", need=REASSIGN, ok=302),
    "accounts:responsible_on": Route(scope="account", need=VISIBLE, data={"on": "2025-01-01"}),
    "accounts:archive": Route(method="post", scope="account", need=CHANGE, ok=302),
    "accounts:restore": Route(method="post", scope="account", need=CHANGE, ok=302),
    "accounts:contact_create": Route(scope="account", need=CHANGE),
    "handoffs:list": Route(),
    "handoffs:bulk": Route(scope="leads"),
    "handoffs:covers": Route(),
    "handoffs:cover_summary": Route(scope="cover"),
    "handoffs:cover_cancel": Route(method="post", scope="cover", ok=302),
    "handoffs:start": Route(scope="account", need=STEER),
    "handoffs:detail": Route(scope="handoff", need=VISIBLE),
    "handoffs:brief": Route(method="post", scope="handoff", need=STEER, ok=302),
    "handoffs:step": Route(method="post", scope="handoff", need=STEER, ok=302),
    "handoffs:accept": Route(method="post", scope="handoff", need=NOBODY, ok=302),
    "handoffs:reject": Route(method="post", scope="handoff", need=NOBODY, ok=302),
    "handoffs:cancel": Route(method="post", scope="handoff", need=STEER, ok=302),
    "handoffs:checkup": Route(
        method="post", scope="handoff", need=REASSIGN, ok=302, data={"satisfied": "yes"}
    ),
    "accounts:contact_archive": Route(method="post", scope="contact", need=CHANGE, ok=302),
    "accounts:contact_restore": Route(method="post", scope="contact", need=CHANGE, ok=302),
    "accounts:contact_edit": Route(scope="contact", need=CHANGE),
}


def _route_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in ("admin", "api"):  # admin: tested below; API: tests/api has its own matrix
                continue
            yield from _route_names(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_is_in_the_matrix():
    assert set(_route_names(get_resolver().url_patterns)) == set(ROUTES)


@pytest.fixture
def world(org):
    people = {name: getattr(org, name) for name in PERSONAS if name != "anonymous"}
    accounts = {
        "acct_a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»"),
        "acct_a1": make_account(org.head, org.am_a1, legal_name="ООО «Альфа-1»"),
        "acct_b": make_account(org.head, org.am_b, legal_name="ООО «Бета»"),
        "prospect_s": make_account(org.sales, None, status=AccountStatus.PROSPECT, legal_name="ООО «Лид»"),
    }
    contacts = {
        k: services.contact_create(by=org.head, account=a, full_name=f"Контакт {k}")
        for k, a in accounts.items()
    }
    tokens = {name: ApiToken.issue(user=user, name="t")[0] for name, user in people.items()}
    engineer = make_user("engineer")  # not a persona: his seats on account teams change no expectation
    members = {
        k: team.team_member_add(by=org.head, account=a, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
        for k, a in accounts.items()
    }
    receiver = make_user("receiver", Role.ACCOUNT_MANAGER)  # not a persona either
    handoffs = {
        k: handoff_services.handoff_start(
            by=org.head,
            account=a,
            to_user=receiver,
            kind=HandoffKind.FROM_SALES if k == "prospect_s" else HandoffKind.BETWEEN_MANAGERS,
            reason=ChangeReason.HANDOFF if k == "prospect_s" else ChangeReason.VACATION,
        )
        for k, a in accounts.items()
    }
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cover = covers.cover_create(
        by=org.am_a,
        owner=org.am_a,
        deputy=receiver,
        starts_on=tomorrow,
        ends_on=tomorrow + dt.timedelta(days=7),
        reason="vacation",
    )
    return SimpleNamespace(
        people=people,
        accounts=accounts,
        contacts=contacts,
        members=members,
        tokens=tokens,
        handoffs=handoffs,
        cover=cover,
    )


def _client(people, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


def _expected(route: Route, persona: str, target: str | None) -> int:
    if route.scope == "guest":
        return 200 if persona == "anonymous" else 302
    if persona == "anonymous" and route.scope != "public":
        return 302  # to the login page
    if route.scope == "create":
        return 200 if persona in CREATE else 403
    if route.scope == "head":
        return 200 if persona in ("head", "admin") else 403
    if route.scope == "cover":  # am_a's planned vacation: he, his lead and the global readers see it
        if persona not in COVER_SEES:
            return 404
        return route.ok if route.method == "get" or persona in COVER_ARRANGES else 403
    if route.scope == "leads":
        return 200 if persona in ("head", "admin", "lead_a", "lead_b") else 403
    if route.scope in ACCOUNT_SCOPES:
        if target not in VISIBLE[persona]:
            return 404
        return route.ok if target in route.need.get(persona, set()) else 403
    return route.ok


def _request(world, name: str, persona: str, target: str | None):
    route = ROUTES[name]
    if route.scope == "handoff":
        args = [world.handoffs[target].pk] + (["brief"] if name == "handoffs:step" else [])
    elif route.scope in ACCOUNT_SCOPES:
        account = world.accounts[target]
        extra = {"contact": world.contacts, "team": world.members}.get(route.scope)
        args = [account.pk] if extra is None else [account.pk, extra[target].pk]
        if name == "accounts:card_form":
            args.append("team")
    elif route.scope == "cover":
        args = [world.cover.pk]
    elif route.scope == "token":
        args = [world.tokens["am_b" if persona != "am_b" else "am_a"].pk]  # someone else's token: never found
    else:
        args = []
    data = dict(route.data)
    if name == "accounts:reassign":
        data = {"manager": world.people["am_a1"].pk, "reason": "reassignment"}
    if name == "accounts:team_add":
        data = {"user": world.people["outsider"].pk, "role": TeamRole.PROJECT_MANAGER}
    with transaction.atomic():  # each request sees the same world: what a POST changed is rolled back
        response = getattr(_client(world.people, persona), route.method)(reverse(name, args=args), data)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("name", list(ROUTES))
def test_route_answers_each_persona_as_the_rules_say(world, name):
    route = ROUTES[name]
    targets = ACCOUNTS if route.scope in ACCOUNT_SCOPES else [None]
    wrong = []
    for persona in PERSONAS:
        for target in targets:
            if route.scope == "token" and persona != "anonymous":
                expected = 404
            else:
                expected = _expected(route, persona, target)
            response = _request(world, name, persona, target)
            if response.status_code != expected:
                wrong.append(f"{persona} on {target}: {response.status_code}, expected {expected}")
            elif (
                expected == 302
                and persona == "anonymous"
                and route.scope != "public"
                and not response.url.startswith(reverse("login"))
            ):
                wrong.append(f"anonymous sent to {response.url}, not to the login page")
    assert not wrong, f"{route.method.upper()} {name}: " + "; ".join(wrong)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_lists_counts_search_and_filters_leak_nothing(world, persona):
    people, accounts = world.people, world.accounts
    client = _client(people, persona)
    visible = VISIBLE[persona]
    response = client.get(reverse("accounts:list"))
    assert response.context["page"].paginator.count == len(visible)
    assert {a.pk for a in response.context["page"].object_list} == {accounts[k].pk for k in visible}
    for key, account in accounts.items():
        shown = key in visible
        by_inn = client.get(reverse("accounts:list"), {"q": account.inn})
        assert by_inn.context["page"].paginator.count == int(shown), (persona, key)
        by_manager = client.get(
            reverse("accounts:list"), {"manager": account.responsible_manager_id or 0, "sort": "-manager"}
        )
        assert account.pk not in {a.pk for a in by_manager.context["page"].object_list} or shown
        lookup = client.get(reverse("accounts:lookup"), {"q": account.inn}).content.decode()
        assert (f'data-pick-id="{account.pk}"' in lookup) == shown, (persona, key)


def test_holding_tree_shows_only_visible_members(world, client):
    people, accounts = world.people, world.accounts
    holding = accounts["acct_a"]
    for key in ("acct_a1", "acct_b"):
        services.account_update(by=people["head"], account=accounts[key], version=None, parent=holding)
    client.force_login(people["am_a1"])
    response = client.get(reverse("accounts:detail", args=[accounts["acct_a1"].pk]))
    assert response.context["holding"] is None  # the parent is not his: he sees no tree, not even its name
    client.force_login(people["lead_a"])
    tree = client.get(reverse("accounts:detail", args=[holding.pk])).context["holding"]
    assert [child.account.pk for child in tree.children] == [accounts["acct_a1"].pk]


def test_admin_site_is_closed_to_non_staff(world):
    people = world.people
    for persona in ("head", "am_a", "auditor"):
        response = _client(people, persona).get(reverse("admin:accounts_account_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.parametrize("persona", ["head", "am_a", "am_b"])
def test_archive_lists_only_visible_archived_accounts(world, persona):
    people, accounts = world.people, world.accounts
    services.account_archive(by=people["head"], account=accounts["acct_a"])
    client = _client(people, persona)
    live = client.get(reverse("accounts:list")).context["page"]
    archive = client.get(reverse("accounts:list"), {"archived": "1"}).context["page"]
    assert accounts["acct_a"].pk not in {a.pk for a in live.object_list}
    assert [a.pk for a in archive.object_list] == (
        [accounts["acct_a"].pk] if "acct_a" in VISIBLE[persona] else []
    )
