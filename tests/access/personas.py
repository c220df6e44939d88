"""Who may do what in the access matrices: the product's rules, written out by hand (not computed by the
policy under test)."""

PERSONAS = [
    "anonymous",
    "head",
    "admin",
    "auditor",
    "lead_a",
    "lead_b",
    "am_a",
    "am_a1",
    "am_b",
    "sales",
    "outsider",
]
ACCOUNTS = ["acct_a", "acct_a1", "acct_b", "prospect_s"]
ALL = set(ACCOUNTS)

# Who sees which account: the product's visibility rules, written out.
VISIBLE = {
    "anonymous": set(),
    "outsider": set(),
    "head": ALL,
    "admin": ALL,
    "auditor": ALL,
    "lead_a": {"acct_a", "acct_a1"},  # his team and its sub-team
    "lead_b": {"acct_b", "prospect_s"},  # his team's account and the prospect his salesman created
    "am_a": {"acct_a"},
    "am_a1": {"acct_a1"},
    "am_b": {"acct_b"},
    "sales": {"prospect_s"},  # a prospect he created
}
# Who may change it: the auditor reads only.
CHANGE = {**VISIBLE, "auditor": set()}
# Who may move responsibility to am_a1 (the head and admins anywhere; a lead only inside his tree).
REASSIGN_TO_A1 = {"head": ALL, "admin": ALL, "lead_a": {"acct_a", "acct_a1"}}
CREATE = {"head", "admin", "lead_a", "lead_b", "am_a", "am_a1", "am_b", "sales"}
# Who may reassign (the head, admins, the owner's lead) and who steers a handoff (those, and the giver).
REASSIGN = {"head": ALL, "admin": ALL, "lead_a": {"acct_a", "acct_a1"}, "lead_b": {"acct_b", "prospect_s"}}
STEER = {**REASSIGN, "am_a": {"acct_a"}, "am_a1": {"acct_a1"}, "am_b": {"acct_b"}, "sales": {"prospect_s"}}
NOBODY: dict = {}  # only the receiver, who is not a persona here
COVER_SEES = {"am_a", "lead_a", "head", "admin", "auditor"}
COVER_ARRANGES = {"am_a", "lead_a", "head", "admin"}
# Whose eyes reach am_a's manager profile (orbit/staffing): the head and admins, his lead, himself — not the
# auditor, not a colleague; who writes it: the head, admins and his lead, never he himself.
PROFILE_READERS = {"head", "admin", "lead_a", "am_a"}
PROFILE_WRITERS = {"head", "admin", "lead_a"}
# Whose figures (KPI pages, drill-downs, API) about am_a: himself, his lead, the global readers.
PERSON_SEES = {"am_a", "lead_a", "head", "admin", "auditor"}
# Who erases a contact's personal data (orbit/privacy): the head and administrators, on any account they see.
ERASE = {"head": ALL, "admin": ALL}
