"""A project and an opportunity move with their account on a handoff (the real flow: start, brief, joining the
deal, the meeting, acceptance): the running project's account manager and the open opportunity's owner become
the receiver; the project manager keeps his seat and his project; a finished project keeps its history. When the
project manager leaves the account team, his running projects pass to the responsible manager, who is told."""

import datetime as dt

import pytest
from django.utils import timezone

from orbit.accounts.models import AccountTeamMember, TeamRole
from orbit.accounts.team import team_member_end
from orbit.growth import projects as services
from orbit.growth.models import Project
from orbit.growth.opportunities import opportunity_create
from orbit.handoffs import services as handoffs
from orbit.handoffs.models import HandoffKind, StepKind
from orbit.notifications.models import Notification
from orbit.org.models import User
from tests.factories import make_account
from tests.growth.projects_world import project_manager, start_project, won_opportunity


@pytest.fixture
def account(org, stages):
    return make_account(org.head, org.am_a)


def _hand_over(org, account, receiver):
    handoff = handoffs.handoff_start(
        by=org.lead_a,
        account=account,
        to_user=receiver,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason="overload",
        promised="Внедрение CRM по этапам",
        technical_scope="Три этапа, обучение",
        stakeholders="ЛПР — директор",
        risks="Сроки",
    )
    handoffs.step_complete(
        by=org.am_a, handoff=handoff, kind=StepKind.BRIEF
    )  # between managers: no deal to join
    handoffs.step_complete(
        by=org.am_a,
        handoff=handoff,
        kind=StepKind.MEETING,
        meeting_at=timezone.now() - dt.timedelta(hours=1),
        meeting_participants="Иванов, Петров",
        meeting_outcome="Клиент знает нового менеджера",
    )
    return handoffs.handoff_accept(by=receiver, handoff=handoff, comment="Принял")


def test_a_project_and_an_opportunity_move_with_their_account_on_a_handoff(org, account):
    pm = project_manager()
    running = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account))
    done = start_project(
        org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account, "Старый"), stages=["Всё"]
    )
    pm = User.objects.get(pk=pm.pk)
    stage = done.stages.get()
    services.project_stage_start(by=pm, stage=stage)
    services.project_stage_finish(by=pm, stage=stage)
    opportunity = opportunity_create(
        by=org.am_a,
        account=account,
        kind="upsell",
        title="Ещё лицензии",
        amount=100,
        expected_close_on=timezone.localdate() + dt.timedelta(days=10),
    )
    _hand_over(org, account, org.am_a1)
    account.refresh_from_db()
    assert account.responsible_manager == org.am_a1
    running.refresh_from_db()
    done.refresh_from_db()
    opportunity.refresh_from_db()
    assert (running.account_manager, running.project_manager) == (org.am_a1, pm)
    assert running.version == 2  # the move is a change of the project
    assert (done.status, done.account_manager) == ("done", org.am_a)  # history stays
    assert opportunity.owner == org.am_a1
    assert AccountTeamMember.objects.filter(
        account=account, user=pm, role=TeamRole.PROJECT_MANAGER, ended_at__isnull=True
    ).exists()  # the handoff keeps the team
    # The new account manager is now told at each stage.
    services.project_stage_start(by=pm, stage=running.stages.get(position=1))
    assert Notification.objects.filter(recipient=org.am_a1, kind="project_stage").count() == 1


def test_when_the_project_manager_leaves_the_team_the_account_manager_takes_his_projects(org, account):
    pm = project_manager()
    project = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account))
    seat = AccountTeamMember.objects.get(account=account, user=pm, role=TeamRole.PROJECT_MANAGER)
    team_member_end(by=org.am_a, member=seat)
    project.refresh_from_db()
    assert project.project_manager == org.am_a
    told = Notification.objects.filter(recipient=org.am_a, kind="project_stage").values_list(
        "title", flat=True
    )
    # In his language (Russian, the default).
    assert [t for t in told if "вышел из команды" in t] == [
        f"Pm вышел из команды {account.display_name}: проект «Внедрение CRM» за вами, пока вы не назначите "
        "нового руководителя проекта"
    ]
    assert Project.objects.filter(project_manager=pm).count() == 0


def test_a_project_manager_who_still_works_the_account_keeps_his_project(org, account):
    """He left one seat but holds another: nothing moves."""
    pm = project_manager()
    project = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account))
    from orbit.accounts.team import team_member_add

    team_member_add(by=org.am_a, account=account, user=pm, role=TeamRole.SUPPORT_ENGINEER)
    seat = AccountTeamMember.objects.get(account=account, user=pm, role=TeamRole.PROJECT_MANAGER)
    team_member_end(by=org.am_a, member=seat)
    project.refresh_from_db()
    assert project.project_manager == pm
