"""Icons of the main menu: one SVG path (24×24, drawn as a 1.8 px stroke) per navigation url name.

Kept apart from NAVIGATION so that an area adding a menu entry needs no icon; it gets DEFAULT_ICON.
Hand-drawn line icons (no icon font, no extra request): the label always stays next to the icon."""

DEFAULT_ICON = "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z"

NAV_ICONS = {
    "activities:agenda": "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M8 14h3",
    "activities:tasks": "M9 6h11M9 12h11M9 18h11M4 6l1 1 2-2M4 12l1 1 2-2M4 18l1 1 2-2",
    "activities:week": "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M8 14v3M12 14v3M16 14v3",
    "accounts:list": "M4 21V6l8-3 8 3v15M2 21h20M9 9h1M14 9h1M9 13h1M14 13h1M10 21v-4h4v4",
    "handoffs:list": "M4 8h15M15 4l4 4-4 4M20 16H5M9 12l-4 4 4 4",
    "requests:list": "M4 5h16v11H10l-6 4zM8 9h8M8 12h5",
    "revenue:receivables": "M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6M9 16h3",
    "growth:board": "M3 17l6-6 4 4 8-8M15 7h6v6",
    "analytics:dashboard": "M5 20v-9M12 20V5M19 20v-6M3 20h18",
    "kpi:page": "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M16 3.5a4 4 0 0 1 0 7.5M18 14a6 6 0 0 1 4 7",
    "org:teams": "M9 3h6v5H9zM12 8v4M5 12h14M5 12v4M12 12v4M19 12v4M3 16h4v5H3zM10 16h4v5h-4zM17 16h4v5h-4z",
    "access:visibility": "M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1M15 4v4M9 10v4M17 16v4",
    "admin:index": "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM9 12l2 2 4-4",
}


def icon_for(url_name: str) -> str:
    return NAV_ICONS.get(url_name, DEFAULT_ICON)
