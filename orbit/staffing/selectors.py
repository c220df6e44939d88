"""Reads of manager profiles, already scoped by `orbit/staffing/permissions.py`."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from orbit.org.models import User, UserRole
from orbit.staffing import permissions
from orbit.staffing.models import Competency, CompetencyAssessment, LeadAssessment, Training


@dataclass
class CompetencyLine:
    competency: Competency
    history: list[CompetencyAssessment] = field(default_factory=list)  # oldest first

    @property
    def latest(self) -> CompetencyAssessment | None:
        return self.history[-1] if self.history else None

    @property
    def previous(self) -> CompetencyAssessment | None:
        return self.history[-2] if len(self.history) > 1 else None

    @property
    def trend(self) -> str:
        """ "up", "down", "same" against the assessment before the latest; "" with fewer than two."""
        if self.previous is None or self.latest is None:
            return ""
        if self.latest.level > self.previous.level:
            return "up"
        return "down" if self.latest.level < self.previous.level else "same"


@dataclass
class Profile:
    person: User
    lines: list[CompetencyLine]
    notes: list[LeadAssessment]
    trainings: list[Training]
    may_write: bool


def person_get(user: User, person_id: int) -> User:
    """The person whose profile `user` may read; 404 for anyone else (his existence is not confirmed)."""
    if not permissions.may_read_profile(user, person_id):
        raise Http404
    person = User.objects.filter(pk=person_id).select_related("team").first()
    if person is None:
        raise Http404
    return person


def profile(user: User, person: User) -> Profile:
    """`person`'s profile as `user` reads it (the caller got `person` from `person_get`)."""
    assessments = (
        CompetencyAssessment.objects.filter(person=person)
        .select_related("assessed_by")
        .order_by("assessed_on", "created_at")
    )
    by_competency: dict[int, list[CompetencyAssessment]] = {}
    for row in assessments:
        by_competency.setdefault(row.competency_id, []).append(row)
    lines = [
        CompetencyLine(c, by_competency.get(c.pk, []))
        for c in Competency.objects.all()
        if c.is_active or c.pk in by_competency
    ]
    return Profile(
        person=person,
        lines=lines,
        notes=list(LeadAssessment.objects.filter(person=person).select_related("author")),
        trainings=list(Training.objects.filter(person=person)),
        may_write=permissions.may_write_profile(user, person.pk),
    )


def profile_list(user: User) -> list[User]:
    """The active people whose profile `user` may read, by name."""
    people = permissions.profile_people(user)
    rows = User.objects.filter(is_active=True).select_related("team")
    if people is not None:
        rows = rows.filter(pk__in=people)
    return list(rows.prefetch_related(Prefetch("roles", queryset=UserRole.objects.order_by("role"))))
