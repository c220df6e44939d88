"""Schemas of the projects API (growth): projects with their stages and planned work."""

import datetime as dt
from typing import Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import ConfigDict

from orbit.api.schemas import AccountRef, Day, Id, Int64, Moment, Text, UserRef
from orbit.growth.models import ProjectStageStatus, ProjectStatus

ProjectStatusValue = Literal[tuple(ProjectStatus.values)]  # type: ignore[valid-type]
StageStatusValue = Literal[tuple(ProjectStageStatus.values)]  # type: ignore[valid-type]


class OpportunityRef(Schema):
    id: int
    title: str


class ProjectStageOut(Schema):
    id: int
    position: int = Field(description="1 is the first stage; stages start in this order.")
    name: str
    starts_on: dt.date
    ends_on: dt.date
    status: StageStatusValue = Field(
        description="planned → active → done; skipped when the project is cancelled."
    )
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class PlannedWorkOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    assignee: UserRef | None
    location: str
    stage: int | None = Field(description="The id of the stage it belongs to, if any.")
    done_at: dt.datetime | None

    @staticmethod
    def resolve_stage(obj) -> int | None:
        return obj.stage_id


class ProjectOut(Schema):
    id: int
    account: AccountRef
    opportunity: OpportunityRef | None = Field(description="The won opportunity that started it, if any.")
    name: str
    status: ProjectStatusValue = Field(description="planned → active (a stage started) → done; or cancelled.")
    project_manager: UserRef
    account_manager: UserRef | None = Field(
        description="The account's responsible manager: told at each stage, moves with the account."
    )
    starts_on: dt.date
    ends_on: dt.date
    version: int = Field(description="Send it back with a change; a stale one is answered with 409.")


class ProjectDetail(ProjectOut):
    description: str
    stages: list[ProjectStageOut]
    works: list[PlannedWorkOut] = Field(description="Its planned work, earliest first.")

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())

    @staticmethod
    def resolve_works(obj) -> list:
        return list(obj.works.all())


class ProjectPage(Schema):
    count: int = Field(description="Projects matching that you may see, counted up to a cap.")
    count_exact: bool = Field(description="False when more projects match than `count`.")
    limit: int
    offset: int
    items: list[ProjectOut]


class ProjectQuery(Schema):
    account: Id | None = Field(None, description="Projects of this account.")
    status: list[ProjectStatusValue] = Field(default_factory=list)
    project_manager: Id | None = Field(None, description="Projects this person runs.")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0)


class StageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text
    starts_on: Day
    ends_on: Day


class ProjectStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(description="Up to 300 characters.")
    project_manager: Id | None = Field(
        description="User id of who runs it; required. He joins the account team as its project manager."
    )
    starts_on: Day
    ends_on: Day
    opportunity: Id | None = Field(
        None, description="A won opportunity of the account without a project yet."
    )
    stages: list[StageIn] = Field(
        default_factory=list, description="In order; each within the project's dates."
    )
    description: Text = ""


class VersionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Int64 | None = Field(None, description="The project's `version` you read; a stale one is 409.")


class PlannedWorkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(description="What is planned: a visit, an installation, a training…")
    starts_at: Moment
    ends_at: Moment = Field(description="After `starts_at`; both within the project's dates.")
    assignee: Id | None = Field(None, description="User id; someone who sees the account. Optional.")
    location: Text = ""
    stage: Id | None = Field(None, description="A stage of this project. Optional.")
    version: Int64 | None = Field(None, description="The project's `version` you read; a stale one is 409.")
