from django import template

from orbit.analytics.tabs import tabs_for

register = template.Library()


@register.inclusion_tag("analytics/_tabs.html", takes_context=True)
def analytics_tabs(context, current: str) -> dict:
    """{% analytics_tabs "dashboard" %}: the area's tabs, the current one marked."""
    return {"tabs": tabs_for(context["request"].user, current)}
