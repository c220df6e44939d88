"""The analytics area's tabs (orbit/common/tabs.py): each part of the area adds its own from its urls module."""

from django.utils.translation import gettext_lazy as _

from orbit.common.tabs import area

TABS = area("analytics", _("Client analytics"))
add_tab = TABS.add
