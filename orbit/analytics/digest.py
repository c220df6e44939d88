"""After a run: one notification per manager about his accounts' changes — how many of each kind, and a link to
the changes page narrowed to him — in his language. The engine calls `notify(run)` right after `apply(run)`."""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orbit.analytics.models import AnalyticsRun, ChangeKind, SegmentChange
from orbit.analytics.selectors_changes import KIND_LABELS
from orbit.org.models import User


def _title(total: int) -> str:
    return ngettext(
        "The analytics run found %(count)s change in your accounts",
        "The analytics run found %(count)s changes in your accounts",
        total,
    ) % {"count": total}


def _body(counts: dict[str, int]) -> str:
    return "\n".join(
        _("%(kind)s: %(count)s") % {"kind": KIND_LABELS[kind], "count": counts[kind]}
        for kind in ChangeKind.values
        if counts.get(kind)
    )


title_of = lazy(_title, str)  # rendered in each recipient's language by notify()
body_of = lazy(_body, str)


def per_manager(run: AnalyticsRun) -> dict[int, dict[str, int]]:
    """{manager id: {kind: count}} over the run's changes of live accounts. One query."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        SegmentChange.objects.filter(run=run, account__archived_at__isnull=True)
        .exclude(account__responsible_manager__isnull=True)
        .order_by()
        .values_list("account__responsible_manager_id", "kind")
        .annotate(n=Count("id"))
    )
    for manager_id, kind, n in rows:
        counts.setdefault(manager_id, {})[kind] = n
    return counts


def notify(run: AnalyticsRun) -> int:
    """One digest per manager with changes; returns how many were told."""
    from orbit.notifications.kinds import Kind
    from orbit.notifications.services import notify as tell

    counts = per_manager(run)
    told = 0
    for manager in User.objects.filter(pk__in=counts, is_active=True):
        mine = counts[manager.pk]
        url = f"{reverse('analytics:changes')}?{urlencode({'run': run.pk, 'manager': manager.pk})}"
        told += len(
            tell(
                recipients=[manager],
                kind=Kind.ANALYTICS_CHANGES,
                title=title_of(sum(mine.values())),
                body=body_of(mine),
                url=url,
            )
        )
    return told
