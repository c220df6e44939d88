"""The account's change timeline: who changed which field from what to what, and when.

Built from django-simple-history rows of the account and its contacts, plus ownership periods, in a fixed
number of queries whatever the length of the history (diffs are computed in memory, related names in batches).
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.db import models
from django.utils.translation import gettext as _

from orbit.accounts.models import Account, Contact, OwnershipPeriod
from orbit.org.models import User

KINDS = ["account", "contact", "ownership"]  # other areas add theirs with register_source()
# kind -> (label, events(account) -> list[Event]): touches, requests, handoffs plug their events in here.
_SOURCES: dict = {}
# Bookkeeping fields, and the responsible manager, whose changes the ownership events already tell with a reason.
_HIDDEN = {
    "id",
    "version",
    "created_at",
    "created_by",
    "status_changed_at",
    "account",
    "responsible_manager",
}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Event:
    when: datetime
    kind: str
    actor: User | None
    title: str
    changes: list[Change] = field(default_factory=list)


def _display(model: type[models.Model], name: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), f"№{value}")
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    return str(value)


def _related_names(records: list, model: type[models.Model]) -> dict:
    """One query per related model for every FK value the history mentions."""
    wanted: dict[type[models.Model], set] = {}
    for model_field in model._meta.get_fields():
        if isinstance(model_field, models.ForeignKey) and model_field.name not in _HIDDEN:
            ids = {getattr(r, model_field.attname) for r in records} - {None}
            if ids:
                wanted.setdefault(model_field.related_model, set()).update(ids)
    names = {}
    for related, ids in wanted.items():
        for obj in related.objects.filter(pk__in=ids):
            names[(related, obj.pk)] = str(obj)
    return names


# render(change_reason) -> a title, or "" when the reason is not its own: an automatic change (the analytics run
# moving a status) is told in the reader's language instead of "Account changed".
_REASONS: list = []


def register_reason(render) -> None:
    if render not in _REASONS:
        _REASONS.append(render)


def _reason_title(record) -> str:
    reason = getattr(record, "history_change_reason", None) or ""
    return next((title for render in _REASONS if reason and (title := render(reason))), "")


def _diff_events(records: list, model: type[models.Model], kind: str, title, *, creation=True) -> list[Event]:
    names = _related_names(records, model)
    events = []
    by_object: dict[int, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    for versions in by_object.values():
        first = versions[0]
        if creation and first.history_type == "+":
            events.append(Event(first.history_date, kind, first.history_user, title(first, created=True)))
        for old, new in pairwise(versions):
            delta = new.diff_against(old, excluded_fields=_HIDDEN)
            changes = [
                Change(
                    c.field,
                    str(model._meta.get_field(c.field).verbose_name),
                    _display(model, c.field, c.old, names),
                    _display(model, c.field, c.new, names),
                )
                for c in delta.changes
            ]
            if changes:
                heading = _reason_title(new) or title(new, created=False)
                events.append(Event(new.history_date, kind, new.history_user, heading, changes))
    return events


def account_timeline(account: Account, *, kind: str = "") -> list[Event]:
    """Newest first. The caller has already checked that the user may see the account."""
    events: list[Event] = []
    if kind in ("", "account"):
        records = list(
            Account.history.filter(id=account.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        events += _diff_events(
            records,
            Account,
            "account",
            lambda r, created: _("Account created") if created else _("Account changed"),
        )
    if kind in ("", "contact"):
        records = list(
            Contact.history.filter(account_id=account.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        events += _diff_events(
            records,
            Contact,
            "contact",
            lambda r, created: (
                (_("Contact added: %(name)s") if created else _("Contact changed: %(name)s"))
                % {"name": r.full_name}
            ),
        )
    if kind in ("", "ownership"):
        for period in OwnershipPeriod.objects.filter(account=account).select_related("manager", "changed_by"):
            title = _("Responsible manager: %(name)s") % {"name": period.manager}
            reason = period.get_reason_display() + (f": {period.comment}" if period.comment else "")
            events.append(
                Event(
                    period.started_at,
                    "ownership",
                    period.changed_by,
                    title,
                    [Change("reason", _("reason"), "", reason)],
                )
            )
    for source_kind, (_label, source) in _SOURCES.items():
        if kind in ("", source_kind):
            events += source(account)
    return sorted(events, key=lambda e: e.when, reverse=True)


def register_source(kind: str, label, events) -> None:
    """Add a kind of event to every account's timeline; `events(account)` must run a fixed number of queries."""
    _SOURCES[kind] = (label, events)
    if kind not in KINDS:
        KINDS.append(kind)


def kind_choices() -> list[tuple[str, str]]:
    return [
        ("account", _("Account fields")),
        ("contact", _("Contacts")),
        ("ownership", _("Responsibility")),
        *((kind, str(label)) for kind, (label, _events) in _SOURCES.items()),
    ]


__all__ = ["KINDS", "Event", "account_timeline", "kind_choices", "register_reason", "register_source"]


def changes_since(obj: Account | Contact, version: int) -> list[Event]:
    """What others changed after the writer loaded `version`: shown with a conflict, so nothing is lost."""
    model = type(obj)
    records = list(
        model.history.filter(id=obj.pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    # The first record is the writer's starting point, not news, even if it is the creation.
    return _diff_events(records, model, "account", lambda r, created: _("Changed"), creation=False)
