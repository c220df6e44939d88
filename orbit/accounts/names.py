"""The key two records of one company share however its name was typed (issue 15: deduplication).

"ООО «Ромашка»", "Общество с ограниченной ответственностью "РОМАШКА"" and "ромашка, ооо" are one company: the key
drops the legal form (abbreviated or spelt out, anywhere in the name), quotes and punctuation, folds case and ё,
and squeezes spaces. It is a candidate for a human to confirm (the duplicates report, the import's match after
INN), never a merge by itself: two different companies may share a name in different cities.
"""

import re

# Spelt-out forms first: "публичное акционерное общество" must go whole, not leave "публичное".
_FORMS_SPELT = (
    "общество с ограниченной ответственностью",
    "публичное акционерное общество",
    "непубличное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "федеральное государственное унитарное предприятие",
    "государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
    "автономная некоммерческая организация",
    "некоммерческая организация",
    "limited liability company",
    "joint stock company",
)
_FORMS_SHORT = "ооо оао зао пао нао ао ип фгуп муп гуп ано нко llc jsc ltd inc gmbh plc".lower().split()
_SPELT = re.compile("|".join(re.escape(f) for f in _FORMS_SPELT))
_PUNCTUATION = re.compile(r"[^\w]+")


def name_key(name: str) -> str:
    text = name.lower().replace("ё", "е")
    text = _SPELT.sub(" ", text)
    words = _PUNCTUATION.sub(" ", text).split()
    return " ".join(w for w in words if w not in _FORMS_SHORT)
