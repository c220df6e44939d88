"""Who reads and who writes a manager's profile.

- The head (and administrators, and superusers) read and write everyone's profile.
- A team lead reads and writes the profiles of the people he leads (members of his teams and their sub-teams,
  `policy.led_people`), never his own assessment.
- Everyone reads his own profile, read only.
- Nobody else: not a colleague, not the auditor (a profile is an assessment of a person, not account data).
Profiles of others answer 404 (their existence is not confirmed); one's own profile refuses writes with 403.
"""

from orbit.access import policy
from orbit.org.models import Role, User

PROFILE_ADMINS = frozenset({Role.HEAD, Role.ADMIN})


def sees_all_profiles(user: User) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(policy.access_context(user).roles & PROFILE_ADMINS)


def assessed_people(user: User) -> set[int] | None:
    """The people whose profile `user` writes: None = everyone but himself."""
    if not (user and user.is_authenticated and user.is_active):
        return set()
    if sees_all_profiles(user):
        return None
    return set(policy.led_people(user)) - {user.pk}


def profile_people(user: User) -> set[int] | None:
    """The people whose profile `user` reads: None = everyone."""
    people = assessed_people(user)
    if people is None:
        return None
    return people | ({user.pk} if user.is_authenticated and user.is_active else set())


def may_read_profile(user: User, person_id: int) -> bool:
    people = profile_people(user)
    return people is None or person_id in people


def may_write_profile(user: User, person_id: int) -> bool:
    if not may_read_profile(user, person_id) or person_id == user.pk:
        return False
    people = assessed_people(user)
    return people is None or person_id in people
