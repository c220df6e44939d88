"""Visibility keys (accounts migration 0016), the index key the search narrows by: per role they pick exactly
the accounts the policy shows, every writer keeps the contacts' copy in the same transaction, and a search
after each change finds what the policy shows — the new owner's people find the contact, the old ones don't."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from orbit.access import policy
from orbit.access.models import VisibilityPolicy
from orbit.accounts import merge, search_keys, services, team
from orbit.accounts.models import Account, AccountStatus, Contact, TeamRole
from orbit.accounts.search_keys import ACCOUNT_KEYS
from orbit.handoffs import covers
from orbit.handoffs import services as handoffs
from orbit.handoffs.models import HandoffKind
from orbit.imports.models import ImportBatch
from orbit.imports.undo import undo_import
from orbit.org.models import Role, User
from orbit.privacy.erasure import erase_contact
from orbit.search import selectors
from tests.access.personas import PERSONAS
from tests.factories import make_account, make_user
from tests.imports import money_world

pytestmark = pytest.mark.usefixtures("postgres_only")

TODAY = timezone.localdate()


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # the policy caches what it read on the user object


def by_keys(user: User) -> set[int]:
    """The live accounts whose keys (the indexed expression) overlap the user's; all of them for None."""
    keys = policy.visibility_keys(fresh(user))
    sql = "SELECT id FROM accounts_account WHERE archived_at IS NULL"
    with connection.cursor() as cursor:
        if keys is None:
            cursor.execute(sql)
        else:
            cursor.execute(f"{sql} AND {ACCOUNT_KEYS} && %s::text[]", [keys])
        return {row[0] for row in cursor.fetchall()}


def visible(user: User) -> set[int]:
    return set(policy.visible_accounts(fresh(user)).values_list("pk", flat=True))


def stale_contacts() -> list[tuple]:
    """Contacts whose copy differs from their account's keys (should be none after any write)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.id, c.visibility_keys FROM accounts_contact c
                 JOIN accounts_account a ON a.id = c.account_id
                WHERE c.visibility_keys IS DISTINCT FROM
                      accounts_visibility_keys(a.id, a.responsible_manager_id, a.status, a.created_by_id)"""
        )
        return cursor.fetchall()


def keys_of(contact: Contact) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT visibility_keys FROM accounts_contact WHERE id = %s", [contact.pk])
        return cursor.fetchone()[0]


def finds(user: User, text: str, contact: Contact) -> bool:
    group = next(g for g in selectors.global_search(fresh(user), text).groups if g.kind == "contacts")
    return contact.pk in {c.pk for c in group.items}


def finds_account(user: User, text: str, account) -> bool:
    group = next(g for g in selectors.global_search(fresh(user), text).groups if g.kind == "accounts")
    return account.pk in {a.pk for a in group.items}


@pytest.mark.parametrize(
    "settings_",
    [{}, {"managers_see_team": True}, {"leads_see_subteams": False}],
    ids=["default", "team", "flat"],
)
def test_keys_pick_exactly_what_the_policy_shows_every_persona(org, found, settings_):
    """Every persona, a deputy of a whole portfolio, a deputy of one account, an account-team seat and a handoff
    receiver: the accounts their keys pick are those visible_accounts gives, under each visibility setting."""
    VisibilityPolicy.objects.update_or_create(pk=1, defaults=settings_)
    extra = make_account(org.head, org.am_a)
    whole, partial = make_user("deputy", Role.ACCOUNT_MANAGER), make_user("deputy2", Role.ACCOUNT_MANAGER)
    engineer, receiver = make_user("engineer"), make_user("receiver", Role.ACCOUNT_MANAGER)
    window = {"starts_on": TODAY, "ends_on": TODAY + dt.timedelta(days=7), "reason": "vacation"}
    covers.cover_create(by=org.head, deputy=whole, owner=org.am_a, **window)
    covers.cover_create(
        by=org.head,
        deputy=partial,
        owner=org.am_b,
        whole_portfolio=False,
        accounts=[found.accounts["acct_b"]],
        **window,
    )
    team.team_member_add(by=org.head, account=extra, user=engineer, role=TeamRole.PROJECT_MANAGER)
    handoffs.handoff_start(
        by=org.head, account=found.accounts["acct_a1"], to_user=receiver, kind=HandoffKind.BETWEEN_MANAGERS,
        reason="vacation",
    )  # fmt: skip
    people = [getattr(org, p) for p in PERSONAS if p != "anonymous"] + [whole, partial, engineer, receiver]
    for user in people:
        assert by_keys(user) == visible(user), user.username
    assert visible(whole) >= {found.accounts["acct_a"].pk, extra.pk}
    assert visible(partial) == {found.accounts["acct_b"].pk}


