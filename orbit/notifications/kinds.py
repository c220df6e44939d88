"""What Orbit tells people about, and on which channels by default.

A person changes the defaults on his preferences page (NotificationPreference); a kind he never touched
follows DEFAULT_CHANNELS. Noisy, frequent kinds stay in-app only by default; what needs action today also
goes by e-mail.
"""

from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REQUEST_ASSIGNED = "request_assigned", _("A request or complaint assigned to me or on my account")
    REQUEST_COMMENT = "request_comment", _("A new comment on a request I follow")
    SLA_WARNING = "sla_warning", _("A request's SLA is close to breach")
    SLA_BREACHED = "sla_breached", _("A request's SLA is breached and escalated to me")
    TASK_ASSIGNED = "task_assigned", _("A task assigned to me")
    TASK_DUE = "task_due", _("A task of mine is due")
    TOUCH_OVERDUE = "touch_overdue", _("A planned touch is overdue")
    HANDOFF_STEP_DUE = "handoff_step_due", _("A handoff step is due")
    HANDOFF_STARTED = "handoff_started", _("An account is being handed to me, from me or to my team")
    HANDOFF_STEP_DONE = "handoff_step_done", _("A step of a handoff I take part in is done")
    HANDOFF_DECIDED = "handoff_decided", _("A handoff I take part in is accepted, rejected or cancelled")
    COVER_ARRANGED = "cover_arranged", _("A cover of me or by me is arranged or cancelled")
    COVER_STARTED = "cover_started", _("A cover for an absent manager has started")
    COVER_ENDED = "cover_ended", _("A cover of me or by me has ended")
    CONTRACT_NOTICE = "contract_notice", _("The last day to give notice on a contract I watch is near")
    OPPORTUNITY_ASSIGNED = "opportunity_assigned", _("An opportunity is given to me")
    PROJECT_STAGE = "project_stage", _("A stage of a project on my account has started or finished")
    ANALYTICS_CHANGES = "analytics_changes", _("The analytics run found changes in my accounts")
    EXPORT_READY = "export_ready", _("A large export I asked for is ready to download")


class Channels(NamedTuple):
    in_app: bool
    email: bool


DEFAULT_CHANNELS: dict[str, Channels] = {
    Kind.REQUEST_ASSIGNED: Channels(in_app=True, email=True),
    Kind.REQUEST_COMMENT: Channels(in_app=True, email=False),
    Kind.SLA_WARNING: Channels(in_app=True, email=True),
    Kind.SLA_BREACHED: Channels(in_app=True, email=True),
    Kind.TASK_ASSIGNED: Channels(in_app=True, email=True),
    Kind.TASK_DUE: Channels(in_app=True, email=False),
    Kind.TOUCH_OVERDUE: Channels(in_app=True, email=False),
    Kind.HANDOFF_STEP_DUE: Channels(in_app=True, email=True),
    Kind.HANDOFF_STARTED: Channels(in_app=True, email=True),
    Kind.HANDOFF_STEP_DONE: Channels(in_app=True, email=True),
    Kind.HANDOFF_DECIDED: Channels(in_app=True, email=True),
    Kind.COVER_ARRANGED: Channels(in_app=True, email=True),
    Kind.COVER_STARTED: Channels(in_app=True, email=True),
    Kind.COVER_ENDED: Channels(in_app=True, email=True),
    Kind.CONTRACT_NOTICE: Channels(in_app=True, email=True),
    Kind.OPPORTUNITY_ASSIGNED: Channels(in_app=True, email=False),
    Kind.PROJECT_STAGE: Channels(in_app=True, email=True),
    Kind.ANALYTICS_CHANGES: Channels(in_app=True, email=False),  # a nightly digest: in-app unless he asks
    Kind.EXPORT_READY: Channels(in_app=True, email=False),  # he is usually still on the progress page
}
