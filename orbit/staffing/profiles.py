"""Writes of the manager profile: one function per use case, transactional, permission checked before writing,
field errors as `ValidationError({field: message})`, a stale `version` as `ConflictError`."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.common.errors import ConflictError
from orbit.org.models import User
from orbit.staffing import permissions
from orbit.staffing.models import Competency, CompetencyAssessment, LeadAssessment, Training

TRAINING_FIELDS = ("course", "provider", "started_on", "finished_on", "certificate")
COMPETENCY_FIELDS = ("code", "name_ru", "name_en", "position", "is_active")


def _require_write(by: User, person: User) -> None:
    if person.pk == by.pk and permissions.may_read_profile(by, person.pk):
        raise PermissionDenied(_("Your own assessment is written by your lead: you read your profile only."))
    if not permissions.may_write_profile(by, person.pk):
        raise PermissionDenied(_("Only the head or the person's lead writes his profile."))


def _require_head(by: User) -> None:
    if not permissions.sees_all_profiles(by):
        raise PermissionDenied(_("Only the head edits the list of competencies."))


def _not_future(day: dt.date | None, field: str, errors: dict) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(field, _("The date is in the future: enter a day that has come."))


def _conflict(message: str, current, expected: int) -> ConflictError:
    return ConflictError(message % {"theirs": current.version, "yours": expected}, current=current)


@transaction.atomic
def assessment_add(
    *, by: User, person: User, competency: Competency, level: int, assessed_on: dt.date, note: str = ""
) -> CompetencyAssessment:
    """A new dated assessment of `person`'s level in `competency` (the earlier ones stay: they are the trend)."""
    _require_write(by, person)
    errors: dict[str, str] = {}
    scale = settings.ORBIT_COMPETENCY_SCALE
    if level is None or not 1 <= level <= scale:
        errors["level"] = _("The level is from 1 to %(scale)s.") % {"scale": scale}
    if not competency.is_active:
        errors["competency"] = _("This competency is no longer in use: choose another.")
    _not_future(assessed_on, "assessed_on", errors)
    if errors:
        raise ValidationError(errors)
    return CompetencyAssessment.objects.create(
        person=person,
        competency=competency,
        level=level,
        assessed_on=assessed_on,
        assessed_by=by,
        note=(note or "").strip(),
    )


@transaction.atomic
def lead_assessment_add(*, by: User, person: User, text: str, written_on: dt.date) -> LeadAssessment:
    _require_write(by, person)
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write the assessment.")
    _not_future(written_on, "written_on", errors)
    if errors:
        raise ValidationError(errors)
    return LeadAssessment.objects.create(person=person, text=text, written_on=written_on, author=by)


def _validate_training(training: Training) -> None:
    errors: dict[str, str] = {}
    training.course = (training.course or "").strip()
    if not training.course:
        errors["course"] = _("Name the course.")
    if training.started_on is None:
        errors["started_on"] = _("This field is required.")
    _not_future(training.finished_on, "finished_on", errors)
    if training.finished_on and training.started_on and training.finished_on < training.started_on:
        errors.setdefault("finished_on", _("A course cannot finish before it starts."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def training_add(
    *,
    by: User,
    person: User,
    course: str,
    started_on: dt.date,
    provider: str = "",
    finished_on: dt.date | None = None,
    certificate: str = "",
) -> Training:
    _require_write(by, person)
    training = Training(
        person=person,
        created_by=by,
        course=course or "",
        provider=provider or "",
        certificate=certificate or "",
        started_on=started_on,
        finished_on=finished_on,
    )
    _validate_training(training)
    training.save()
    return training


@transaction.atomic
def training_update(*, by: User, training: Training, version: int | None, **changes) -> Training:
    unknown = set(changes) - set(TRAINING_FIELDS)
    if unknown:
        raise TypeError(f"unknown training fields: {sorted(unknown)}")
    locked = Training.objects.select_for_update().select_related("person").get(pk=training.pk)
    _require_write(by, locked.person)
    if version is not None and locked.version != version:
        raise _conflict(
            _(
                "The training was changed by someone else while you were editing (version %(theirs)s, yours "
                "%(yours)s). Reload to see their change, then apply yours again."
            ),
            locked,
            version,
        )
    for name, value in changes.items():
        setattr(locked, name, value if value is not None or name == "finished_on" else "")
    _validate_training(locked)
    locked.version += 1
    locked.save()
    return locked


def _validate_competency(item: Competency) -> None:
    errors: dict[str, str] = {}
    item.code = (item.code or "").strip()
    item.name_ru = (item.name_ru or "").strip()
    item.name_en = (item.name_en or "").strip()
    for field in ("code", "name_ru", "name_en"):
        if not getattr(item, field):
            errors[field] = _("This field is required.")
    if item.code and Competency.objects.filter(code=item.code).exclude(pk=item.pk).exists():
        errors["code"] = _("A competency with this code exists already.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def competency_create(*, by: User, **fields) -> Competency:
    _require_head(by)
    item = Competency(**{k: v for k, v in fields.items() if k in COMPETENCY_FIELDS})
    _validate_competency(item)
    item.save()
    return item


@transaction.atomic
def competency_update(*, by: User, competency: Competency, version: int | None, **changes) -> Competency:
    unknown = set(changes) - set(COMPETENCY_FIELDS)
    if unknown:
        raise TypeError(f"unknown competency fields: {sorted(unknown)}")
    _require_head(by)
    locked = Competency.objects.select_for_update().get(pk=competency.pk)
    if version is not None and locked.version != version:
        raise _conflict(
            _(
                "The competency was changed by someone else while you were editing (version %(theirs)s, yours "
                "%(yours)s). Reload to see their change, then apply yours again."
            ),
            locked,
            version,
        )
    for name, value in changes.items():
        setattr(locked, name, value)
    _validate_competency(locked)
    locked.version += 1
    locked.save()
    return locked
