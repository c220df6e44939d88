"""Rules of the access policy that a mutation run (issue 18, `make mutation`) showed no test pinned down.

Each test is named after the rule; every check goes through the public functions of orbit.access.policy and
real data, so the tests hold whatever the policy's insides look like.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from orbit.access import policy
from orbit.access.models import VisibilityPolicy
from orbit.accounts import ownership, team
from orbit.accounts.models import AccountStatus, ChangeReason, TeamRole
from orbit.handoffs import covers
from orbit.handoffs import services as handoffs
from orbit.handoffs.models import Cover, Handoff, HandoffKind, HandoffStatus
from orbit.org.models import Role, Team, User, UserRole
from tests.factories import make_account, make_user

TODAY = timezone.localdate()


def fresh(user: User) -> User:
    """The user as a new request sees him (the policy caches what it read on the user object)."""
    return User.objects.get(pk=user.pk)


def visible(user) -> set[int]:
    if isinstance(user, User):
        user = fresh(user)
    return set(policy.visible_accounts(user).values_list("pk", flat=True))


def can_change(user: User, account) -> bool:
    return policy.can_change_account(fresh(user), account)


def can_work(user: User, account) -> bool:
    return policy.can_work_account(fresh(user), account)


# --- access ends when its reason ends ----------------------------------------------------------------


def _open_handoff(org, account, receiver):
    return handoffs.handoff_start(
        by=org.head,
        account=account,
        to_user=receiver,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.VACATION,
    )


@pytest.mark.parametrize("status", [HandoffStatus.DRAFT, HandoffStatus.IN_PROGRESS])
def test_handoff_receiver_sees_and_works_the_account_while_the_handoff_is_open(org, status):
    account = make_account(org.head, org.am_a)
    handoff = _open_handoff(org, account, org.am_b)
    Handoff.objects.filter(pk=handoff.pk).update(status=status)
    assert account.pk in visible(org.am_b)
    assert policy.can_view_account(fresh(org.am_b), account)
    assert can_work(org.am_b, account)  # he prepares the takeover: touches, requests, tasks
    assert not can_change(org.am_b, account)  # but the account is not his yet


@pytest.mark.parametrize(
    "status",
    [HandoffStatus.REJECTED, HandoffStatus.CANCELLED, HandoffStatus.COMPLETED, HandoffStatus.ACCEPTED],
)
def test_handoff_receiver_loses_the_account_when_the_handoff_closes_without_him(org, status):
    # Only the status changes (ownership stays with the giver), so only the handoff's status can decide.
    account = make_account(org.head, org.am_a)
    handoff = _open_handoff(org, account, org.am_b)
    Handoff.objects.filter(pk=handoff.pk).update(status=status)
    assert account.pk not in visible(org.am_b)
    assert not can_work(org.am_b, account)


def test_rejected_and_cancelled_handoffs_end_the_receivers_access(org):
    rejected = make_account(org.head, org.am_a)
    cancelled = make_account(org.head, org.am_a)
    first = _open_handoff(org, rejected, org.am_b)
    second = _open_handoff(org, cancelled, org.am_b)
    assert {rejected.pk, cancelled.pk} <= visible(org.am_b)
    handoffs.handoff_reject(by=fresh(org.am_b), handoff=first, comment="Нет времени")
    handoffs.handoff_cancel(by=fresh(org.head), handoff=second, comment="Передумали")
    assert visible(org.am_b).isdisjoint({rejected.pk, cancelled.pk})


def test_handoff_receiver_sees_only_the_handoffs_addressed_to_him(org):
    to_b = make_account(org.head, org.am_a)
    to_a1 = make_account(org.head, org.am_a)
    _open_handoff(org, to_b, org.am_b)
    _open_handoff(org, to_a1, org.am_a1)
    assert to_b.pk in visible(org.am_b) and to_a1.pk not in visible(org.am_b)
    assert to_a1.pk in visible(org.am_a1) and to_b.pk not in visible(org.am_a1)


def _cover(org, deputy, **kw):
    kw.setdefault("starts_on", TODAY)
    kw.setdefault("ends_on", TODAY + dt.timedelta(days=7))
    return covers.cover_create(by=org.head, deputy=deputy, reason="vacation", **kw)


@pytest.mark.parametrize("whole_portfolio", [True, False])
def test_cancelled_cover_grants_the_deputy_nothing(org, whole_portfolio):
    account = make_account(org.head, org.am_a)
    cover = _cover(org, org.am_b, owner=org.am_a, whole_portfolio=whole_portfolio, accounts=[account])
    assert account.pk in visible(org.am_b) and can_change(org.am_b, account)
    covers.cover_cancel(by=fresh(org.head), cover=cover)
    assert account.pk not in visible(org.am_b)
    assert not can_change(org.am_b, account)
    assert not can_work(org.am_b, account)


def test_cover_grants_from_its_first_day_through_its_last_and_not_a_day_more(org):
    account = make_account(org.head, org.am_a)
    cover = _cover(org, org.am_b, owner=org.am_a, starts_on=TODAY, ends_on=TODAY)  # a one-day cover
    assert account.pk in visible(org.am_b) and can_change(org.am_b, account)
    day = dt.timedelta(days=1)
    for starts_on, ends_on in [(TODAY + day, TODAY + 2 * day), (TODAY - 2 * day, TODAY - day)]:
        Cover.objects.filter(pk=cover.pk).update(starts_on=starts_on, ends_on=ends_on)
        assert account.pk not in visible(org.am_b), (starts_on, ends_on)
        assert not can_change(org.am_b, account)


def test_whole_portfolio_cover_grants_every_account_of_the_absent_manager(org):
    first = make_account(org.head, org.am_a)
    second = make_account(org.head, org.am_a)
    elsewhere = make_account(org.head, org.am_a1)
    _cover(org, org.am_b, owner=org.am_a)
    assert {first.pk, second.pk} <= visible(org.am_b)
    assert elsewhere.pk not in visible(org.am_b)
    assert can_change(org.am_b, second) and not can_change(org.am_b, elsewhere)


def test_partial_covers_are_isolated_from_each_other(org):
    """Two partial covers at once: each deputy gets his cover's accounts, not the other's, not the rest."""
    a_covered, a_kept = make_account(org.head, org.am_a), make_account(org.head, org.am_a)
    b_covered, b_kept = make_account(org.head, org.am_b), make_account(org.head, org.am_b)
    second_deputy = make_user("deputy2", Role.ACCOUNT_MANAGER)
    _cover(org, org.am_a1, owner=org.am_a, whole_portfolio=False, accounts=[a_covered])
    _cover(org, second_deputy, owner=org.am_b, whole_portfolio=False, accounts=[b_covered])
    assert visible(org.am_a1) & {a_covered.pk, a_kept.pk, b_covered.pk, b_kept.pk} == {a_covered.pk}
    assert visible(second_deputy) == {b_covered.pk}
    assert can_change(org.am_a1, a_covered)
    assert not can_change(org.am_a1, a_kept) and not can_change(org.am_a1, b_covered)
    assert can_change(second_deputy, b_covered) and not can_change(second_deputy, a_covered)


def test_a_deputy_of_a_partial_cover_who_also_sits_on_an_account_team_keeps_both(org):
    covered = make_account(org.head, org.am_a)
    seat = make_account(org.head, org.am_b)
    team.team_member_add(by=org.head, account=seat, user=org.am_a1, role=TeamRole.PROJECT_MANAGER)
    _cover(org, org.am_a1, owner=org.am_a, whole_portfolio=False, accounts=[covered])
    assert {covered.pk, seat.pk} <= visible(org.am_a1)


# --- unowned prospects --------------------------------------------------------------------------------


def test_unowned_prospect_is_seen_and_changed_by_its_creator_and_his_lead_only(org):
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    assert prospect.responsible_manager_id is None
    for user in (org.sales, org.lead_b):
        assert prospect.pk in visible(user), user
        assert can_change(user, prospect), user
    for user in (org.am_b, org.am_a, org.lead_a, org.outsider):  # a teammate, others, another lead
        assert prospect.pk not in visible(user), user
        assert not can_change(user, prospect), user


def test_teammates_see_an_unowned_prospect_only_when_the_policy_shows_the_team_and_never_change_it(org):
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"managers_see_team": True})
    assert prospect.pk in visible(org.am_b)
    assert not can_change(org.am_b, prospect)
    assert prospect.pk not in visible(org.am_a)


def test_a_prospect_stays_with_its_creator_after_someone_else_becomes_responsible(org):
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    ownership.transfer(account=prospect, manager=org.am_a, by=org.head, reason=ChangeReason.REASSIGNMENT)
    assert prospect.status == AccountStatus.PROSPECT
    assert prospect.pk in visible(org.sales) and can_change(org.sales, prospect)
    assert prospect.pk in visible(org.lead_b)  # a lead sees what his people see
    assert prospect.pk in visible(org.am_a) and can_change(org.am_a, prospect)


def test_creating_an_account_gives_no_access_once_it_is_a_client_of_someone_else(org):
    account = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    ownership.transfer(account=account, manager=org.am_a, by=org.head, reason=ChangeReason.HANDOFF)
    account.status = AccountStatus.ACTIVE
    account.save(update_fields=["status"])
    assert account.pk not in visible(org.sales)
    assert not can_change(org.sales, account)
    assert not can_change(org.lead_b, account)  # nor for the creator's lead


def test_prospect_created_by_someone_outside_a_leads_teams_is_not_his(org):
    prospect = make_account(org.lead_a, None, status=AccountStatus.PROSPECT)
    assert not can_change(org.lead_b, prospect)
    assert prospect.pk not in visible(org.lead_b)


# --- working an account -------------------------------------------------------------------------------


def test_account_team_member_works_the_account_but_does_not_change_it(org):
    account = make_account(org.head, org.am_a)
    team.team_member_add(by=org.head, account=account, user=org.am_b, role=TeamRole.SUPPORT_ENGINEER)
    assert account.pk in visible(org.am_b)
    assert can_work(org.am_b, account)
    assert not can_change(org.am_b, account)


def test_account_team_member_does_not_work_an_archived_account(org):
    account = make_account(org.head, org.am_a)
    team.team_member_add(by=org.head, account=account, user=org.am_b, role=TeamRole.SUPPORT_ENGINEER)
    account.archived_at = timezone.now()
    account.save(update_fields=["archived_at"])
    assert not can_work(org.am_b, account)


def test_a_viewer_who_may_only_see_does_not_work_the_account(org):
    account = make_account(org.head, org.am_b)
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"managers_see_team": True})
    assert account.pk in visible(org.sales)  # his teammate's account, seen through the team policy
    assert not can_change(org.sales, account)
    assert not can_work(org.sales, account)


def test_auditor_sees_everything_and_works_nothing_even_on_an_account_team(org):
    account = make_account(org.head, org.am_a)
    team.team_member_add(by=org.head, account=account, user=org.auditor, role=TeamRole.SUPPORT_ENGINEER)
    assert account.pk in visible(org.auditor)
    assert not can_change(org.auditor, account)
    assert not can_work(org.auditor, account)


def test_an_auditor_who_also_manages_accounts_changes_his_own(org):
    auditor_manager = make_user("auditor_am", Role.AUDITOR, Role.ACCOUNT_MANAGER)
    own = make_account(org.head, auditor_manager)
    other = make_account(org.head, org.am_a)
    assert can_change(auditor_manager, own) and can_work(auditor_manager, own)
    assert not can_change(auditor_manager, other)
    assert other.pk in visible(auditor_manager)  # the auditor role still shows him everything


def test_owner_lead_and_head_work_the_account_outsider_does_not(org):
    account = make_account(org.head, org.am_a1)
    for user in (org.am_a1, org.lead_a, org.head, org.admin):
        assert can_work(user, account), user
    for user in (org.am_a, org.am_b, org.lead_b, org.outsider):
        assert not can_work(user, account), user


# --- nobody, and people who left ----------------------------------------------------------------------


def test_anonymous_visitor_sees_and_changes_nothing(org):
    account = make_account(org.head, org.am_a)
    anonymous = AnonymousUser()
    assert not policy.visible_accounts(anonymous).exists()
    assert not policy.visible_accounts(anonymous, include_archived=True).exists()
    assert not policy.can_view_account(anonymous, account)
    assert not policy.can_change_account(anonymous, account)
    assert not policy.can_create_account(anonymous)
    assert not policy.may_reassign(anonymous, account)


def test_no_user_at_all_sees_and_changes_nothing(org):
    account = make_account(org.head, org.am_a)
    assert not policy.visible_accounts(None).exists()
    assert not policy.can_change_account(None, account)


@pytest.mark.parametrize("who", ["head", "am_a", "lead_a"])
def test_a_deactivated_user_sees_and_changes_nothing_even_his_own(org, who):
    account = make_account(org.head, org.am_a)
    user = getattr(org, who)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert visible(user) == set()
    assert not can_change(user, account)
    assert not can_work(user, account)
    assert not policy.can_create_account(fresh(user))
    assert not policy.may_reassign(fresh(user), account)


def test_deactivated_superuser_has_no_access(org):
    root = make_user("root", is_superuser=True)
    account = make_account(org.head, org.am_a)
    assert account.pk in visible(root) and can_change(root, account)
    root.is_active = False
    root.save(update_fields=["is_active"])
    assert visible(root) == set()
    assert not can_change(root, account)


# --- archived accounts ---------------------------------------------------------------------------------


def test_archived_accounts_are_left_out_unless_asked_for(org):
    live = make_account(org.head, org.am_a)
    archived = make_account(org.head, org.am_a)
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    am_a = fresh(org.am_a)
    assert set(policy.visible_accounts(am_a).values_list("pk", flat=True)) == {live.pk}
    assert set(policy.visible_accounts(am_a, include_archived=True).values_list("pk", flat=True)) == {
        live.pk,
        archived.pk,
    }
    assert policy.can_view_account(am_a, archived)  # the card of an archived account still opens
    head = fresh(org.head)
    assert archived.pk not in set(policy.visible_accounts(head).values_list("pk", flat=True))


# --- what the policy reads, and how often ----------------------------------------------------------------------


def test_what_the_rules_need_is_read_once_per_request_user(org, django_assert_num_queries):
    own = make_account(org.head, org.am_a)
    user = fresh(org.am_a)
    policy.access_context(user)  # one read: roles, policy, teams, seats, covers
    with django_assert_num_queries(0):
        policy.access_context(user)
        assert policy.can_change_account(user, own)
        assert user.has_role(Role.ACCOUNT_MANAGER)  # the roles it read serve the user's own checks too


def test_a_manager_who_became_an_auditor_changes_nothing_he_still_owns(org):
    account = make_account(org.head, org.am_a)
    UserRole.objects.filter(user=org.am_a).delete()
    UserRole.objects.create(user=org.am_a, role=Role.AUDITOR)
    assert account.pk in visible(org.am_a)
    assert not can_change(org.am_a, account)
    assert not can_work(org.am_a, account)


def test_a_cycle_in_the_team_tree_does_not_hang_a_leads_view(org):
    # Team A1 is below A; a bad edit puts A below A1 as well: the lead still sees both teams, once.
    Team.objects.filter(pk=org.team_a.pk).update(parent=org.team_a1)
    sub = make_account(org.head, org.am_a1)
    own = make_account(org.head, org.am_a)
    assert {sub.pk, own.pk} <= visible(org.lead_a)
    assert can_change(org.lead_a, sub)


def test_nobody_and_the_anonymous_may_create_reassign_or_set_the_policy(org):
    account = make_account(org.head, org.am_a)
    for nobody in (None, AnonymousUser()):
        assert not policy.can_create_account(nobody)
        assert not policy.may_reassign(nobody, account)
        assert not policy.may_reassign_anything(nobody)
        assert not policy.can_set_policy(nobody)


def test_a_deactivated_head_may_not_reassign_anything_or_set_the_policy(org):
    head = fresh(org.head)
    assert policy.may_reassign_anything(head) and policy.can_set_policy(head)
    org.head.is_active = False
    org.head.save(update_fields=["is_active"])
    assert not policy.may_reassign_anything(fresh(org.head))
    assert not policy.can_set_policy(fresh(org.head))


def test_only_a_global_account_manager_seat_opens_the_holdings_subsidiaries(org):
    top = make_account(org.head, org.am_a, legal_name="ООО «Холдинг»")
    subsidiary = make_account(org.head, org.am_a1, legal_name="ООО «Дочка»", parent=top)
    team.team_member_add(by=org.head, account=top, user=org.am_b, role=TeamRole.SUPPORT_ENGINEER)
    assert top.pk in visible(org.am_b)
    assert subsidiary.pk not in visible(org.am_b)  # an engineer on the holding's team sees the holding only
    team.team_member_add(by=org.head, account=top, user=org.sales, role=TeamRole.GLOBAL_ACCOUNT_MANAGER)
    assert {top.pk, subsidiary.pk} <= visible(org.sales)


def test_an_account_team_member_without_any_role_works_the_account(org):
    account = make_account(org.head, org.am_a)
    engineer = make_user("engineer")  # a support engineer: no CRM role, only his seat on the account team
    team.team_member_add(by=org.head, account=account, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    assert can_work(engineer, account)
    assert not can_change(engineer, account)


# --- found by the mutation run of 4 December (the rest of policy.py) ------------------------------------


def test_seeing_some_accounts_opens_no_other_account(org):
    own = make_account(org.head, org.am_a)
    foreign = make_account(org.head, org.am_b)
    assert policy.can_view_account(fresh(org.am_a), own)
    assert not policy.can_view_account(fresh(org.am_a), foreign)


def test_an_auditor_who_also_manages_accounts_works_an_account_where_he_has_a_seat(org):
    auditor_manager = make_user("auditor_am", Role.AUDITOR, Role.ACCOUNT_MANAGER)
    account = make_account(org.head, org.am_a)
    team.team_member_add(by=org.head, account=account, user=auditor_manager, role=TeamRole.PROJECT_MANAGER)
    assert can_work(auditor_manager, account)  # his manager role makes him a writer; the seat lets him work
    assert not can_change(auditor_manager, account)


def test_a_notification_about_an_archived_account_stays_readable_by_its_recipient(org):
    from orbit.notifications.models import Notification

    account = make_account(org.head, org.am_a)
    note = Notification.objects.create(recipient=org.am_a, kind="task_due", title="t", account=account)
    account.archived_at = timezone.now()
    account.save(update_fields=["archived_at"])
    assert note in Notification.objects.visible_to(fresh(org.am_a))


def test_a_superuser_without_roles_may_do_everything_the_head_may(org):
    # The installation's first user (manage.py createsuperuser) holds no Orbit role yet and must be able to
    # set everything up: create accounts, move them, set the visibility policy.
    root = make_user("root", is_superuser=True)
    account = make_account(org.head, org.am_a)
    assert policy.can_create_account(fresh(root))
    assert policy.may_reassign(fresh(root), account)
    assert policy.may_reassign_anything(fresh(root))
    assert policy.can_reassign(fresh(root), account, org.am_b)
    assert policy.can_set_policy(fresh(root))


def test_only_people_with_a_writing_role_create_accounts(org):
    engineer = make_user("engineer")  # no CRM role
    assert not policy.can_create_account(fresh(engineer))
    assert not policy.can_create_account(fresh(org.auditor))
    assert policy.can_create_account(fresh(org.am_a))


def test_a_lead_reassigns_his_peoples_accounts_and_unowned_prospects_only(org):
    his = make_account(org.head, org.am_a1)  # am_a1 is in lead_a's team tree
    foreign = make_account(org.head, org.am_b)
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    lead = fresh(org.lead_a)
    assert policy.may_reassign(lead, his)
    assert policy.may_reassign(lead, prospect)  # nobody is responsible yet: a lead may give it to someone
    assert not policy.may_reassign(lead, foreign)


def test_a_manager_who_leads_no_team_reassigns_nothing_not_even_his_own_or_an_unowned_prospect(org):
    own = make_account(org.head, org.am_a)
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    assert not policy.may_reassign(fresh(org.am_a), own)
    assert not policy.may_reassign(fresh(org.am_a), prospect)


def test_a_lead_may_not_pull_another_teams_account_to_his_own_people(org):
    foreign = make_account(org.head, org.am_b)
    assert not policy.can_reassign(fresh(org.lead_a), foreign, org.am_a1)
    his = make_account(org.head, org.am_a1)
    assert policy.can_reassign(fresh(org.lead_a), his, org.am_a)  # inside his own tree he may
    assert not policy.can_reassign(fresh(org.lead_a), his, org.am_b)  # but not out of it


def test_leading_a_team_not_the_role_label_lets_a_lead_change_his_peoples_accounts(org):
    # Who leads is the team's `lead` (what the head sets in the structure), as for what a lead sees; a lead
    # without the "team lead" role label still answers for his people's accounts.
    lead = make_user("plain_lead")
    crew = Team.objects.create(name="Crew", lead=lead)
    member = make_user("crew_am", Role.ACCOUNT_MANAGER, team=crew)
    account = make_account(org.head, member)
    assert account.pk in visible(lead)
    assert can_change(lead, account)
