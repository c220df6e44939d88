"""The analytics area's tabs. Each part of the area (dashboard, reactivation, retention, runs) adds its own tab
from its urls module, so the tabs list exactly the pages that are mounted."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Tab:
    position: int
    code: str
    url_name: str
    label: object  # a lazy translation
    allowed: Callable


TABS: dict[str, Tab] = {}


def add_tab(position: int, code: str, url_name: str, label, allowed: Callable = lambda user: True) -> None:
    TABS[code] = Tab(position, code, url_name, label, allowed)


def tabs_for(user, current: str) -> list[dict]:
    return [
        {"url": reverse(tab.url_name), "label": tab.label, "current": tab.code == current}
        for tab in sorted(TABS.values(), key=lambda t: t.position)
        if tab.allowed(user)
    ]
