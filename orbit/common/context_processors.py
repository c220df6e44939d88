from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Areas plug into the shell by adding an entry here: (url name, label, section matched against the path).
NAVIGATION = [
    ("accounts:list", _("Accounts"), "/accounts/"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    path = request.path
    items = [
        {"url": reverse(name), "label": label, "active": path.startswith(prefix)}
        for name, label, prefix in NAVIGATION
    ]
    return {"nav_items": items}
