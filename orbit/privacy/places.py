"""Every place where Orbit may hold a contact's personal data, and what erasure does there.

A place is a model with the path from it to its account: erasure rewrites, in the rows of the contact's
account only, the `scrubbed` fields (free text: the contact's name, e-mail and phone replaced, `traces.py`);
the `kept` fields are texts that hold no person's data, each with the reason. The contact's own row and its
history are replaced field by field (`erasure.py`); the imports' and exports' records, which are not an
account's, are handled there too. `tests/privacy/test_places.py` walks every model of the project and fails
when one that can hold a contact's data is in neither this list nor NOT_CONTACT_DATA.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q


@dataclass(frozen=True)
class Place:
    label: str  # app_label.ModelName
    account: str  # the path to the account's id ("pk" for the account itself)
    scrubbed: tuple[str, ...]
    kept: dict[str, str] = field(default_factory=dict)  # field -> why it holds no person's data
    contact: str = ""  # a path to the contact, for rows that may have no account (a task)

    @property
    def model(self):
        return apps.get_model(self.label)

    def rows(self, account_id: int, contact_ids: list[int]):
        condition = Q(**{self.account: account_id})
        if self.contact:
            condition |= Q(**{f"{self.contact}__in": contact_ids})
        return self.model._base_manager.filter(condition)


HISTORY_REASON = ("history_change_reason",)
COMPANY = "the client company's own data, not a person's"
CODE = "a code from a fixed list"
NUMBER = "a document's number or external identifier, needed by accounting and integrations"
DERIVED = "derived from the company's names or the manager's name for sorting and search"
LINK = "a link to a page of Orbit: ids only"

_ACCOUNT_TEXT = (
    "goals",
    "strategy",
    "investment_plans",
    "financial_indicators",
    "competitors",
    "switching_barriers",
)
REGISTER = "the company's director as the public company register names him (a fact about the company)"
_ACCOUNT_KEPT = {
    "legal_name": COMPANY,
    "short_name": COMPANY,
    "inn": COMPANY,
    "kpp": COMPANY,
    "phone": COMPANY,
    "address": COMPANY,
    "website": COMPANY,
    "director": REGISTER,
}
_HANDOFF_TEXT = (
    "promised",
    "technical_scope",
    "stakeholders",
    "risks",
    "open_commitments",
    "documents",
    "meeting_participants",
    "meeting_outcome",
    "decision_comment",
    "checkup_issues",
)

PLACES = (
    Place(
        "accounts.Account",
        "pk",
        _ACCOUNT_TEXT,
        {
            **_ACCOUNT_KEPT,
            "search_text": DERIVED,
            "sort_name": DERIVED,
            "manager_sort": DERIVED,
            "name_key": DERIVED,
        },
    ),
    Place("accounts.HistoricalAccount", "id", _ACCOUNT_TEXT + HISTORY_REASON, _ACCOUNT_KEPT),
    Place("accounts.OwnershipPeriod", "account", ("comment",)),
    Place("accounts.AccountTeamMember", "account", ("note",)),
    Place("handoffs.Handoff", "account", _HANDOFF_TEXT, {"previous_account_status": CODE}),
    Place(
        "handoffs.HistoricalHandoff",
        "account",
        _HANDOFF_TEXT + HISTORY_REASON,
        {"previous_account_status": CODE},
    ),
    Place("handoffs.HandoffStep", "handoff__account", ("note",)),
    Place("handoffs.Cover", "accounts", ("note",)),
    Place("notifications.Notification", "account", ("title", "body"), {"url": LINK}),
    Place("activities.Touch", "account", ("subject", "outcome", "next_step")),
    Place("activities.HistoricalTouch", "account", ("subject", "outcome", "next_step", *HISTORY_REASON)),
    Place("activities.Task", "account", ("title", "description"), contact="contact"),
    Place(
        "activities.HistoricalTask", "account", ("title", "description", *HISTORY_REASON), contact="contact"
    ),
    Place("requests.Request", "account", ("subject", "description")),
    Place("requests.HistoricalRequest", "account", ("subject", "description", *HISTORY_REASON)),
    Place("requests.RequestComment", "request__account", ("text",)),
    Place(
        "requests.Attachment",
        "request__account",
        ("original_name",),
        {"content_type": "the file's type (application/pdf…)"},
    ),
    Place("revenue.PriceAgreement", "account", ("note",)),
    Place("revenue.Contract", "account", ("subject", "terms", "termination_reason"), {"number": NUMBER}),
    Place("revenue.Order", "account", ("cancel_reason", "note"), {"number": NUMBER}),
    Place(
        "revenue.Invoice",
        "account",
        ("note",),
        {"number": NUMBER, "external_id": NUMBER, "fingerprint": NUMBER},
    ),
    Place("revenue.InvoiceLine", "invoice__account", ("description",)),
    Place(
        "revenue.Payment",
        "account",
        ("note",),
        {"reference": NUMBER, "external_id": NUMBER, "fingerprint": NUMBER},
    ),
    Place("growth.Opportunity", "account", ("title", "next_step", "lost_note", "description")),
    Place("growth.Project", "account", ("name", "description")),
    Place("growth.ProjectStage", "project__account", ("name",)),
    Place("growth.PlannedWork", "project__account", ("title", "location")),
    Place("analytics.ReactivationCase", "account", ("lost_reason",)),
    Place(
        "imports.ImportedRow",
        "account",
        ("before",),
        {"target": "the model label of the record an import wrote", "action": CODE},
    ),
    Place("privacy.ConsentRecord", "contact__account", ("purpose", "source")),
)

# Handled field by field in erasure.py: the contact's own row and its history (every personal field replaced),
# and the records of imports and exports, which belong to no account (every row searched).
CONTACT_FIELDS = ("full_name", "position", "phone", "email", "consent_source")
SPECIAL = {
    "accounts.Contact": {
        "replaced": CONTACT_FIELDS,
        "kept": {},
    },
    "accounts.HistoricalContact": {
        "replaced": (*CONTACT_FIELDS, "history_change_reason"),
        "kept": {},
    },
    "imports.ImportBatch": {
        "replaced": ("file_name", "errors"),
        "kept": {
            "mapping": "the file's column headers and the fields they go to, not its values",
            "options": "the import's settings (on duplicates, date format, preset)",
            "counts": "numbers of rows",
        },
    },
    "imports.ExportLog": {
        "replaced": ("query", "file"),
        "kept": {
            "list_name": CODE,
            "format": CODE,
            "error": "Orbit's own message about the export",
        },
    },
}

# Models linked to a contact or an account whose texts hold no person's data, and why. (The erasure audit,
# privacy.Erasure, names the contact by id only, not by a link: it is not among them.)
NOT_CONTACT_DATA = {
    "analytics.AccountMetrics": "ABC and XYZ class letters computed from revenue",
    "analytics.SegmentChange": "the old and new ABC/XYZ class codes",
}
