"""Which column of a file feeds which field: recognised from the header in Russian and English, taken from a
preset (the shapes of amoCRM's, Bitrix24's and Salesforce's exports) or from a mapping the user saved.

A header is compared after normalising: lower case, ё as е, punctuation and repeated spaces dropped; under a
merged group header ("Компания: ИНН") the column's own name counts too. A column nothing recognises is left out
(and listed, so the user sees what was not imported); a field two columns claim takes the first.
"""

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # a lazy translation
    names: tuple[str, ...]  # recognised headers, normalised
    required: bool = False


ACCOUNT_FIELDS = (
    Field(
        "legal_name",
        _("legal name"),
        (
            "название",
            "наименование",
            "полное наименование",
            "название компании",
            "компания",
            "организация",
            "клиент",
            "контрагент",
            "account name",
            "company name",
            "company",
            "name",
            "legal name",
        ),
        required=True,
    ),
    Field("short_name", _("short name"), ("краткое наименование", "краткое название", "short name")),
    Field("inn", _("INN"), ("инн", "inn", "tax id", "inn c", "taxpayer id"), required=True),
    Field("kpp", _("KPP"), ("кпп", "kpp", "kpp c")),
    Field(
        "owner",
        _("responsible manager"),
        ("ответственный", "менеджер", "ответственный менеджер", "account owner", "owner", "manager"),
    ),
    Field("status", _("status"), ("статус", "status", "type", "тип компании")),
    Field("tier", _("tier"), ("категория", "уровень", "tier")),
    Field("agreed_budget", _("agreed budget"), ("бюджет", "согласованный бюджет", "budget", "agreed budget")),
    Field(
        "phone",
        _("company phone"),
        ("телефон", "телефон компании", "рабочий телефон", "phone", "company phone"),
    ),
    Field("address", _("address"), ("адрес", "юридический адрес", "фактический адрес", "address")),
    Field("website", _("website"), ("сайт", "веб-сайт", "web", "website", "web site")),
    Field("parent_inn", _("INN of the holding"), ("инн холдинга", "инн головной компании", "parent inn")),
    Field("external_id", _("id in the source system"), ("id", "account id", "идентификатор")),
    Field("parent_external_id", _("holding's id in the source system"), ("parent account id", "parent id")),
)

# Exports as the systems write them (headers of their company/account exports); what they have that Orbit
# keeps nowhere (tags) is left out on purpose; the company's phone, address and site are found by their names.
PRESETS: dict[str, dict[str, str]] = {
    "amocrm": {
        "ID": "external_id",
        "Название компании": "legal_name",
        "Ответственный": "owner",
        "ИНН": "inn",
        "КПП": "kpp",
    },
    "bitrix24": {
        "ID": "external_id",
        "Название компании": "legal_name",
        "Ответственный": "owner",
        "ИНН": "inn",
        "КПП": "kpp",
        "Тип компании": "status",
    },
    "salesforce": {
        "Account ID": "external_id",
        "Account Name": "legal_name",
        "Parent Account ID": "parent_external_id",
        "Account Owner": "owner",
        "INN__c": "inn",
        "KPP__c": "kpp",
        "Type": "status",
    },
}

_NOISE = re.compile(r"[^\w]+")


def normalise(header: str) -> str:
    return " ".join(_NOISE.sub(" ", header.lower().replace("ё", "е").replace("_", " ")).split())


def recognise(
    header: list[str], fields=ACCOUNT_FIELDS, preset: dict[str, str] | None = None
) -> dict[int, str]:
    """Column index → field key. A preset or a chosen mapping names headers exactly (case aside; "" leaves a
    column out); the rest are recognised by name."""
    keys = {f.key for f in fields}
    by_name = {name: f.key for f in fields for name in f.names}
    for language in ("en", "ru"):  # the fields' own labels: what Orbit's export writes
        with translation.override(language):
            by_name.update({normalise(str(f.label)): f.key for f in fields})
    # A chosen mapping may also leave a column out on purpose: its key is "".
    chosen = {normalise(h): key for h, key in (preset or {}).items() if key in keys or key == ""}
    found: dict[int, str] = {}
    for index, name in enumerate(header):
        candidates = [normalise(name)]
        if ": " in name:  # a column under a merged group header: its own name
            candidates.append(normalise(name.split(": ", 1)[1]))
        if chosen.get(candidates[0]) == "":
            continue
        for candidate in candidates:
            key = chosen.get(candidate) or by_name.get(candidate)
            if key and key not in found.values():
                found[index] = key
                break
    return found


def missing_required(found: dict[int, str], fields=ACCOUNT_FIELDS) -> list[Field]:
    return [f for f in fields if f.required and f.key not in found.values()]
