from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orbit.access.policy import can_set_policy
from orbit.common.nav_icons import icon_for

# Areas plug into the shell by adding an entry: (url name, label, path prefix, who sees the item).
NAVIGATION = [
    ("activities:agenda", _("My day"), "/agenda/", lambda user: True),
    ("activities:tasks", _("Tasks"), "/agenda/tasks/", lambda user: True),
    ("activities:week", _("Calendar"), "/agenda/week/", lambda user: True),
    ("accounts:list", _("Accounts"), "/accounts/", lambda user: True),
    ("handoffs:list", _("Handoffs"), "/handoffs/", lambda user: True),
    ("requests:list", _("Requests"), "/requests/", lambda user: True),
    ("revenue:receivables", _("Billing"), "/revenue/", lambda user: True),
    ("growth:board", _("Growth"), "/growth/", lambda user: True),
    ("analytics:dashboard", _("Analytics"), "/analytics/", lambda user: True),
    ("kpi:page", _("Managers"), "/managers/", lambda user: True),
    ("org:teams", _("Teams"), "/teams/", lambda user: True),
    ("access:visibility", _("Settings"), "/settings/", can_set_policy),
    # Django's admin, for staff accounts only (its own login checks the same flag).
    ("admin:index", _("Administration"), "/admin/", lambda user: user.is_staff),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    # The longest matching prefix is the current item (/agenda/tasks/ is "Tasks", not also "My day").
    current = max(
        (prefix for *_rest, prefix, _allowed in NAVIGATION if path.startswith(prefix)), key=len, default=""
    )
    items = [
        {"url": reverse(name), "label": label, "active": prefix == current, "icon": icon_for(name)}
        for name, label, prefix, allowed in NAVIGATION
        if allowed(user)
    ]
    return {"nav_items": items}
