from django import template

from orbit.common.tabs import AREAS

register = template.Library()


@register.inclusion_tag("_area_tabs.html", takes_context=True)
def area_tabs(context, name: str, current: str) -> dict:
    """{% area_tabs "analytics" "dashboard" %}: the area's tabs the user may see, the current one marked."""
    area = AREAS[name]
    return {"label": area.label, "tabs": area.for_user(context["request"].user, current)}
