"""The account card's tabs: which there are, which one a link asks for (`?tab=`), and the counts they show.

Only the Overview is read with the card; every other tab's panel is fetched when the tab is first opened, so
the card costs a fixed few queries. The counts come from facts the card has already read (no query of their own).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

OVERVIEW = "overview"
REQUESTS = "requests"
CONTACTS = "contacts"
MONEY = "money"
GROWTH = "growth"
ANALYTICS = "analytics"
OWNERSHIP = "ownership"
TIMELINE = "timeline"

LABELS = {
    OVERVIEW: _("Overview"),
    REQUESTS: _("Requests"),
    CONTACTS: _("Contacts"),
    MONEY: _("Money"),
    GROWTH: _("Growth"),
    ANALYTICS: _("Analytics"),
    OWNERSHIP: _("Team and ownership"),
    TIMELINE: _("Timeline"),
}


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    count: int | None = None


def chosen(asked: str | None) -> str:
    """The tab a link or a reload asks for; an unknown or missing one is the Overview."""
    return asked if asked in LABELS else OVERVIEW


def tabs(*, open_requests: int | None, contacts: int) -> list[Tab]:
    """The tabs in order; Requests counts the open ones (the header's fact), Contacts the current ones."""
    counts = {REQUESTS: open_requests or 0, CONTACTS: contacts}
    return [Tab(slug, str(label), counts.get(slug)) for slug, label in LABELS.items()]


def url(pk: int, tab: str) -> str:
    """The card opened on a tab: where a change made in that tab returns."""
    base = reverse("accounts:detail", args=[pk])
    return base if tab == OVERVIEW else f"{base}?tab={tab}"
