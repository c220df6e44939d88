"""Bulk actions on the account list (orbit/accounts/bulk_actions.py): all or nothing, each account through the
one-by-one service and policy, every refusal listed with its reason, the auditor refused outright."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from orbit.accounts import bulk_actions, team
from orbit.accounts.bulk_actions import BulkRefused
from orbit.accounts.models import Account, BulkAction, Segment, TeamRole, Tier
from orbit.activities.models import Touch
from orbit.handoffs.models import Handoff
from tests.factories import make_account


def _tiers(*accounts) -> list[str]:
    return [Account.objects.get(pk=a.pk).tier for a in accounts]


def _versions(*accounts) -> dict[int, int | None]:
    return {a.pk: a.version for a in accounts}


@pytest.fixture
def accounts(org):
    """Two accounts of am_a, one of am_a1 (lead_a's sub-team), one of am_b (another team)."""
    return {
        "a1": make_account(org.head, org.am_a, legal_name="ООО «Альфа»", tier=Tier.C),
        "a2": make_account(org.head, org.am_a, legal_name="ООО «Бета»", tier=Tier.C),
        "a1_sub": make_account(org.head, org.am_a1, legal_name="ООО «Гамма»", tier=Tier.C),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Дельта»", tier=Tier.C),
    }


def test_am_changes_the_tier_of_his_accounts_each_in_its_history(org, accounts):
    a1, a2 = accounts["a1"], accounts["a2"]
    receipt = bulk_actions.apply(
        by=org.am_a, action="tier", versions=_versions(a1, a2), params={"tier": Tier.B}
    )
    assert receipt.count == 2 and receipt.by == org.am_a
    assert _tiers(a1, a2) == [Tier.B, Tier.B]
    for account in (a1, a2):
        last = Account.history.filter(id=account.pk).order_by("-history_date").first()
        assert last.tier == Tier.B and last.history_user == org.am_a  # audited as a one-by-one edit


def test_am_cannot_touch_another_managers_account_and_nothing_changes(org, accounts):
    a1, b = accounts["a1"], accounts["b"]
    with pytest.raises(BulkRefused) as refused:
        bulk_actions.apply(by=org.am_a, action="tier", versions=_versions(a1, b), params={"tier": Tier.A})
    [refusal] = refused.value.refusals
    # Not visible to him: refused by number, its name not told.
    assert refusal.account_id == b.pk and refusal.name == "" and "№" in refusal.reasons[0]
    assert _tiers(a1, b) == [Tier.C, Tier.C]  # all or nothing: his own account is unchanged too
    assert not BulkAction.objects.exists()


def test_an_account_he_sees_but_may_not_change_is_listed_with_the_reason(org, accounts):
    a1, b = accounts["a1"], accounts["b"]
    team.team_member_add(by=org.head, account=b, user=org.am_a, role=TeamRole.SUPPORT_ENGINEER)  # sees it
    with pytest.raises(BulkRefused) as refused:
        bulk_actions.apply(by=org.am_a, action="tier", versions=_versions(a1, b), params={"tier": Tier.A})
    [refusal] = refused.value.refusals
    assert refusal.name == "ООО «Дельта»" and refusal.reasons and not refused.value.conflict
    assert _tiers(a1, b) == [Tier.C, Tier.C]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("am_a", {"a1", "a2"}),
        ("lead_a", {"a1", "a2", "a1_sub"}),  # his team and its sub-team
        ("head", {"a1", "a2", "a1_sub", "b"}),
    ],
)
def test_each_role_changes_what_it_may_change_one_by_one(org, accounts, persona, allowed):
    user = getattr(org, persona)
    for key, account in accounts.items():
        if key in allowed:
            bulk_actions.apply(by=user, action="tier", versions=_versions(account), params={"tier": Tier.A})
            assert _tiers(account) == [Tier.A]
        else:
            with pytest.raises(BulkRefused):
                bulk_actions.apply(
                    by=user, action="tier", versions=_versions(account), params={"tier": Tier.A}
                )
            assert _tiers(account) == [Tier.C]


@pytest.mark.parametrize("action", ["tier", "segment", "touch", "handoff"])
def test_the_auditor_does_no_bulk_action(org, accounts, action):
    with pytest.raises(PermissionDenied):
        bulk_actions.apply(by=org.auditor, action=action, versions=_versions(accounts["a1"]), params={})
    assert _tiers(accounts["a1"]) == [Tier.C]


