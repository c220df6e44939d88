"""Who may do what with bonuses: the head (and administrators) set the rules and close months; everyone reads
the statements of the people he may see (orbit.growth.plan_fact.visible_people) and the rules he is judged by."""

from orbit.org.models import Role


def is_head(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN)
