import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orbit.access.querysets import AccountScopedManager
from orbit.accounts.names import name_key
from orbit.common.models import ReferenceItem, TrackedModel
from orbit.common.validators import validate_inn, validate_kpp


class Industry(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class Region(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Segment(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("segment")
        verbose_name_plural = _("segments")


LEGAL_FORMS = (
    "ООО",
    "ОАО",
    "ЗАО",
    "ПАО",
    "АО",
    "НАО",
    "ИП",
    "ФГУП",
    "МУП",
    "ГУП",
    "АНО",
    "НКО",
    "LLC",
    "JSC",
    "Ltd",
)
_LEGAL_FORM = re.compile(rf"^({'|'.join(LEGAL_FORMS)})\.?\s+", re.IGNORECASE)


def sort_name_of(name: str) -> str:
    """«ООО «Ромашка»» sorts as «ромашка»: the legal form and quotes say nothing about the client."""
    name = _LEGAL_FORM.sub("", name.strip())
    return name.strip(" «»\"'„“”").lower()


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    HANDOFF = "handoff", _("Handoff")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    CHURNED = "churned", _("Churned")
    REACTIVATED = "reactivated", _("Reactivated")


# prospect → handoff → active → dormant → churned, and dormant/churned → reactivated → active.
# These are the steps a person takes by hand. Into and out of "handoff" only the handoff workflow moves an
# account (start, acceptance, rejection, cancellation), so a handoff is never left half-open.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    AccountStatus.PROSPECT: frozenset({AccountStatus.ACTIVE}),
    AccountStatus.HANDOFF: frozenset(),
    AccountStatus.ACTIVE: frozenset({AccountStatus.DORMANT, AccountStatus.CHURNED}),
    AccountStatus.DORMANT: frozenset(
        {AccountStatus.ACTIVE, AccountStatus.CHURNED, AccountStatus.REACTIVATED}
    ),
    AccountStatus.CHURNED: frozenset({AccountStatus.REACTIVATED}),
    AccountStatus.REACTIVATED: frozenset(
        {AccountStatus.ACTIVE, AccountStatus.DORMANT, AccountStatus.CHURNED}
    ),
}


class Currency(models.TextChoices):
    RUB = "RUB", _("Russian rouble")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
    CNY = "CNY", _("Chinese yuan")
    KZT = "KZT", _("Kazakh tenge")
    BYN = "BYN", _("Belarusian rouble")


class Tier(models.TextChoices):
    KEY = "key", _("Key account")
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")


class Account(TrackedModel):
    legal_name = models.CharField(_("legal name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=150, blank=True)
    inn = models.CharField(_("INN"), max_length=12, validators=[validate_inn])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[validate_kpp])
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), null=True, blank=True, on_delete=models.PROTECT
    )
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices, default=Tier.C)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("holding (parent account)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.PROSPECT
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    # The current responsible manager: a copy of the open OwnershipPeriod kept by the ownership service,
    # so lists, filters and visibility need no join on the history table.
    responsible_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_accounts",
    )

    # How to reach the company itself (its people are contacts); the address may come from the register by INN.
    phone = models.CharField(_("company phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    director = models.CharField(_("director"), max_length=300, blank=True)

    # Strategic profile kept by the account manager.
    goals = models.TextField(_("long-term goals"), blank=True)
    strategy = models.TextField(_("development strategy"), blank=True)
    investment_plans = models.TextField(_("investment plans"), blank=True)
    financial_indicators = models.TextField(_("financial indicators and solvency"), blank=True)
    agreed_budget = models.DecimalField(
        _("agreed budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.RUB
    )
    competitors = models.TextField(_("competitors present"), blank=True)
    switching_barriers = models.TextField(_("switching barriers"), blank=True)

    # Lower-cased names and INN in one column, so one trigram index serves search (see migration 0003).
    search_text = models.TextField(editable=False, default="", db_default="")
    # The name people sort by: short name, or legal name without its legal form («ООО», «АО»…) and quotes.
    sort_name = models.CharField(max_length=300, editable=False, default="", db_default="")
    # The responsible manager's name, lower-cased: sorting a million accounts by manager needs an index, and an
    # index cannot reach into the user table. Kept by save() here and by User.save() when a name changes.
    manager_sort = models.CharField(max_length=200, editable=False, default="", db_default="")
    # The legal name without its legal form, quotes and punctuation (names.name_key): how the import and the
    # duplicates report find one company typed two ways.
    name_key = models.CharField(max_length=300, editable=False, default="", db_default="")

    # Set when this account was merged into another (accounts/merge.py): it is archived, and its old links lead
    # to the account that stayed.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_accounts",
    )

    history = HistoricalRecords(
        excluded_fields=["search_text", "sort_name", "manager_sort", "name_key", "updated_at"]
    )
    objects = AccountScopedManager("")  # Account.objects.visible_to(user): the policy's visible accounts

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["sort_name", "id"]
        constraints = [
            # A branch (обособленное подразделение) has its head company's INN and its own KPP: one live account
            # per INN and KPP (an entrepreneur's KPP is empty).
            models.UniqueConstraint(
                fields=["inn", "kpp"],
                condition=Q(archived_at__isnull=True),
                name="accounts_account_live_inn_kpp_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="prospect") | Q(responsible_manager__isnull=False),
                name="accounts_account_owner_unless_prospect",
            ),
        ]
        indexes = [
            models.Index(fields=["sort_name", "id"]),
            models.Index(fields=["manager_sort", "sort_name", "id"]),
            models.Index(fields=["responsible_manager", "sort_name", "id"]),
            models.Index(fields=["status", "sort_name", "id"]),
            # The prospects a team created, a branch of every lead's visibility (access/policy.py): without it
            # PostgreSQL intersects all 180k prospects with the creators (~60 ms at a million accounts), e.g.
            # for a division lead's search «дон» (bench/README.md).
            models.Index(
                fields=["created_by"],
                condition=Q(status="prospect"),
                name="accounts_prospects_by_creator",
            ),
            # The import's namesake look-up and the duplicates report's groups (accounts/duplicates.py): live
            # accounts by name key, the INN beside it so a group's INNs are read from the index alone.
            models.Index(
                fields=["name_key", "inn"],
                condition=Q(archived_at__isnull=True),
                name="accounts_live_name_key_inn",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.short_name or self.legal_name

    def build_search_text(self) -> str:
        return " ".join(filter(None, [self.legal_name, self.short_name, self.inn])).lower()

    def build_sort_name(self) -> str:
        return sort_name_of(self.short_name or self.legal_name)

    def build_manager_sort(self) -> str:
        return self.responsible_manager.display_name.lower() if self.responsible_manager_id else ""

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        self.sort_name = self.build_sort_name()
        self.manager_sort = self.build_manager_sort()
        self.name_key = name_key(self.legal_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = set()
            if {"legal_name", "short_name", "inn"} & set(update_fields):
                extra |= {"search_text", "sort_name", "name_key"}
            if "responsible_manager" in update_fields:
                extra.add("manager_sort")
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    BUYER = "buyer", _("Buyer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class Contact(TrackedModel):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="contacts"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    buying_role = models.CharField(
        _("buying-centre role"), max_length=16, choices=BuyingRole.choices, blank=True
    )
    consent_given = models.BooleanField(_("consents to personal-data processing"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_source = models.CharField(_("consent source"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_date__isnull=False),
                name="accounts_contact_consent_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class ChangeReason(models.TextChoices):
    INITIAL = "initial", _("First assignment")
    HANDOFF = "handoff", _("Handoff from sales")
    REASSIGNMENT = "reassignment", _("Reassignment")
    VACATION = "vacation", _("Vacation or leave")
    OVERLOAD = "overload", _("Workload balancing")
    DEPARTURE = "departure", _("Manager left")
    REVERSAL = "reversal", _("Reassignment reversed")
    IMPORT = "import", _("Imported")


class OwnershipPeriod(models.Model):
    """Who was responsible for an account from `started_at` up to (not including) `ended_at`.

    Invariants (database + ownership service): at most one open period per account; periods of an account
    never overlap (exclusion constraint on PostgreSQL) and follow each other without gaps; every
    non-prospect account has exactly one open period.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ownership_periods")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        related_name="ownership_periods",
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=ChangeReason.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("ownership period")
        verbose_name_plural = _("ownership periods")
        ordering = ["account_id", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(ended_at__isnull=True),
                name="accounts_ownership_one_open_period",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="accounts_ownership_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "started_at"]),
            models.Index(fields=["manager", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.manager_id} {self.started_at:%Y-%m-%d}…{self.ended_at or ''}"


class TeamRole(models.TextChoices):
    KEY_ACCOUNT_MANAGER = "kam", _("Key account manager")
    PROJECT_MANAGER = "pm", _("Project manager")
    SUPPORT_ENGINEER = "support", _("Support engineer")
    SALES_MANAGER = "hunter", _("Sales manager who won the account")
    GLOBAL_ACCOUNT_MANAGER = "global_am", _("Global account manager")
    NATIONAL_ACCOUNT_MANAGER = "national_am", _("National account manager")


# Roles that widen visibility beyond one account are set by the head, an admin or the owner's lead.
HOLDING_ROLES = frozenset({TeamRole.GLOBAL_ACCOUNT_MANAGER, TeamRole.NATIONAL_ACCOUNT_MANAGER})


class AccountTeamMember(models.Model):
    """A person working on the account besides its responsible manager, with his role and dates.

    The responsible manager himself is not here: OwnershipPeriod is the single source for him.
    A global account manager on a holding sees the holding and all its subsidiaries.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="account_roles",
    )
    role = models.CharField(_("role on the account"), max_length=16, choices=TeamRole.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team")
        ordering = ["account_id", "role", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "role"],
                condition=Q(ended_at__isnull=True),
                name="accounts_team_one_open_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="accounts_team_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class BulkAction(models.Model):
    """One bulk action on the account list, done all or nothing: who, what, on how many accounts.

    Each account's change is in its own history as a one-by-one change is; this row is the action's receipt (what
    a double submit finds under its idempotency key). It names no account, so it is not account-linked data.
    """

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    count = models.PositiveIntegerField()
    params = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")

    def __str__(self) -> str:
        return f"{self.action} × {self.count}"


# The pulse's "nothing there" values. Sentinels instead of NULL keep each sort a plain index walk and a keyset
# cursor a plain row comparison (a comparison with NULL is unknown). Orbit's own choice, not from the domain.
NEVER_TOUCHED = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)  # no done touch: sorts as the oldest last touch
NOTHING_PLANNED = dt.date(9999, 12, 31)  # no planned touch: sorts as the furthest next touch


class AccountPulse(models.Model):
    """One row per account with what the account list sorts its work columns by: the last done touch, the
    next planned one and the open requests. Derived: kept by the services that change touches and requests,
    in their transaction (orbit.accounts.pulse.refresh), and checked each morning (pulse.rebuild). Every
    account has its row from its first moment: a database trigger adds it (migration 0017), so the list
    joins it without losing accounts."""

    account = models.OneToOneField(Account, primary_key=True, on_delete=models.CASCADE, related_name="pulse")
    last_touch_at = models.DateTimeField(default=NEVER_TOUCHED, db_default=NEVER_TOUCHED)
    next_touch_on = models.DateField(default=NOTHING_PLANNED, db_default=NOTHING_PLANNED)
    open_requests = models.PositiveIntegerField(default=0, db_default=0)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("account pulse")
        verbose_name_plural = _("account pulses")
        indexes = [
            models.Index(fields=["last_touch_at", "account"], name="accounts_pulse_last_touch"),
            models.Index(fields=["next_touch_on", "account"], name="accounts_pulse_next_touch"),
            models.Index(fields=["open_requests", "account"], name="accounts_pulse_open_requests"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.last_touch_at} / {self.next_touch_on} / {self.open_requests}"
