"""The project services' rules: a project starts from a won opportunity of its account (one project per
opportunity), needs a project manager who is then seated on the account team, keeps its stages and planned work
within its dates, runs its stages in order (the last one finishes it), tells the account manager at each stage
in his language, and refuses stale versions and people who may not work the account."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from orbit.access.policy import can_work_account, visible_accounts
from orbit.accounts import team
from orbit.accounts.models import AccountTeamMember, TeamRole
from orbit.common.errors import ConflictError
from orbit.growth import projects as services
from orbit.growth.models import PlannedWork, Project, ProjectStage
from orbit.growth.opportunities import opportunity_create
from orbit.notifications.models import Notification
from orbit.org.models import Role, User
from tests.factories import make_account, make_user
from tests.growth.projects_world import plan, project_manager, start_project, won_opportunity

TODAY = timezone.localdate


@pytest.fixture
def account(org, stages):
    return make_account(org.head, org.am_a)


@pytest.fixture
def pm(db):
    return project_manager()


@pytest.fixture
def won(org, account):
    return won_opportunity(org.am_a, account)


def _fresh(user):
    return User.objects.get(pk=user.pk)  # no access context cached from before a seat changed


def _stage_notes(user):
    return list(
        Notification.objects.filter(recipient=user, kind="project_stage")
        .order_by("id")
        .values_list("title", flat=True)
    )


def test_a_won_opportunity_starts_a_project_and_seats_its_manager(org, account, pm, won):
    assert account not in visible_accounts(_fresh(pm))
    project = start_project(org.lead_a, account, pm, opportunity=won)
    assert (project.opportunity, project.account_manager, project.project_manager) == (won, org.am_a, pm)
    assert project.status == "planned" and project.version == 1
    stages = list(project.stages.order_by("position").values_list("position", "name", "starts_on", "ends_on"))
    start = TODAY()
    # plan(): 10-day stages back to back, the project ending on the last stage's last day (start + 29).
    assert stages == [
        (1, "Обследование", start, start + dt.timedelta(days=9)),
        (2, "Внедрение", start + dt.timedelta(days=10), start + dt.timedelta(days=19)),
        (3, "Обучение", start + dt.timedelta(days=20), start + dt.timedelta(days=29)),
    ]
    assert project.ends_on == start + dt.timedelta(days=29)
    seat = AccountTeamMember.objects.get(account=account, user=pm, ended_at__isnull=True)
    assert (seat.role, seat.added_by) == (TeamRole.PROJECT_MANAGER, org.lead_a)
    fresh = _fresh(pm)
    assert account in visible_accounts(fresh) and can_work_account(fresh, account)
    # The lead started it: both the account manager and the project manager are told.
    assert len(_stage_notes(org.am_a)) == 1 and len(_stage_notes(pm)) == 1


def test_a_project_manager_already_on_the_team_or_responsible_is_not_seated_twice(org, account, pm, stages):
    team.team_member_add(by=org.head, account=account, user=pm, role=TeamRole.PROJECT_MANAGER)
    start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account, "Первый"))
    start_project(org.am_a, account, org.am_a, opportunity=won_opportunity(org.am_a, account, "Второй"))
    assert AccountTeamMember.objects.filter(account=account, user=pm).count() == 1
    assert not AccountTeamMember.objects.filter(account=account, user=org.am_a).exists()
    assert Project.objects.count() == 2


def test_only_a_won_opportunity_of_the_same_account_and_only_once(org, account, pm, won):
    open_one = opportunity_create(
        by=org.am_a,
        account=account,
        kind="upsell",
        title="Открытая",
        amount=1,
        expected_close_on=TODAY() + dt.timedelta(days=5),
    )
    other_account = make_account(org.head, org.am_a)
    elsewhere = won_opportunity(org.am_a, other_account, "Чужая")
    for opportunity, message in [
        (open_one, "Only a won opportunity starts a project: win it first."),
        (elsewhere, "The opportunity belongs to another account."),
    ]:
        with pytest.raises(ValidationError) as caught:
            start_project(org.am_a, account, pm, opportunity=opportunity)
        assert caught.value.message_dict["opportunity"] == [message]
    start_project(org.am_a, account, pm, opportunity=won)
    with pytest.raises(ValidationError) as caught:
        start_project(org.am_a, account, pm, opportunity=won)
    assert caught.value.message_dict["opportunity"] == ["This opportunity has started a project already."]
    assert Project.objects.count() == 1


def test_every_bad_field_at_once_and_nothing_half_saved(org, account, won):
    start = TODAY()
    with pytest.raises(ValidationError) as caught:
        services.project_start(
            by=org.am_a,
            account=account,
            name="  ",
            project_manager=None,
            starts_on=start,
            ends_on=start - dt.timedelta(days=1),
            opportunity=won,
        )
    assert set(caught.value.message_dict) == {"name", "project_manager", "ends_on"}
    assert caught.value.message_dict["project_manager"] == [
        "A project needs a project manager: choose who runs it for the client."
    ]
    assert not Project.objects.exists() and not AccountTeamMember.objects.exists()


def test_a_project_without_a_project_manager_in_russian(org, account, won):
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        services.project_start(
            by=org.am_a,
            account=account,
            name="Проект",
            project_manager=None,
            starts_on=TODAY(),
            ends_on=TODAY(),
        )
    assert caught.value.message_dict["project_manager"] == [
        "У проекта должен быть руководитель проекта: выберите, кто ведёт его для клиента."
    ]


@pytest.mark.parametrize("who", ["inactive", "auditor"])
def test_the_project_manager_must_be_able_to_work(org, account, won, who):
    person = make_user("gone", Role.PROJECT_MANAGER, is_active=False) if who == "inactive" else org.auditor
    with pytest.raises(ValidationError) as caught:
        start_project(org.am_a, account, person, opportunity=won)
    assert "project_manager" in caught.value.message_dict
    assert not Project.objects.exists() and not AccountTeamMember.objects.exists()


def test_stages_lie_within_the_project(org, account, pm, won):
    start = TODAY()
    stages = plan(start)
    stages[2]["ends_on"] = start + dt.timedelta(days=40)  # the project ends on start + 29
    stages[1]["name"] = ""
    with pytest.raises(ValidationError) as caught:
        services.project_start(
            by=org.am_a,
            account=account,
            name="Внедрение",
            project_manager=pm,
            starts_on=start,
            ends_on=start + dt.timedelta(days=29),
            opportunity=won,
            stages=stages,
        )
    assert caught.value.message_dict["stages"] == [
        "Stage 2: Name the stage.",
        f"Stage 3: A stage lies within the project's dates ({start:%d.%m.%Y} – "
        f"{start + dt.timedelta(days=29):%d.%m.%Y}).",
    ]
    assert not Project.objects.exists()


def test_a_team_seat_holder_may_not_seat_someone_new(org, account, pm, won):
    hunter = make_user("hunter", Role.SALES_MANAGER)
    team.team_member_add(by=org.head, account=account, user=hunter, role=TeamRole.SALES_MANAGER)
    hunter = _fresh(hunter)
    with pytest.raises(ValidationError) as caught:
        start_project(hunter, account, pm, opportunity=won)
    assert caught.value.message_dict["project_manager"][0].startswith("Pm is not on the account team")
    assert not Project.objects.exists()
    team.team_member_add(by=org.head, account=account, user=pm, role=TeamRole.PROJECT_MANAGER)
    assert start_project(hunter, account, pm, opportunity=won).project_manager == pm


@pytest.mark.parametrize("who", ["auditor", "am_b", "outsider"])
def test_who_may_not_work_the_account_is_refused(org, account, pm, won, who):
    with pytest.raises(PermissionDenied):
        start_project(getattr(org, who), account, pm, opportunity=won)
    assert not Project.objects.exists()


def test_stages_run_in_order_and_the_last_finishes_the_project(org, account, pm, won):
    org.am_a.language = "ru"
    org.am_a.save(update_fields=["language"])
    project = start_project(org.lead_a, account, pm, opportunity=won)
    first, second, third = project.stages.order_by("position")
    with pytest.raises(ValidationError) as caught:
        services.project_stage_start(by=pm, stage=second)
    assert caught.value.messages == ["Stages go in order: finish «Обследование» first."]
    with pytest.raises(ValidationError):
        services.project_stage_finish(by=pm, stage=first)  # not started yet
    pm = _fresh(pm)  # works the account through his seat
    services.project_stage_start(by=pm, stage=first)
    project.refresh_from_db()
    assert project.status == "active"
    with pytest.raises(ValidationError):
        services.project_stage_start(by=pm, stage=first)  # already in progress
    with pytest.raises(ValidationError):
        services.project_stage_start(by=pm, stage=second)  # the first is still in progress
    services.project_stage_finish(by=pm, stage=first)
    services.project_stage_start(by=pm, stage=second)
    services.project_stage_finish(by=pm, stage=second)
    project.refresh_from_db()
    assert project.status == "active"
    services.project_stage_start(by=pm, stage=third)
    services.project_stage_finish(by=pm, stage=third)
    project.refresh_from_db()
    assert project.status == "done"
    assert list(project.stages.values_list("status", flat=True)) == ["done"] * 3
    # One start notice (the lead started the project) and six stage notices, all in Russian, the account
    # manager's language; the project manager did them himself and is told only of the start.
    notes = _stage_notes(org.am_a)
    assert len(notes) == 7
    name = account.display_name
    assert notes[1] == f"Этап «Обследование» проекта «Внедрение CRM» ({name}) начат"
    assert notes[-1] == f"Этап «Обучение» проекта «Внедрение CRM» ({name}) завершён: проект выполнен"
    assert len(_stage_notes(pm)) == 1
    with pytest.raises(ValidationError):  # a done project's plan is closed
        services.project_stage_add(by=pm, project=project, name="Ещё", starts_on=TODAY(), ends_on=TODAY())


def test_the_project_manager_is_told_when_someone_else_moves_a_stage(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won)
    first = project.stages.get(position=1)
    services.project_stage_start(by=org.am_a, stage=first)
    assert len(_stage_notes(pm)) == 2 and _stage_notes(org.am_a) == []  # the AM did both himself


def test_a_project_without_stages_is_not_finished_by_anything_but_cancelling(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won, stages=())
    with pytest.raises(ValidationError) as caught:
        services.project_cancel(by=org.am_a, project=project, reason=" ")
    assert "reason" in caught.value.message_dict
    services.project_stage_add(
        by=org.am_a, project=project, name="Запуск", starts_on=TODAY(), ends_on=TODAY()
    )
    project = services.project_cancel(by=org.am_a, project=project, reason="Клиент передумал")
    assert project.status == "cancelled"
    assert list(project.stages.values_list("status", flat=True)) == ["skipped"]


def test_stages_are_added_at_the_end_and_reordered_among_those_not_started(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won)
    start = project.starts_on
    with pytest.raises(ValidationError) as caught:
        services.project_stage_add(
            by=org.am_a,
            project=project,
            name="Поздно",
            starts_on=start,
            ends_on=project.ends_on + dt.timedelta(1),
        )
    assert "ends_on" in caught.value.message_dict
    fourth = services.project_stage_add(
        by=org.am_a, project=project, name="Приёмка", starts_on=start, ends_on=start
    )
    assert fourth.position == 4
    first = project.stages.get(position=1)
    services.project_stage_start(by=org.am_a, stage=first)
    project.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.project_stage_update(by=org.am_a, stage=fourth, version=project.version, position=1)
    assert caught.value.message_dict["position"] == [
        "A stage not started yet goes after the stages that have started: a place from 2 to 4."
    ]
    services.project_stage_update(by=org.am_a, stage=fourth, version=project.version, position=2)
    assert list(project.stages.order_by("position").values_list("name", flat=True)) == [
        "Обследование",
        "Приёмка",
        "Внедрение",
        "Обучение",
    ]


def test_a_stale_version_is_a_conflict_and_changes_nothing(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won)
    seen = project.version
    services.project_update(by=org.am_a, project=project, version=seen, name="Внедрение CRM, этап 1")
    with pytest.raises(ConflictError):
        services.project_update(by=org.lead_a, project=project, version=seen, name="Другое имя")
    with pytest.raises(ConflictError):
        services.project_stage_start(by=org.lead_a, stage=project.stages.get(position=1), version=seen)
    project.refresh_from_db()
    assert project.name == "Внедрение CRM, этап 1" and project.version == seen + 1
    assert not project.stages.exclude(status="planned").exists()


def test_changing_the_dates_keeps_every_stage_inside(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won)
    with pytest.raises(ValidationError) as caught:
        services.project_update(
            by=org.am_a,
            project=project,
            version=project.version,
            ends_on=project.ends_on - dt.timedelta(days=1),
        )
    assert caught.value.message_dict["ends_on"] == [
        "Stage «Обучение» would lie outside the project: move it first."
    ]


def test_a_new_project_manager_is_seated_and_both_are_told(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won)
    other = project_manager("pm2")
    services.project_update(by=org.am_a, project=project, version=project.version, project_manager=other)
    assert AccountTeamMember.objects.filter(account=account, user=other, role="pm", ended_at=None).exists()
    assert len(_stage_notes(other)) == 1 and len(_stage_notes(pm)) == 2  # the start, and the change


# --- planned work ---------------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_planned_work_lies_within_the_project_and_ends_after_it_starts(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won)
    day = project.starts_on + dt.timedelta(days=3)
    bad = [
        (
            {"starts_at": _at(day, 12), "ends_at": _at(day, 10)},
            "ends_at",
            "The work must end after it starts.",
        ),
        (
            {"starts_at": _at(day, 12), "ends_at": _at(day, 12)},
            "ends_at",
            "The work must end after it starts.",
        ),
        (
            {
                "starts_at": _at(project.ends_on, 10),
                "ends_at": _at(project.ends_on + dt.timedelta(days=1), 10),
            },
            "ends_at",
            f"Planned work lies within the project's dates ({project.starts_on:%d.%m.%Y} – "
            f"{project.ends_on:%d.%m.%Y}).",
        ),
        ({"starts_at": None, "ends_at": _at(day, 10)}, "starts_at", "Enter when the work starts."),
        ({"title": " ", "starts_at": _at(day, 10), "ends_at": _at(day, 12)}, "title", None),
        ({"assignee": org.am_b, "starts_at": _at(day, 10), "ends_at": _at(day, 12)}, "assignee", None),
    ]
    for fields, field, message in bad:
        with pytest.raises(ValidationError) as caught:
            services.planned_work_add(by=org.am_a, project=project, **({"title": "Визит"} | fields))
        assert field in caught.value.message_dict, fields
        if message:
            assert caught.value.message_dict[field] == [message]
    assert not PlannedWork.objects.exists()
    work = services.planned_work_add(
        by=org.am_a, project=project, title="Визит", starts_at=_at(day, 10), ends_at=_at(day, 12), assignee=pm
    )
    assert work.assignee == pm and work.done_at is None
    project.refresh_from_db()
    assert project.version == 2  # the plan changed: the project's version guards it


def test_planned_work_is_edited_done_and_removed(org, account, pm, won):
    project = start_project(org.am_a, account, pm, opportunity=won)
    past = _at(project.starts_on, 0)  # today 00:00, already begun
    work = services.planned_work_add(
        by=org.am_a, project=project, title="Звонок", starts_at=past, ends_at=past + dt.timedelta(minutes=30)
    )
    project.refresh_from_db()
    work = services.planned_work_update(
        by=org.am_a,
        work=work,
        version=project.version,
        location="Москва",
        stage=project.stages.get(position=1),
    )
    assert work.location == "Москва" and work.stage.position == 1
    with pytest.raises(ConflictError):
        services.planned_work_update(by=org.am_a, work=work, version=project.version, title="Старое")
    services.planned_work_mark_done(by=org.am_a, work=work)
    work.refresh_from_db()
    assert work.done_at is not None
    with pytest.raises(ValidationError):
        services.planned_work_remove(by=org.am_a, work=work)  # done work is history
    services.planned_work_mark_done(by=org.am_a, work=work, done=False)
    services.planned_work_remove(by=org.am_a, work=work)
    assert not PlannedWork.objects.exists()
    later = _at(project.ends_on, 10)
    future = services.planned_work_add(
        by=org.am_a, project=project, title="Обучение", starts_at=later, ends_at=later + dt.timedelta(hours=2)
    )
    with pytest.raises(ValidationError):
        services.planned_work_mark_done(by=org.am_a, work=future)
    with pytest.raises(PermissionDenied):
        services.planned_work_remove(by=org.auditor, work=future)
    assert ProjectStage.objects.filter(project=project).count() == 3
