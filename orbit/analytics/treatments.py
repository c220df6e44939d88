"""The recommended treatment of each ABC×XYZ cell: who looks after such an account, how often, what to offer.

These are Orbit's defaults — the common practice of key-account management, not the seeds' (which give the
Pareto rule only): the value of an account (ABC) decides who owns it and how much time it gets, the steadiness
of its demand (XYZ) decides how far its needs can be planned and what to offer. Too new for XYZ: onboarding
until six months of history tell how steady it is; D (nothing in the window): win it back or serve it cheaper.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Treatment:
    owner: object  # lazy strings
    cadence: object
    offer: object


TREATMENTS = {
    "AX": Treatment(
        _("Key account manager"),
        _("Monthly strategic meeting"),
        _("Protect and grow: a long-term agreement, cross-sell, joint plans"),
    ),
    "AY": Treatment(
        _("Key account manager"),
        _("Monthly review"),
        _("Grow the share of wallet; agree a purchase plan to even out demand"),
    ),
    "AZ": Treatment(
        _("Key account manager"),
        _("Contact around each project or order"),
        _("Learn the buying cycle, agree a forecast; a framework contract"),
    ),
    "BX": Treatment(
        _("Account manager"),
        _("Quarterly review"),
        _("Upsell to grow it into A; automate repeat orders"),
    ),
    "BY": Treatment(
        _("Account manager"),
        _("Quarterly review"),
        _("Targeted offers, widen the range it buys"),
    ),
    "BZ": Treatment(
        _("Account manager"),
        _("Contact before its purchase seasons"),
        _("Find out why demand swings; offers tied to its projects"),
    ),
    "CX": Treatment(
        _("Account manager, light cadence"),
        _("Half-yearly check-in"),
        _("Standard terms, automatic repeat orders, catalogue offers"),
    ),
    "CY": Treatment(
        _("Light cadence"),
        _("E-mail campaigns, a call twice a year"),
        _("Test its upsell potential with standard offers"),
    ),
    "CZ": Treatment(
        _("Self-service"),
        _("On request"),
        _("Keep the cost to serve low: catalogue, self-service ordering"),
    ),
    "new": Treatment(
        _("Account manager"),
        _("Monthly contact while onboarding"),
        _("Onboarding: learn its needs until six months of history show how steady it is"),
    ),
    "D": Treatment(
        _("Its manager"),
        _("A reactivation call now"),
        _("Win it back, or review its cost to serve"),
    ),
}


def treatment_of(cell: str) -> Treatment:
    """The treatment of a cell code: "AX" … "CZ", "A"/"B"/"C" (too new for XYZ) or "D"."""
    if cell in TREATMENTS:
        return TREATMENTS[cell]
    return TREATMENTS["new"]
