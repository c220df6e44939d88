"""Tabs of an area of several pages (client analytics, managers): each part of the area adds its own tab from its
urls module, so the tabs list exactly the pages that are mounted, and each tab says who may see it."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class Tab:
    position: int
    code: str
    url_name: str
    label: object  # a lazy translation
    allowed: Callable


@dataclass
class Area:
    label: object  # a lazy translation: the tab bar's accessible name
    tabs: dict[str, Tab] = field(default_factory=dict)

    def add(
        self, position: int, code: str, url_name: str, label, allowed: Callable = lambda user: True
    ) -> None:
        self.tabs[code] = Tab(position, code, url_name, label, allowed)

    def for_user(self, user, current: str) -> list[dict]:
        return [
            {"url": reverse(tab.url_name), "label": tab.label, "current": tab.code == current}
            for tab in sorted(self.tabs.values(), key=lambda t: t.position)
            if tab.allowed(user)
        ]


AREAS: dict[str, Area] = {}


def area(name: str, label) -> Area:
    """The area called `name`, made on first use."""
    return AREAS.setdefault(name, Area(label))
