from django import template

from orbit.workload.models import NormOverride

register = template.Library()


@register.simple_tag
def norm_field(norm, name: str, values: dict | None, errors: dict, edited_tier: str | None) -> dict:
    """One figure of a tier's form: its label, the value entered (or the head's figure in force), its errors."""
    override = getattr(norm.override, name, None) if norm.override else None
    if values and edited_tier == norm.tier:
        value = values.get(name, "")
    else:
        value = "" if override is None else override
    return {
        "id": f"n-{norm.tier}-{name}",
        "label": NormOverride._meta.get_field(name).verbose_name,
        "value": value,
        "placeholder": getattr(norm, name).history if getattr(norm, name).history is not None else "",
        "errors": errors.get(name, []) if edited_tier == norm.tier else [],
    }


@register.filter
def load_after(proposal, row):
    return proposal.load_after(row)


@register.filter
def receivers_for(proposal, move):
    return proposal.receivers_for(move)


@register.filter
def demand_after(proposal, row):
    return proposal.demand_after(row)


@register.filter
def receiver_of(chosen, move):
    """The receiver the lead picked for the move when his form comes back with errors, else the proposal's."""
    if chosen and move.group in chosen:
        return chosen[move.group]
    return move.receiver.pk
