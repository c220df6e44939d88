"""Who hears about a handoff or a cover, and when: the services call these inside their transaction.

A handoff                         | tells (never the person who did it)
----------------------------------|-----------------------------------------------------------------------
started                           | the receiver, the giver (when a lead started it), the receiver's lead
a step done (brief, deal, meeting)| the giver and the receiver: the other side learns what is left to do
accepted                          | the giver, who started it, the leads of the giver and of the receiver
rejected                          | the giver, who started it, the leads of both: someone must find another way
cancelled                         | the receiver, the giver, who started it, the receiver's lead

The handoff's own people are told even when they no longer see the account (without the account link); a
lead only while the visibility policy lets him see the account (a lead does not learn of an account his team
does not hold yet, nor keep hearing of one it gave away).

A cover                           | tells
----------------------------------|-----------------------------------------------------------------------
arranged / cancelled              | the deputy and the manager away (when someone else arranged it)
begins (its first day)            | the deputy and the manager away: on creation when it starts today, else
                                  | the morning run (`send_reminders`) of its first day
ended (the day after its last)    | the deputy, and the manager back, with a link to what the deputy did

Everything goes through `notify`: each person in his own language, on the channels he chose, the same event
not repeated (a second morning run the same day tells nobody twice).
"""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from orbit.access import policy
from orbit.handoffs.models import Cover, Handoff, HandoffStep, StepKind
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.services import notify
from orbit.org.models import User

# A date shown in the reader's own format (31.12.2026 / 12/31/2026): formatted when the text is rendered.
short_date = lazy(lambda value: date_format(value, "SHORT_DATE_FORMAT"), str)

# However often the morning run tells about a cover, it is one event for its whole length (and a little more).
_COVER_EVENT_SLACK = dt.timedelta(days=2)
# How many days after its end a missed morning run still tells that a cover has ended.
COVER_ENDED_CATCH_UP_DAYS = 7


def lead_of(user: User | None) -> User | None:
    """The person's team lead: the lead of his team, or of the nearest team above that has one."""
    team = user.team if user is not None else None
    seen = set()
    while team is not None and team.pk not in seen:
        seen.add(team.pk)
        if team.lead_id is not None and team.lead_id != user.pk:
            return team.lead
        team = team.parent
    return None


def _people(*people: User | None, without: User | None) -> list[User]:
    """Each person once, leaving out nobody-s and the one who acted."""
    found: dict[int, User] = {}
    for person in people:
        if person is not None and (without is None or person.pk != without.pk):
            found.setdefault(person.pk, person)
    return list(found.values())


def _handoff_url(handoff: Handoff, anchor: str = "") -> str:
    return reverse("handoffs:detail", args=[handoff.pk]) + (f"#{anchor}" if anchor else "")


def _send(recipients: Iterable[User], **kwargs) -> list[Notification]:
    recipients = list(recipients)
    return notify(recipients=recipients, **kwargs) if recipients else []


def _tell_handoff(handoff: Handoff, *, by: User, people, leads=(), anchor: str = "", **kwargs):
    """The handoff's own people (giver, receiver, who started it) are told even when they no longer see the
    account (a giver after acceptance, a receiver after cancellation): without the account link, pointing to
    their handoffs list. A lead is told only while the visibility policy lets him see the account."""
    people = _people(*people, without=by)
    seeing = [p for p in people if policy.can_view_account(p, handoff.account)]
    outside = [p for p in people if p not in seeing]
    told = _send(seeing, url=_handoff_url(handoff, anchor), account=handoff.account, **kwargs)
    told += _send(outside, url=reverse("handoffs:list") + f"?view=mine#handoff-{handoff.pk}", **kwargs)
    leads = [lead for lead in _people(*leads, without=by) if lead.pk not in {p.pk for p in people}]
    told += _send(leads, url=_handoff_url(handoff, anchor), account=handoff.account, **kwargs)
    return told


# --- handoffs ---------------------------------------------------------------------------------------------


def handoff_started(handoff: Handoff, *, by: User) -> list[Notification]:
    account = handoff.account
    told = _tell_handoff(
        handoff,
        by=by,
        people=[handoff.to_user],
        leads=[lead_of(handoff.to_user)],
        kind=Kind.HANDOFF_STARTED,
        title=format_lazy(
            _("{giver} hands {account} over to {receiver}"),
            giver=handoff.from_user,
            account=account.display_name,
            receiver=handoff.to_user,
        ),
        body=format_lazy(
            _(
                "Steps: brief, joint meeting with the client, then the receiver accepts or rejects. Reason: {reason}."
            ),
            reason=handoff.get_reason_display(),
        ),
    )
    if handoff.from_user_id != by.pk:  # a lead or the head started it for the giver
        told += _tell_handoff(
            handoff,
            by=by,
            people=[handoff.from_user],
            anchor="step-brief",
            kind=Kind.HANDOFF_STARTED,
            title=format_lazy(
                _("{by} started the handoff of your account {account} to {receiver}: write the brief"),
                by=by,
                account=account.display_name,
                receiver=handoff.to_user,
            ),
        )
    return told


def handoff_step_done(handoff: Handoff, step: HandoffStep, *, by: User) -> list[Notification]:
    return _tell_handoff(
        handoff,
        by=by,
        people=[handoff.from_user, handoff.to_user],
        anchor=f"step-{step.kind}",
        kind=Kind.HANDOFF_STEP_DONE,
        title=format_lazy(
            _("Handoff of {account}: {who} has done “{step}”"),
            account=handoff.account.display_name,
            who=by,
            step=StepKind(step.kind).label,
        ),
        body=step.note,
    )


