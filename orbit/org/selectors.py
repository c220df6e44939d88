"""Reads of the department's structure."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch

from orbit.org.models import Team, User, UserRole


@dataclass
class TeamNode:
    team: Team
    members: list[User]
    children: list["TeamNode"] = field(default_factory=list)

    @property
    def direct_report_ids(self) -> set[int]:
        """The lead's direct reports: his team's members and the leads of the teams right below it."""
        lead_id = self.team.lead_id
        people = {m.pk for m in self.members if m.pk != lead_id}
        people |= {
            child.team.lead_id
            for child in self.children
            if child.team.lead_id and child.team.lead_id != lead_id
        }
        return people

    @property
    def direct_reports(self) -> int:
        return len(self.direct_report_ids)

    @property
    def over_span(self) -> bool:
        return self.direct_reports > settings.ORBIT_SPAN_OF_CONTROL


def team_tree() -> list[TeamNode]:
    """All teams as a forest, with active members and their roles: three queries whatever the size."""
    members: dict[int | None, list[User]] = {}
    users = (
        User.objects.filter(is_active=True, team__isnull=False)
        .prefetch_related(Prefetch("roles", queryset=UserRole.objects.order_by("role")))
        .order_by("display_name")
    )
    for user in users:
        members.setdefault(user.team_id, []).append(user)
    nodes: dict[int | None, TeamNode] = {
        t.pk: TeamNode(t, members.get(t.pk, [])) for t in Team.objects.select_related("lead").order_by("name")
    }
    roots: list[TeamNode] = []
    for node in nodes.values():
        parent = nodes.get(node.team.parent_id)
        (parent.children if parent else roots).append(node)
    return roots
