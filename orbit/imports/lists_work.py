"""Contacts, touches and tasks as lists to take out. Every row names its account by INN (and KPP), the key the
imports match accounts on, so a file goes back into another base."""

from django.utils.translation import gettext_lazy as _

from orbit.accounts import selectors as account_selectors
from orbit.accounts.models import Contact
from orbit.accounts.views import filters_from as account_filters
from orbit.activities import selectors as activity_selectors
from orbit.imports.account_ref import COMPANY, INN, KPP
from orbit.imports.contacts import CONTACT_FIELDS
from orbit.imports.exporting import Column, ListExport

# Headers are the contacts import's field labels (the touches import reads the account columns by the same
# names): a file taken out imports back without a mapping.
_LABEL = {f.key: f.label for f in CONTACT_FIELDS}


def account_columns() -> list[Column]:
    return [
        Column(_LABEL[INN], lambda row: row.account.inn if row.account_id else ""),
        Column(_LABEL[KPP], lambda row: row.account.kpp if row.account_id else ""),
        Column(_LABEL[COMPANY], lambda row: row.account.display_name if row.account_id else ""),
    ]


CONTACT_COLUMNS = [
    *account_columns(),
    Column(_LABEL["full_name"], lambda c: c.full_name),
    Column(_LABEL["position"], lambda c: c.position),
    Column(_LABEL["phone"], lambda c: c.phone),
    Column(_LABEL["email"], lambda c: c.email),
    Column(_LABEL["buying_role"], lambda c: c.get_buying_role_display()),
    Column(_("consents to personal-data processing"), lambda c: _("yes") if c.consent_given else _("no")),
    Column(_("consent date"), lambda c: c.consent_date),
    Column(_("consent source"), lambda c: c.consent_source),
]


def contacts(user, params):
    """There is no contacts page: the contacts (not archived) of the accounts the accounts list shows with these
    filters, account by account in the list's own order of names."""
    shown = account_selectors.account_list(user, account_filters(params)).values("pk")
    return (
        Contact.objects.visible_to(user)
        .filter(account__in=shown, archived_at__isnull=True)
        .select_related("account")
        .order_by("account__sort_name", "account_id", "full_name", "id")
    )


def _person(user, params):
    """Whose day: the agenda's ?person= (his own by default; another's only if he may open it, else 404)."""
    person_id = params.get("person", "")
    return activity_selectors.agenda_person(user, int(person_id) if person_id.isdigit() else None)


TOUCH_COLUMNS = [
    *account_columns(),
    Column(_("kind"), lambda t: t.get_kind_display()),
    Column(_("status"), lambda t: t.get_status_display()),
    Column(_("planned for"), lambda t: t.planned_for),
    Column(_("happened at"), lambda t: t.happened_at),
    Column(_("duration, minutes"), lambda t: t.duration_minutes),
    Column(_("subject"), lambda t: t.subject),
    Column(_("outcome"), lambda t: t.outcome),
    Column(_("next step"), lambda t: t.next_step),
    Column(_("contacts"), lambda t: ", ".join(c.full_name for c in t.contacts.all())),
    Column(_("manager"), lambda t: t.owner.display_name),
]


def touches(user, params):
    return activity_selectors.person_touches(_person(user, params), viewer=user)


TASK_COLUMNS = [
    Column(_("task"), lambda t: t.title),
    Column(_("description"), lambda t: t.description),
    Column(_("due"), lambda t: t.due_on),
    Column(_("status"), lambda t: t.get_status_display()),
    Column(_("completed"), lambda t: t.completed_at),
    *account_columns(),
    Column(_("contact"), lambda t: t.contact.full_name if t.contact_id else ""),
    Column(_("assignee"), lambda t: t.assignee.display_name),
]


def tasks(user, params):
    return activity_selectors.person_tasks(_person(user, params), viewer=user)


EXPORTS = (
    ListExport("contacts", _("contacts"), CONTACT_COLUMNS, contacts),
    ListExport("touches", _("touches"), TOUCH_COLUMNS, touches),
    ListExport("tasks", _("tasks"), TASK_COLUMNS, tasks),
)