def test_a_contact_takes_its_accounts_keys_and_erasure_keeps_them(org, found):
    contact = found.contacts["acct_a"]
    account = found.accounts["acct_a"]
    assert keys_of(contact) == [f"a{account.pk}", f"m{org.am_a.pk}"]
    prospect = found.contacts["prospect_s"]
    assert keys_of(prospect) == [f"a{found.accounts['prospect_s'].pk}", f"p{org.sales.pk}"]
    services.contact_update(by=org.head, contact=contact, version=contact.version, position="CFO")
    erase_contact(by=org.head, contact=found.contacts["acct_b"], reference="request 1")
    assert stale_contacts() == []


def test_a_reassignment_moves_the_contacts_keys_and_the_search_follows(org, found):
    contact, account = found.contacts["acct_a"], found.accounts["acct_a"]
    assert finds(org.am_a, "орлова", contact) and not finds(org.am_b, "орлова", contact)
    services.account_reassign(by=org.head, account=account, manager=org.am_b)
    assert stale_contacts() == []
    assert f"m{org.am_b.pk}" in keys_of(contact) and f"m{org.am_a.pk}" not in keys_of(contact)
    assert finds(org.am_b, "орлова", contact) and finds(org.lead_b, "орлова", contact)
    assert not finds(org.am_a, "орлова", contact) and not finds(org.lead_a, "орлова", contact)
    assert finds_account(org.am_b, "альфа", account) and not finds_account(org.am_a, "альфа", account)


def test_a_prospect_won_drops_its_creators_key(org, found):
    account, contact = found.accounts["prospect_s"], found.contacts["prospect_s"]
    assert finds(org.sales, "орлова", contact)
    services.account_reassign(by=org.head, account=account, manager=org.am_b)
    assert stale_contacts() == [] and finds(org.sales, "орлова", contact)  # still a prospect: still his
    services.account_set_status(by=org.head, account=fresh_account(account), status=AccountStatus.ACTIVE)
    assert stale_contacts() == []
    assert f"p{org.sales.pk}" not in keys_of(contact)
    assert not finds(org.sales, "орлова", contact) and finds(org.am_b, "орлова", contact)


def fresh_account(account):
    return type(account).objects.get(pk=account.pk)


def test_a_merge_gives_the_moved_contacts_the_survivors_keys(org, found):
    keep, gone = found.accounts["acct_a"], found.accounts["acct_a1"]
    moved = found.contacts["acct_a1"]
    assert finds(org.am_a1, "орлова", moved) and not finds(org.am_a, "орлова", moved)
    merge.merge_accounts(by=org.head, keep=keep, merged=gone, keep_version=None, merged_version=None)
    assert stale_contacts() == []
    assert keys_of(moved) == [f"a{keep.pk}", f"m{org.am_a.pk}"]
    assert finds(org.am_a, "орлова", moved) and not finds(org.am_a1, "орлова", moved)


def test_an_ownership_import_and_its_undo_keep_the_copy(org):
    world = money_world.build(org)
    contact = services.contact_create(by=org.head, account=world.romashka, full_name="Гончарова Мария")
    report = money_world.run(
        "ownership", org.head, text="ИНН;Ответственный;С;По\n7707083893;Петров Иван;01.03.2025;"
    )
    assert report.updated == 1 and stale_contacts() == []
    assert f"m{org.am_b.pk}" in keys_of(contact) and finds(org.am_b, "гончарова", contact)
    undo_import(by=org.head, batch=ImportBatch.objects.get(pk=report.batch_id))
    assert stale_contacts() == []
    assert f"m{org.am_a.pk}" in keys_of(contact) and not finds(org.am_b, "гончарова", contact)


def test_bulk_writes_keep_the_copy(org, found):
    """Set-based writes (as imports and scripts do) go through the same triggers."""
    Account.objects.filter(pk=found.accounts["prospect_s"].pk).update(created_by=org.am_b)
    Contact.objects.filter(pk=found.contacts["acct_b"].pk).update(account=found.accounts["acct_a"])
    assert stale_contacts() == []
    assert keys_of(found.contacts["prospect_s"])[-1] == f"p{org.am_b.pk}"
    assert keys_of(found.contacts["acct_b"])[0] == f"a{found.accounts['acct_a'].pk}"
    with connection.cursor() as cursor:  # nobody can write another value into the copy
        cursor.execute(
            "UPDATE accounts_contact SET visibility_keys = '{m1}' WHERE id = %s",
            [found.contacts["acct_a"].pk],
        )
    assert stale_contacts() == []


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_narrowed_or_not_the_search_finds_the_same(org, found, persona, monkeypatch):
    """Past KEYS_MAX_MANAGERS the search does not narrow: both ways give the same rows and counts."""
    user = getattr(org, persona)

    def rows(text):
        return [
            (g.kind, [i.pk for i in g.items], g.matched)
            for g in selectors.global_search(fresh(user), text).groups
        ]

    narrowed = [rows(text) for text in ("орлова", "кристалл", "anna.orlova1@", "555-01-11")]
    monkeypatch.setattr(search_keys, "KEYS_MAX_MANAGERS", -1)
    assert [rows(text) for text in ("орлова", "кристалл", "anna.orlova1@", "555-01-11")] == narrowed
    assert sum(len(items) for groups in narrowed for _kind, items, _n in groups) > 0 or persona == "outsider"
