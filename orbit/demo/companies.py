"""Client companies: unique names built from Russian word stems, and unique valid INN/KPP for their region."""

import random

from orbit.accounts.models import Tier
from orbit.common.validators import inn_with_control
from orbit.demo import data


class CompanyNames:
    """Draws names like «Уралметторг» or «Гранит-Строй», never the same one twice."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _compound(self, industry: data.IndustryInfo) -> str:
        stem = self.rng.choice(industry.stems)
        tail = self.rng.choice(data.COMPANY_TAILS)
        if tail and tail in stem:
            tail = ""
        return self.rng.choice(data.COMPANY_GEO_ROOTS) + stem + tail

    def _branded(self, industry: data.IndustryInfo) -> str:
        stem = self.rng.choice(industry.stems)
        return f"{self.rng.choice(data.COMPANY_BRANDS)}-{stem.capitalize()}"

    def draw(self, industry: data.IndustryInfo) -> str:
        for _attempt in range(200):
            name = self._compound(industry) if self.rng.random() < 0.6 else self._branded(industry)
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError(f"ran out of company names for {industry.code}")

    def subsidiary(self, parent: str, region: data.RegionInfo) -> str:
        """A regional daughter takes the holding's name and the city; a second one there, a business line."""
        joint = " " if "-" in parent else "-"  # «Гранит-Строй Казань», not «Гранит-Строй-Казань»
        candidates = [f"{parent}{joint}{region.city}"] + [
            f"{parent}{joint}{s}" for s in data.SUBSIDIARY_SUFFIXES
        ]
        for name in candidates:
            if name not in self.used:
                self.used.add(name)
                return name
        name = f"{parent}{joint}{region.city} {len(self.used)}"
        self.used.add(name)
        return name


def legal_form(rng: random.Random, tier: str, segment: str) -> str:
    if segment == "public":
        return rng.choice(("ГУП", "АО", "ФГУП"))
    if tier == Tier.KEY:
        return rng.choice(("ПАО", "АО"))
    if tier == Tier.A:
        return "АО" if rng.random() < 0.4 else "ООО"
    return "АО" if rng.random() < 0.08 else "ООО"


class TaxIds:
    """INN with the region's tax office prefix and a valid checksum; KPP of the same office."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _office(self, region: data.RegionInfo) -> str:
        return f"{region.tax_region}{self.rng.randint(1, region.tax_offices):02d}"

    def _unique(self, make) -> str:
        for _attempt in range(100):
            inn = make()
            if inn not in self.used:
                self.used.add(inn)
                return inn
        raise RuntimeError("could not draw a unique INN")

    def organisation(self, region: data.RegionInfo) -> tuple[str, str]:
        """A 10-digit INN and the KPP of the office that registered it: «7701» + «01» (reason) + «001»."""
        office = self._office(region)
        inn = self._unique(lambda: inn_with_control(f"{office}{self.rng.randrange(10**5):05d}"))
        return inn, f"{office}01001"

    def entrepreneur(self, region: data.RegionInfo) -> str:
        """An individual entrepreneur's 12-digit INN; entrepreneurs have no KPP."""
        office = self._office(region)
        return self._unique(lambda: inn_with_control(f"{office}{self.rng.randrange(10**6):06d}"))