def test_an_account_changed_since_the_list_was_read_fails_the_whole_action(org, accounts):
    a1, a2 = accounts["a1"], accounts["a2"]
    stale = _versions(a1, a2)
    bulk_actions.apply(by=org.am_a, action="tier", versions={a2.pk: a2.version}, params={"tier": Tier.B})
    with pytest.raises(BulkRefused) as refused:
        bulk_actions.apply(by=org.am_a, action="tier", versions=stale, params={"tier": Tier.A})
    assert refused.value.conflict
    assert [r.account_id for r in refused.value.refusals] == [a2.pk]
    assert _tiers(a1, a2) == [Tier.C, Tier.B]


def test_segment_in_bulk(org, accounts):
    large = Segment.objects.create(code="large", name_ru="Крупный бизнес", name_en="Enterprise")
    a1, a2 = accounts["a1"], accounts["a2"]
    bulk_actions.apply(
        by=org.am_a, action="segment", versions=_versions(a1, a2), params={"segment": large.pk}
    )
    assert set(Account.objects.filter(pk__in=[a1.pk, a2.pk]).values_list("segment_id", flat=True)) == {
        large.pk
    }


def test_touches_are_planned_for_the_one_acting_as_one_by_one(org, accounts):
    a1, a2 = accounts["a1"], accounts["a2"]
    day = timezone.localdate() + dt.timedelta(days=3)
    params = {"kind": "call", "planned_for": day.isoformat(), "subject": "Обсудить продление"}
    bulk_actions.apply(by=org.lead_a, action="touch", versions=_versions(a1, a2), params=params)
    touches = Touch.objects.filter(account__in=[a1, a2])
    assert touches.count() == 2
    assert {(t.owner_id, t.planned_for, t.subject) for t in touches} == {
        (org.lead_a.pk, day, "Обсудить продление")
    }


def test_a_touch_in_the_past_is_refused_for_every_account(org, accounts):
    a1, a2 = accounts["a1"], accounts["a2"]
    params = {"kind": "call", "planned_for": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}
    with pytest.raises(BulkRefused) as refused:
        bulk_actions.apply(by=org.am_a, action="touch", versions=_versions(a1, a2), params=params)
    assert len(refused.value.refusals) == 2
    assert not Touch.objects.exists()


def test_handoffs_start_through_handoff_start_all_or_nothing(org, accounts):
    a1, a2 = accounts["a1"], accounts["a2"]
    params = {"to_user": org.am_a1.pk, "kind": "between_managers", "reason": "overload"}
    bulk_actions.apply(by=org.lead_a, action="handoff", versions={a1.pk: None}, params=params)
    assert Handoff.objects.filter(account=a1, to_user=org.am_a1).count() == 1
    # a1 has an open handoff now: a second start on a1 and a2 is refused for a1, and a2 is not started either.
    with pytest.raises(BulkRefused) as refused:
        bulk_actions.apply(
            by=org.lead_a, action="handoff", versions={a1.pk: None, a2.pk: None}, params=params
        )
    assert [r.account_id for r in refused.value.refusals] == [a1.pk]
    assert not Handoff.objects.filter(account=a2).exists()


def test_an_empty_or_too_large_selection_is_refused(org, accounts, settings):
    with pytest.raises(ValidationError):
        bulk_actions.apply(by=org.head, action="tier", versions={}, params={"tier": Tier.A})
    settings.ORBIT_BULK_ACTION_MAX = 2
    with pytest.raises(ValidationError, match="2"):
        bulk_actions.apply(
            by=org.head,
            action="tier",
            versions=dict.fromkeys(a.pk for a in accounts.values()),
            params={"tier": "A"},
        )
    assert set(Account.objects.values_list("tier", flat=True)) == {Tier.C}


def test_queries_per_account_are_the_one_by_one_services_only(org, django_assert_max_num_queries):
    """The overhead is constant (visibility, one locking read, the receipt); each account costs what its
    one-by-one change costs (its savepoint, lock, checks, save and history row)."""
    many = [make_account(org.head, org.am_a, tier=Tier.C) for _ in range(20)]
    org.am_a.refresh_from_db()
    with django_assert_max_num_queries(6 + 20 * 7):  # measured: 146
        bulk_actions.apply(by=org.am_a, action="tier", versions=_versions(*many), params={"tier": Tier.B})
    assert set(_tiers(*many)) == {Tier.B}