def _decided(handoff: Handoff, *, by: User, people, leads, title) -> list[Notification]:
    return _tell_handoff(
        handoff,
        by=by,
        people=people,
        leads=leads,
        kind=Kind.HANDOFF_DECIDED,
        title=title,
        body=handoff.decision_comment,
    )


def _answered(handoff: Handoff, *, by: User, title) -> list[Notification]:
    """The receiver's answer (accepted or rejected) goes to the giver, the initiator and both leads."""
    return _decided(
        handoff,
        by=by,
        people=[handoff.from_user, handoff.created_by],
        leads=[lead_of(handoff.from_user), lead_of(handoff.to_user)],
        title=format_lazy(title, receiver=handoff.to_user, account=handoff.account.display_name),
    )


def handoff_accepted(handoff: Handoff, *, by: User) -> list[Notification]:
    return _answered(handoff, by=by, title=_("{receiver} accepted {account}"))


def handoff_rejected(handoff: Handoff, *, by: User) -> list[Notification]:
    return _answered(handoff, by=by, title=_("{receiver} rejected {account}"))


def handoff_cancelled(handoff: Handoff, *, by: User) -> list[Notification]:
    return _decided(
        handoff,
        by=by,
        people=[handoff.to_user, handoff.from_user, handoff.created_by],
        leads=[lead_of(handoff.to_user)],
        title=format_lazy(
            _("The handoff of {account} to {receiver} was cancelled"),
            account=handoff.account.display_name,
            receiver=handoff.to_user,
        ),
    )


# --- covers -----------------------------------------------------------------------------------------------


def _cover_window(cover: Cover) -> dt.timedelta:
    return dt.timedelta(days=(cover.ends_on - cover.starts_on).days + 1) + _COVER_EVENT_SLACK


def cover_arranged(cover: Cover, *, by: User) -> list[Notification]:
    told = _send(
        _people(cover.deputy, without=by),
        kind=Kind.COVER_ARRANGED,
        title=format_lazy(
            _("You will cover {owner} from {start} to {end}"),
            owner=cover.owner,
            start=short_date(cover.starts_on),
            end=short_date(cover.ends_on),
        ),
        body=cover.note,
        url=reverse("handoffs:covers"),
        dedup_window=dt.timedelta(0),
    )
    told += _send(
        _people(cover.owner, without=by),
        kind=Kind.COVER_ARRANGED,
        title=format_lazy(
            _("{deputy} will cover you from {start} to {end}"),
            deputy=cover.deputy,
            start=short_date(cover.starts_on),
            end=short_date(cover.ends_on),
        ),
        body=cover.note,
        url=reverse("handoffs:covers"),
        dedup_window=dt.timedelta(0),
    )
    return told


def cover_cancelled(cover: Cover, *, by: User) -> list[Notification]:
    return _send(
        _people(cover.deputy, cover.owner, without=by),
        kind=Kind.COVER_ARRANGED,
        title=format_lazy(
            _("The cover of {owner} by {deputy} from {start} to {end} was cancelled"),
            owner=cover.owner,
            deputy=cover.deputy,
            start=short_date(cover.starts_on),
            end=short_date(cover.ends_on),
        ),
        url=reverse("handoffs:covers"),
        dedup_window=dt.timedelta(0),
    )


def cover_started(cover: Cover) -> list[Notification]:
    """The first day of a cover (or a later one, if it was missed): the deputy and the manager away, once."""
    told = _send(
        _people(cover.deputy, without=None),
        kind=Kind.COVER_STARTED,
        title=format_lazy(
            _("You cover {owner} from {start} to {end}"),
            owner=cover.owner,
            start=short_date(cover.starts_on),
            end=short_date(cover.ends_on),
        ),
        body=cover.note,
        url=reverse("handoffs:covers"),
        dedup_window=_cover_window(cover),
    )
    told += _send(
        _people(cover.owner, without=None),
        kind=Kind.COVER_STARTED,
        title=format_lazy(
            _("{deputy} covers you from {start} to {end}"),
            deputy=cover.deputy,
            start=short_date(cover.starts_on),
            end=short_date(cover.ends_on),
        ),
        body=cover.note,
        url=reverse("handoffs:covers"),
        dedup_window=_cover_window(cover),
    )
    return told


def cover_ended(cover: Cover) -> list[Notification]:
    """The day after its last day: the deputy's access has ended, the manager back sees what was done."""
    window = _cover_window(cover) + dt.timedelta(days=COVER_ENDED_CATCH_UP_DAYS)
    told = _send(
        _people(cover.deputy, without=None),
        kind=Kind.COVER_ENDED,
        title=format_lazy(
            _("Your cover of {owner} ended on {end}: his accounts are his again"),
            owner=cover.owner,
            end=short_date(cover.ends_on),
        ),
        url=reverse("handoffs:covers"),
        dedup_window=window,
    )
    told += _send(
        _people(cover.owner, without=None),
        kind=Kind.COVER_ENDED,
        title=format_lazy(
            _("Welcome back: {deputy} covered you from {start} to {end}, see what was done"),
            deputy=cover.deputy,
            start=short_date(cover.starts_on),
            end=short_date(cover.ends_on),
        ),
        url=reverse("handoffs:cover_summary", args=[cover.pk]),
        dedup_window=window,
    )
    return told


def covers_starting(today: dt.date):
    return Cover.objects.filter(
        cancelled_at__isnull=True, starts_on__lte=today, ends_on__gte=today
    ).select_related("owner", "deputy")


def covers_ended(today: dt.date):
    return Cover.objects.filter(
        cancelled_at__isnull=True,
        ends_on__lt=today,
        ends_on__gte=today - dt.timedelta(days=COVER_ENDED_CATCH_UP_DAYS),
    ).select_related("owner", "deputy")
