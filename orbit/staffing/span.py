"""Span of control per lead: how many people report to him directly, against the seeds' 5–7 rule.

A lead's direct reports are, over all the teams he leads, the active members of those teams and the leads of the
teams right below them (himself excepted) — the count `orbit/org` shows on the teams page
(`TeamNode.direct_report_ids`), united over his teams so a person is counted once. Above
`settings.ORBIT_SPAN_OF_CONTROL` (7) the lead is warned; below `settings.ORBIT_SPAN_OF_CONTROL_MIN` (5) he
"could take more". Both numbers are the seeds' 5–7.
"""

from dataclasses import dataclass, field

from django.conf import settings

from orbit.org.models import Team, User
from orbit.org.selectors import TeamNode, team_tree

OVER, UNDER, WITHIN = "over", "under", "within"


@dataclass
class LeadSpan:
    lead: User
    teams: list[Team] = field(default_factory=list)
    report_ids: set[int] = field(default_factory=set)

    @property
    def reports(self) -> int:
        return len(self.report_ids)

    @property
    def status(self) -> str:
        return span_status(self.reports)


def span_status(reports: int) -> str:
    if reports > settings.ORBIT_SPAN_OF_CONTROL:
        return OVER
    if reports < settings.ORBIT_SPAN_OF_CONTROL_MIN:
        return UNDER
    return WITHIN


def lead_spans(leads: set[int] | None = None) -> list[LeadSpan]:
    """Every lead's span (or those in `leads`), the widest first: three queries whatever the size."""
    spans: dict[int, LeadSpan] = {}

    def walk(node: TeamNode) -> None:
        lead = node.team.lead
        if lead is not None and lead.is_active and (leads is None or lead.pk in leads):
            span = spans.setdefault(lead.pk, LeadSpan(lead))
            span.teams.append(node.team)
            span.report_ids |= node.direct_report_ids - {lead.pk}
        for child in node.children:
            walk(child)

    for root in team_tree():
        walk(root)
    return sorted(spans.values(), key=lambda s: (-s.reports, str(s.lead)))
