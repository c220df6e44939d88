"""The demo base as plain Python objects, drawn from one seeded random source and anchored to `today`.

Nothing here touches the database: the same seed and the same day always give the same plan, and the
generator only writes it. Accounts are listed parents first, so a holding exists before its subsidiaries.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from orbit.accounts.models import AccountStatus, BuyingRole, Tier
from orbit.demo import data
from orbit.demo.collaboration import (
    HandoffPlan,
    TeamMemberPlan,
    global_account_manager,
    hunter_attribution,
    national_account_manager,
    open_handoff,
    project_manager,
)
from orbit.demo.companies import CompanyNames, TaxIds, legal_form
from orbit.demo.histories import Chronicle, PeriodPlan, ownership_history, single_owner
from orbit.demo.people import PersonName, mailbox, mobile_phone, office_phone, person_name, transliterate

# Shares of the lifecycle: most clients are served, some are being won or handed over, some are lost.
STATUS_SHARES = (
    (AccountStatus.PROSPECT, 0.10),
    (AccountStatus.HANDOFF, 0.03),
    (AccountStatus.DORMANT, 0.10),
    (AccountStatus.CHURNED, 0.08),
    (AccountStatus.REACTIVATED, 0.06),
)
SERVED = (AccountStatus.ACTIVE, AccountStatus.DORMANT, AccountStatus.CHURNED, AccountStatus.REACTIVATED)
SEGMENT_BY_TIER = {
    Tier.KEY: (("enterprise", 8), ("public", 2)),
    Tier.A: (("enterprise", 5), ("mid", 4), ("public", 1)),
    Tier.B: (("mid", 7), ("smb", 2), ("public", 1)),
    Tier.C: (("smb", 7), ("mid", 3)),
}
CONTACTS_BY_TIER = {Tier.KEY: (4, 5), Tier.A: (3, 5), Tier.B: (2, 4), Tier.C: (1, 3)}
OTHER_BUYING_ROLES = (
    (BuyingRole.INFLUENCER, 3),
    (BuyingRole.BUYER, 4),
    (BuyingRole.USER, 2),
    (BuyingRole.GATEKEEPER, 1),
    ("", 1),
)
MAX_HOLDING_SIZE = 8
# An individual entrepreneur trades, builds or drives; he does not run a refinery.
ENTREPRENEUR_INDUSTRIES = tuple(
    i for i in data.INDUSTRIES if i.code in ("retail", "wholesale", "logistics", "food", "construction", "it")
)


@dataclass
class ContactPlan:
    full_name: str
    position: str
    phone: str
    email: str
    buying_role: str
    consent_given: bool
    consent_date: dt.date | None
    consent_source: str
    added_at: dt.datetime
    added_by: str


@dataclass(eq=False)  # compared by identity: two fresh skeletons with equal fields are still two accounts
class AccountPlan:
    status: str
    tier: str
    parent: "AccountPlan | None" = None
    holding_size: int = 0
    legal_name: str = ""
    short_name: str = ""
    inn: str = ""
    kpp: str = ""
    industry: data.IndustryInfo | None = None
    region: data.RegionInfo | None = None
    segment: str = ""
    created_at: dt.datetime | None = None
    created_by: str = ""
    status_changed_at: dt.datetime | None = None
    profile: dict = field(default_factory=dict)
    contacts: list[ContactPlan] = field(default_factory=list)
    periods: list[PeriodPlan] = field(default_factory=list)
    team: list[TeamMemberPlan] = field(default_factory=list)
    handoff: HandoffPlan | None = None

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    @property
    def holding_root(self) -> "AccountPlan":
        return self if self.parent is None else self.parent.holding_root

    @property
    def owner(self) -> str | None:
        return self.periods[-1].manager if self.periods else None

    @property
    def is_entrepreneur(self) -> bool:
        return len(self.inn) == 12

    @property
    def domain(self) -> str:
        return transliterate(self.short_name) + ".ru"


@dataclass
class Plan:
    accounts: list[AccountPlan]
    departure_day: dt.date
    holdings: int


class Planner:
    def __init__(self, *, accounts: int, seed: int, today: dt.date):
        self.count = accounts
        self.rng = random.Random(seed)
        self.today = today
        self.names = CompanyNames(self.rng)
        self.tax_ids = TaxIds(self.rng)
        # The departed manager left a few months ago; his clients went to his colleagues that day.
        self.departure_day = today - dt.timedelta(days=self.rng.randint(90, 200))
        self.chronicle = Chronicle(
            rng=self.rng,
            last_day=today - dt.timedelta(days=1),
            decider=_decider,
            moment=self.moment,
            departed=data.DEPARTED,
        )

    # Calendar -------------------------------------------------------------------------------------------

    def moment(self, day: dt.date) -> dt.datetime:
        """A moment in working hours, so histories read like a real office's."""
        at = dt.time(self.rng.randint(9, 18), self.rng.randrange(0, 60, 5))
        return timezone.make_aware(dt.datetime.combine(day, at))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    # The shape of the base ------------------------------------------------------------------------------

    def _statuses(self) -> list[str]:
        statuses = []
        for status, share in STATUS_SHARES:
            statuses += [status] * max(1, round(self.count * share))
        statuses += [AccountStatus.ACTIVE] * (self.count - len(statuses))
        self.rng.shuffle(statuses)
        return statuses

    def _tiers(self, statuses: list[str]) -> list[str]:
        """Few key accounts, more A and B, most C; prospects are never key."""
        clients = [i for i, s in enumerate(statuses) if s != AccountStatus.PROSPECT]
        n = len(clients)
        ladder = (
            [Tier.KEY] * min(round(n * 0.025), 45) + [Tier.A] * round(n * 0.10) + [Tier.B] * round(n * 0.25)
        )
        ladder += [Tier.C] * (n - len(ladder))
        self.rng.shuffle(ladder)
        tiers = [self.rng.choice((Tier.B, Tier.C, Tier.C)) for _ in statuses]
        for index, tier in zip(clients, ladder, strict=True):
            tiers[index] = tier
        return tiers

    def _skeleton(self) -> list[AccountPlan]:
        statuses = self._statuses()
        return [AccountPlan(status=s, tier=t) for s, t in zip(statuses, self._tiers(statuses), strict=True)]

    def _holding_sizes(self, holdings: int, subsidiaries: int) -> list[int]:
        sizes = [2] * holdings
        sizes[0] = 5  # the two-level holding needs room for a sub-holding
        for _extra in range(subsidiaries - sum(sizes)):
            open_slots = [i for i, size in enumerate(sizes) if size < MAX_HOLDING_SIZE]
            if not open_slots:
                break
            sizes[self.rng.choice(open_slots)] += 1
        return sizes

    def _form_holdings(self, accounts: list[AccountPlan]) -> int:
        """About 9 % of clients belong to holdings of 2-8 companies; the largest has a sub-holding."""
        heads = [
            a
            for a in accounts
            if a.status in (AccountStatus.ACTIVE, AccountStatus.REACTIVATED) and a.tier in (Tier.KEY, Tier.A)
        ]
        heads.sort(key=lambda a: a.tier != Tier.KEY)
        heads = heads[: max(15, self.count // 55)]
        members = [a for a in accounts if a.status in SERVED and a.tier != Tier.KEY and a not in heads]
        sizes = self._holding_sizes(len(heads), round(self.count * 0.09))
        for head, size in zip(heads, sizes, strict=True):
            head.holding_size = size
            for _member in range(size):
                if members:
                    members.pop().parent = head
        first_daughters = [a for a in accounts if a.parent is heads[0]]
        if len(first_daughters) >= 3:
            sub_holding = first_daughters[0]
            for granddaughter in first_daughters[-2:]:
                granddaughter.parent = sub_holding
        return len(heads)

    # One account ----------------------------------------------------------------------------------------

    def _region(self, account: AccountPlan) -> data.RegionInfo:
        if account.holding_size and self.rng.random() < 0.6:
            return data.REGIONS[0]  # most holdings are run from Moscow
        return self.rng.choices(data.REGIONS, [r.weight for r in data.REGIONS])[0]

    def _industry(self, account: AccountPlan) -> data.IndustryInfo:
        if account.parent is not None and self.rng.random() < 0.7:
            return account.parent.industry
        return self.rng.choice(data.INDUSTRIES)

    def _segment(self, account: AccountPlan) -> str:
        choices = SEGMENT_BY_TIER[account.tier]
        return self.rng.choices([c for c, _w in choices], [w for _c, w in choices])[0]

    def _name_and_tax_ids(self, account: AccountPlan) -> PersonName | None:
        """Legal and short name, INN and KPP; an entrepreneur's own name is returned to make him a contact."""
        entrepreneur = (
            account.tier == Tier.C
            and account.parent is None
            and not account.holding_size
            and self.rng.random() < 0.08
        )
        if entrepreneur:
            person = person_name(self.rng)
            account.industry = self.rng.choice(ENTREPRENEUR_INDUSTRIES)
            account.legal_name = f"ИП {person.full}"
            account.short_name = f"ИП {person.initials}"
            account.segment = "smb"
            account.inn = self.tax_ids.entrepreneur(account.region)
            return person
        if account.parent is not None:
            account.short_name = self.names.subsidiary(account.holding_root.short_name, account.region)
        else:
            account.short_name = self.names.draw(account.industry)
        account.legal_name = f"{legal_form(self.rng, account.tier, account.segment)} «{account.short_name}»"
        account.inn, account.kpp = self.tax_ids.organisation(account.region)
        return None

    def _owner_pool(self, account: AccountPlan) -> tuple[tuple[str, int], ...]:
        if account.tier == Tier.KEY:
            return data.KEY_ACCOUNT_OWNERS
        return data.TEAM_OWNERS[account.region.group]

    def _draw(self, pool: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([name for name, _w in pool], [weight for _n, weight in pool])[0]

    def _prospect_history(self, account: AccountPlan) -> None:
        hunter = self.rng.choice(data.HUNTERS)
        created = self.days_ago(3, 240)
        account.created_by = hunter
        # Some leads arrive without an owner yet (a web form, an exhibition list): nobody works them so far.
        if self.rng.random() < 0.75:
            account.periods = single_owner(self.chronicle, hunter, created)
            account.created_at = account.periods[0].started_at
        else:
            account.created_at = self.moment(created)
        account.status_changed_at = account.created_at

    def _handoff_history(self, account: AccountPlan) -> None:
        """A client just won: the hunter stays responsible until the account manager accepts it."""
        hunter = self.rng.choice(data.HUNTERS)
        created = self.days_ago(30, 200)
        account.created_by = hunter
        account.periods = single_owner(self.chronicle, hunter, created)
        account.created_at = account.periods[0].started_at
        won = self.day_between(created + dt.timedelta(days=1), self.today - dt.timedelta(days=2))
        account.status_changed_at = self.moment(won)

    def _client_history(self, account: AccountPlan) -> None:
        start = self.days_ago(365, 6 * 365)
        if account.tier == Tier.C and account.parent is None and self.rng.random() < 0.04:
            # The hybrid hunter-farmer keeps the small clients he won himself.
            account.periods = single_owner(self.chronicle, data.HYBRID, start)
        else:
            pool = self._owner_pool(account)
            owner = self._draw(pool)
            hunter = self.rng.choice(data.HUNTERS) if self.rng.random() < 0.6 else None
            departure = self.departure_day if self._served_by_departed(account, start) else None
            account.periods = ownership_history(
                self.chronicle, start=start, owner=owner, pool=pool, hunter=hunter, departure=departure
            )
        first = account.periods[0]
        account.created_at = first.started_at
        account.created_by = first.changed_by
        account.status_changed_at = self._status_moment(account, start)

    def _served_by_departed(self, account: AccountPlan, start: dt.date) -> bool:
        return (
            account.tier != Tier.KEY
            and account.region.group == "center"
            and (self.departure_day - start).days >= 200
            and self.rng.random() < 0.15
        )

    def _status_moment(self, account: AccountPlan, start: dt.date) -> dt.datetime:
        age = (self.today - start).days
        ranges = {
            AccountStatus.ACTIVE: (30, age - 20),
            AccountStatus.DORMANT: (45, 240),
            AccountStatus.CHURNED: (60, min(540, age - 30)),
            AccountStatus.REACTIVATED: (7, 120),
        }
        low, high = ranges[account.status]
        return self.moment(self.days_ago(low, max(low, high)))

    def _profile(self, account: AccountPlan) -> dict:
        """The strategic profile an account manager keeps for key and A clients."""
        rng, industry, year = self.rng, account.industry, self.today.year
        key = account.tier == Tier.KEY
        revenue = rng.randint(15, 400) if key else rng.randint(12, 149) / 10
        investment = f"{rng.randint(2, 40)} млрд" if key else f"{rng.randint(15, 90) * 10} млн"
        first, second = rng.sample(data.COMPETITORS, 2)
        notes = rng.sample(data.COMPETITOR_NOTES, 2)
        barriers = rng.sample(data.SWITCHING_BARRIERS, rng.randint(2, 3))
        budget = rng.randint(250, 1800) if key else rng.randint(25, 240)
        return {
            "goals": _sentence(f"{rng.choice(industry.goals)}; {rng.choice(data.GENERIC_GOALS)}"),
            "strategy": rng.choice(data.STRATEGIES).format(
                n=rng.randint(3, 15), year=year + rng.randint(1, 3)
            ),
            "investment_plans": (
                f"Инвестпрограмма {investment} ₽ на {year}–{year + 2} гг.: {' и '.join(industry.investments)}."
            ),
            "financial_indicators": (
                f"Выручка за {year - 1} г. — {_ru_number(revenue)} млрд ₽ "
                f"({rng.randint(-8, 25):+d} % к {year - 2} г.), EBITDA-маржа {rng.randint(6, 32)} %, "
                f"чистый долг/EBITDA {_ru_number(rng.randint(0, 35) / 10)}. {rng.choice(data.PAYMENT_DISCIPLINE)}"
            ),
            "agreed_budget": Decimal(budget * 100_000),
            "competitors": f"«{first}» — {notes[0]}; «{second}» — {notes[1]}.",
            "switching_barriers": _sentence("; ".join(barriers)),
        }

    # Contacts -------------------------------------------------------------------------------------------

    def _contact(self, account: AccountPlan, role: str, person: PersonName | None = None) -> ContactPlan:
        rng = self.rng
        person = person or person_name(rng)
        since = timezone.localtime(account.created_at).date()
        added = self.day_between(since, self.today - dt.timedelta(days=1))
        added_at = max(self.moment(added), account.created_at)  # never before the account itself
        consent = rng.random() < 0.85
        # An entrepreneur's people write from personal mailboxes; a company has its own domain.
        email_domain = rng.choice(data.PERSONAL_MAIL_DOMAINS) if account.is_entrepreneur else account.domain
        phone = ""
        if rng.random() < 0.9:
            phone = mobile_phone(rng) if rng.random() < 0.6 else office_phone(rng, account.region)
        return ContactPlan(
            full_name=person.full,
            position=rng.choice(data.CONTACT_POSITIONS[role]),
            phone=phone,
            email=f"{mailbox(rng, person)}@{email_domain}" if rng.random() < 0.9 else "",
            buying_role=role,
            consent_given=consent,
            consent_date=self.day_between(added, self.today - dt.timedelta(days=1)) if consent else None,
            consent_source=rng.choice(data.CONSENT_SOURCES) if consent else "",
            added_at=added_at,
            added_by=_responsible_at(account, added_at),
        )

    def _contacts(self, account: AccountPlan, entrepreneur: PersonName | None) -> list[ContactPlan]:
        low, high = (1, 2) if account.status == AccountStatus.PROSPECT else CONTACTS_BY_TIER[account.tier]
        count = self.rng.randint(low, high)
        contacts = []
        if entrepreneur is not None:
            owner = self._contact(account, BuyingRole.DECISION_MAKER, entrepreneur)
            owner.position = "Индивидуальный предприниматель"
            contacts.append(owner)
        elif self.rng.random() < 0.85:
            contacts.append(self._contact(account, BuyingRole.DECISION_MAKER))
        roles, weights = zip(*OTHER_BUYING_ROLES, strict=True)
        while len(contacts) < count:
            contacts.append(self._contact(account, self.rng.choices(roles, weights)[0]))
        _dedupe_emails(contacts)
        return contacts

    def _fill(self, account: AccountPlan) -> None:
        account.industry = self._industry(account)
        account.region = self._region(account)
        account.segment = self._segment(account)
        entrepreneur = self._name_and_tax_ids(account)
        if account.status == AccountStatus.PROSPECT:
            self._prospect_history(account)
        elif account.status == AccountStatus.HANDOFF:
            self._handoff_history(account)
        else:
            self._client_history(account)
        if account.tier in (Tier.KEY, Tier.A) and account.status != AccountStatus.PROSPECT:
            account.profile = self._profile(account)
        account.contacts = self._contacts(account, entrepreneur)
        self._collaborators(account)

    def _collaborators(self, account: AccountPlan) -> None:
        """The open handoff of a client just won, the hunter's attribution, and a project manager on big clients."""
        if account.status == AccountStatus.HANDOFF:
            account.handoff = open_handoff(
                self.chronicle,
                hunter=account.owner,
                receiver=self._draw(self._owner_pool(account)),
                started_at=account.status_changed_at,
                contacts=account.contacts,
                names=DISPLAY_NAMES,
            )
        account.team = hunter_attribution(self.chronicle, account.periods, data.HUNTERS)
        wants_pm = {Tier.KEY: 0.5, Tier.A: 0.15}.get(account.tier, 0)
        if account.status in SERVED and self.rng.random() < wants_pm:
            manager = "pm1" if account.tier == Tier.KEY or account.region.group == "center" else "pm2"
            since = max(timezone.localtime(account.created_at).date(), self.today - dt.timedelta(days=730))
            account.team.append(
                project_manager(self.chronicle, manager=manager, owner=account.owner, since=since)
            )

    def _global_account_managers(self, accounts: list[AccountPlan]) -> None:
        """Every holding served by the company gets a global account manager from the key-accounts team, and
        each served subsidiary's manager is its national account manager in that holding."""
        parents = {id(a.parent) for a in accounts if a.parent is not None}
        tops = [a for a in accounts if id(a) in parents and a.parent is None and a.status in SERVED]
        for n, top in enumerate(tops):
            since = max(timezone.localtime(top.created_at).date(), self.today - dt.timedelta(days=900))
            top.team.append(
                global_account_manager(self.chronicle, manager=("kam1", "kam2")[n % 2], since=since)
            )
        for account in accounts:
            if account.parent is not None and account.status in SERVED and account.periods:
                account.team.append(national_account_manager(self.chronicle, account.periods[-1]))

    def build(self) -> Plan:
        accounts = self._skeleton()
        holdings = self._form_holdings(accounts)
        # Parents first: a subsidiary takes its holding's name and industry, and is written after it.
        accounts.sort(key=lambda a: a.depth)
        for account in accounts:
            self._fill(account)
        self._global_account_managers(accounts)
        return Plan(accounts=accounts, departure_day=self.departure_day, holdings=holdings)


def _decider(username: str) -> str:
    """Who reassigns an account to this person: the lead of his team, or the head for a lead himself."""
    person = PEOPLE_BY_NAME[username]
    team = TEAMS_BY_KEY.get(person.team)
    if team is None or team.lead == username:
        return "head"
    return team.lead


def _responsible_at(account: AccountPlan, moment: dt.datetime) -> str:
    """Who was responsible then (he is the one who added a contact); the creator before anyone was."""
    current = account.created_by
    for period in account.periods:
        if period.started_at <= moment:
            current = period.manager
    return current


def _sentence(text: str) -> str:
    """Capitalise the first letter only (str.capitalize would lower-case «EDI» and «ЭДО»)."""
    return text[0].upper() + text[1:] + "."


def _ru_number(value: float) -> str:
    """3.4 → «3,4»: Russian writes a decimal comma."""
    return str(value).replace(".", ",")


def _dedupe_emails(contacts: list[ContactPlan]) -> None:
    seen: set[str] = set()
    for contact in contacts:
        if contact.email and contact.email in seen:
            local, domain = contact.email.split("@")
            contact.email = f"{local}{len(seen)}@{domain}"
        seen.add(contact.email)


PEOPLE_BY_NAME = {p.username: p for p in data.PEOPLE}
DISPLAY_NAMES = {p.username: p.display_name for p in data.PEOPLE}
TEAMS_BY_KEY = {t.key: t for t in data.TEAMS}


def build_plan(*, accounts: int, seed: int, today: dt.date) -> Plan:
    return Planner(accounts=accounts, seed=seed, today=today).build()
