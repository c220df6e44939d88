"""Monthly bonus statements per person (docs/managers-bonuses.md): every line and its sum.

An OPEN month is computed from the ledger each time it is read ("provisional"); a CLOSED month is read from
the rows stored when the head closed it (`ClosedStatement`/`ClosedLine`) and never recomputed.

Lines of an open month M, for a person P, with the rule version in force in M and P's role's rule:
- **payment**: each allocation of money received in M (`Payment.received_on`), its paid share of the invoice in
  the base currency exactly as orbit.growth.plan_fact computes it (`paid_share`: round(allocation ×
  net_total_base / total, 2), or of the margin), split between the farmer (the payment's `manager`, the
  responsible on the payment's day by the ownership ledger) and the hunter (the `from_user` of a completed
  from-sales handoff of the account decided — local date — on D, for payments with D ≤ received_on < D +
  hunter_months months: he gets `hunter_share` %, the farmer the rest). base = paid share × share %, amount =
  base × the rule's percentage for the invoice's kind of sale (orbit.growth.sale_kinds), each rounded to the
  kopeck (half up).
- **late**: money that belongs to a closed month (received then) but was recorded or allocated after that month
  was closed: it falls into the first open month from the month it was recorded in, with a note.
- **clawback**: an allocation paid in a closed month and released since (a credit note, latest first; see
  orbit.revenue.invoicing.release_overpaid): a negative line at the share and percentage the original line was
  paid at, in the first open month from the month of the credit note.
- **fixed**: the rule's fixed part.
- **threshold / accelerator / cap / cap_amount**: visible adjustments of the variable part V (payment and late
  lines): fact F = the sum of those lines' base, plan P = the person's SalesPlan of M (revenue or margin as the
  rule's base). F < threshold % × P: −V. Otherwise the variable earned on the part of F above P (up to the
  cap % of plan) is paid × accelerator: + V × (min(F, cap×P) − P) / F × (accelerator − 1); the part of F above
  cap % × P earns nothing: − V × (F − cap×P) / F; then the variable pay is limited to `cap_amount`. Without a
  plan none of them applies (a note says so). Clawbacks are not adjusted: they take back what was paid.

Cost: a fixed handful of grouped queries whatever the number of people and lines (no query per line).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.bonuses.models import (
    RULE_ROLES,
    Base,
    ClosedLine,
    ClosedStatement,
    MonthClose,
    MonthReopen,
    RuleVersion,
)
from orbit.bonuses.rules import rule_for, version_in_force
from orbit.growth.models import SalesPlan
from orbit.growth.plan_fact import paid_share, visible_people
from orbit.growth.plans import next_month
from orbit.growth.sale_kinds import SaleKind, sale_kind_of
from orbit.handoffs.models import Handoff, HandoffKind, HandoffStatus
from orbit.org.models import User
from orbit.revenue.models import Invoice, InvoiceKind, PaymentAllocation

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

LINE_KINDS = {
    "payment": gettext_lazy("Payment"),
    "late": gettext_lazy("Late payment"),
    "clawback": gettext_lazy("Clawback"),
    "fixed": gettext_lazy("Fixed part"),
    "threshold": gettext_lazy("Threshold not reached"),
    "accelerator": gettext_lazy("Accelerator above plan"),
    "cap": gettext_lazy("Cap, percent of plan"),
    "cap_amount": gettext_lazy("Cap on variable pay"),
}
MONEY_LINES = ("payment", "late", "clawback")


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    kind: str
    amount: Decimal
    account_id: int | None = None
    account_name: str = ""
    invoice_id: int | None = None
    invoice_number: str = ""
    payment_id: int | None = None
    received_on: dt.date | None = None
    allocation_id: int | None = None
    allocation_amount: Decimal | None = None
    paid_base: Decimal | None = None  # the allocation's whole paid share (before the person's share)
    base_kind: str = ""
    sale_kind: str = ""
    share: Decimal | None = None  # % of the paid share that is this person's
    base: Decimal | None = None  # paid_base × share
    rate: Decimal | None = None  # % of the base paid
    rule_version_id: int | None = None
    note: str = ""

    @property
    def kind_label(self) -> str:
        return str(LINE_KINDS.get(self.kind, self.kind))

    @property
    def sale_kind_label(self) -> str:
        return str(SaleKind(self.sale_kind).label) if self.sale_kind in SaleKind.values else ""


@dataclass
class Statement:
    month: dt.date
    person_id: int
    person_name: str = ""
    team_name: str = ""
    role: str = ""
    rule_version_id: int | None = None
    rule_label: str = ""
    base: str = Base.REVENUE
    plan: Decimal | None = None
    fact: Decimal = ZERO
    lines: list[Line] = field(default_factory=list)
    closed: bool = False
    closed_at: dt.datetime | None = None

    @property
    def fixed(self) -> Decimal:
        return sum((x.amount for x in self.lines if x.kind == "fixed"), ZERO)

    @property
    def variable(self) -> Decimal:
        return sum((x.amount for x in self.lines if x.kind != "fixed"), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((x.amount for x in self.lines), ZERO)

    @property
    def attainment(self) -> Decimal | None:
        if not self.plan or self.plan <= 0:
            return None
        return (self.fact * HUNDRED / self.plan).quantize(Decimal("0.1"))

    @property
    def role_label(self) -> str:
        from orbit.org.models import Role

        return str(Role(self.role).label) if self.role in Role.values else ""

    def sum_of(self, kind: str) -> Decimal:
        return sum((x.amount for x in self.lines if x.kind == kind), ZERO)

    def by_sale_kind(self) -> dict[str, Decimal]:
        """Payment and late lines' amounts per kind of sale, in SaleKind's order."""
        sums: dict[str, Decimal] = {}
        for line in self.lines:
            if line.kind in ("payment", "late"):
                sums[line.sale_kind] = sums.get(line.sale_kind, ZERO) + line.amount
        return {kind: sums[kind] for kind in SaleKind.values if kind in sums}


# --- who is judged by which rule ------------------------------------------------------------------------------


def role_of(roles: set[str] | frozenset[str]) -> str:
    """The role whose rule judges a person with `roles` (RULE_ROLES' order), or ''."""
    return next((role for role in RULE_ROLES if role in roles), "")


def _people(people: set[int] | None, with_lines: set[int]) -> list[User]:
    """The people to give statements to: those with a rule's role (active), and anyone with lines."""
    rows = User.objects.select_related("team").prefetch_related("roles").order_by("display_name", "username")
    judged = Q(is_active=True, roles__role__in=list(RULE_ROLES)) | Q(pk__in=with_lines)
    rows = rows.filter(judged).distinct()
    if people is not None:
        rows = rows.filter(pk__in=people)
    return list(rows)


# --- month state ---------------------------------------------------------------------------------------------


def closes() -> dict[dt.date, MonthClose]:
    return {c.month: c for c in MonthClose.objects.select_related("closed_by")}


def target_month(own: dt.date, event: dt.date | None, closed: dict) -> dt.date:
    """Where a change to a closed month's money goes: the first open month from the later of the month after
    `own` and the month of the event."""
    month = next_month(own)
    if event is not None and event > month:
        month = event
    while month in closed:
        month = next_month(month)
    return month


# --- attribution ---------------------------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _hunter_windows(account_ids) -> dict[int, list[tuple[dt.date, int]]]:
    """account -> [(local date the handoff from sales was decided, hunter)], latest first."""
    found: dict[int, list[tuple[dt.date, int]]] = {}
    rows = (
        Handoff.objects.filter(
            account_id__in=account_ids,
            kind=HandoffKind.FROM_SALES,
            status=HandoffStatus.COMPLETED,
            decided_at__isnull=False,
        )
        .values_list("account_id", "decided_at", "from_user_id")
        .order_by("-decided_at")
    )
    for account_id, decided_at, hunter in rows:
        found.setdefault(account_id, []).append((timezone.localdate(decided_at), hunter))
    return found


def split(
    received_on: dt.date, farmer: int | None, account_id: int, windows: dict, version: RuleVersion | None
) -> list[tuple[int, Decimal, str]]:
    """[(person, share %, note)] of a payment's bonus base: the farmer and, within the window, the hunter."""
    hunter_months = version.hunter_months if version else 0
    hunter_share = version.hunter_share if version else ZERO
    for decided_on, hunter in windows.get(account_id, []):
        if decided_on <= received_on:
            ends = _add_months(decided_on, hunter_months)
            if received_on < ends and hunter != farmer and hunter_share > 0:
                note = _("hunter's window %(start)s – %(end)s") % {
                    "start": f"{decided_on:%d.%m.%Y}",
                    "end": f"{ends - dt.timedelta(days=1):%d.%m.%Y}",
                }
                parts = [(hunter, Decimal(hunter_share), note)]
                if farmer is not None and hunter_share < HUNDRED:
                    parts.append((farmer, HUNDRED - hunter_share, note))
                return parts
            break  # only the latest handoff decided by the payment's day counts
    return [] if farmer is None else [(farmer, HUNDRED, "")]


# --- computing open months -------------------------------------------------------------------------------------


def _allocations(query):
    margin = F("invoice__net_total_base") - F("invoice__cost_total_base")
    return query.annotate(
        paid_net=paid_share(),
        paid_margin=paid_share(margin),
        sale_kind=sale_kind_of("invoice__"),
        received_on=F("payment__received_on"),
        farmer=F("payment__manager_id"),
        account=F("invoice__account_id"),
        account_name=Coalesce(
            NullIf("invoice__account__short_name", Value("")), "invoice__account__legal_name"
        ),
        invoice_number=F("invoice__number"),
    ).values(
        "id",
        "amount",
        "created_at",
        "payment_id",
        "invoice_id",
        "paid_net",
        "paid_margin",
        "sale_kind",
        "received_on",
        "farmer",
        "account",
        "account_name",
        "invoice_number",
    )


def _frozen_sums(query) -> dict[tuple[int, int], dict]:
    """(person, allocation) -> sums of the closed lines and the first line's share and rate."""
    rows = (
        query.filter(allocation_id__isnull=False)
        .values(person=F("statement__person_id"), alloc=F("allocation_id"))
        .annotate(
            allocated=Sum("allocation_amount"),
            paid=Sum("paid_base"),
            base_kind=Max("base_kind"),
            share=Max("share"),
            rate=Max("rate", filter=Q(kind__in=("payment", "late"))),
            rule_version=Max("rule_version_id"),
            invoice=Max("invoice_id"),
            invoice_number=Max("invoice_number"),
            payment=Max("payment_id"),
            received_on=Max("received_on"),
            account=Max("account_id"),
            account_name=Max("account_name"),
            sale_kind=Max("sale_kind"),
        )
        .order_by()
    )
    return {(r["person"], r["alloc"]): r for r in rows}


def _rate(rule, sale_kind: str) -> Decimal:
    if rule is None:
        return ZERO
    return Decimal(rule.percents.get(sale_kind, "0"))


def _money_line(kind, alloc: dict, person_rule, version, share, paid_base, base_kind, rate, note) -> Line:
    base = cents(paid_base * share / HUNDRED)
    return Line(
        kind=kind,
        amount=cents(base * rate / HUNDRED),
        account_id=alloc.get("account"),
        account_name=alloc.get("account_name") or "",
        invoice_id=alloc.get("invoice_id", alloc.get("invoice")),
        invoice_number=alloc.get("invoice_number") or "",
        payment_id=alloc.get("payment_id", alloc.get("payment")),
        received_on=alloc.get("received_on"),
        allocation_id=alloc.get("id", alloc.get("alloc")),
        allocation_amount=alloc.get("_delta_amount", alloc.get("amount")),
        paid_base=paid_base,
        base_kind=base_kind,
        sale_kind=alloc.get("sale_kind") or "",
        share=share,
        base=base,
        rate=rate,
        rule_version_id=version.pk if version else None,
        note=note,
    )


def compute_open(month: dt.date, people: set[int] | None) -> list[Statement]:
    """The statements of the open `month` for `people` (None: everyone), from the ledger."""
    versions = list(RuleVersion.objects.prefetch_related("rules").order_by("valid_from"))
    version = version_in_force(month, versions)
    closed = closes()
    closed.pop(month, None)  # computed as open (also while it is being closed)
    end = next_month(month)

    # The allocations whose money may fall into this month: received in it, or received in a closed month
    # before it and allocated after that month was closed.
    late = Q(pk__in=[])
    for closed_month, close in closed.items():
        if closed_month < month:
            late |= Q(
                payment__received_on__gte=closed_month,
                payment__received_on__lt=next_month(closed_month),
                created_at__gt=close.closed_at,
            )
    received = Q(payment__received_on__gte=month, payment__received_on__lt=end)
    query = PaymentAllocation.objects.filter(received | late)
    if people is not None:
        hunted = Handoff.objects.filter(
            kind=HandoffKind.FROM_SALES, status=HandoffStatus.COMPLETED, from_user_id__in=people
        ).values("account_id")
        query = query.filter(Q(payment__manager_id__in=people) | Q(invoice__account_id__in=hunted))
    allocations = list(_allocations(query))
    windows = _hunter_windows({a["account"] for a in allocations})
    frozen_lines = ClosedLine.objects.exclude(statement__month=month)  # every closed month's, before or after
    frozen = _frozen_sums(frozen_lines.filter(allocation_id__in=[a["id"] for a in allocations]))

    # Released or grown since a closed month: the closed lines' allocations whose amount is not what was paid.
    current = PaymentAllocation.objects.filter(pk=OuterRef("allocation_id")).values("amount")[:1]
    changed_query = frozen_lines.annotate(current=Coalesce(Subquery(current), ZERO))
    if people is not None:
        changed_query = changed_query.filter(statement__person_id__in=people)
    changed_rows = (
        changed_query.filter(allocation_id__isnull=False)
        .values(person=F("statement__person_id"), alloc=F("allocation_id"))
        .annotate(allocated=Sum("allocation_amount"), now=Max("current"))
        .filter(~Q(allocated=F("now")))
        .values_list("person", "alloc")
    )
    changed_keys = set(changed_rows)
    changed = _frozen_sums(
        frozen_lines.filter(
            allocation_id__in={a for _p, a in changed_keys},
            statement__person_id__in={p for p, _a in changed_keys},
        )
    )
    changed = {key: row for key, row in changed.items() if key in changed_keys}
    now_rows = {
        a["id"]: a for a in _allocations(PaymentAllocation.objects.filter(pk__in={a for _p, a in changed}))
    }
    credit_months = {
        r["corrects_id"]: r["last"].replace(day=1)
        for r in Invoice.objects.filter(
            kind=InvoiceKind.CREDIT_NOTE, corrects_id__in={row["invoice"] for row in changed.values()}
        )
        .values("corrects_id")
        .annotate(last=Max("issued_on"))
        .order_by()
    }

    lines: dict[int, list[Line]] = {}
    person_roles: dict[int, str] = {}
    users = {}

    def rule_of(person: int):
        return rule_for(version, person_roles.get(person, ""))

    # People first (their roles decide their rules).
    candidates = {a["farmer"] for a in allocations if a["farmer"]} | {p for p, _a in changed}
    for account_windows in windows.values():
        candidates |= {hunter for _d, hunter in account_windows}
    if people is not None:
        candidates &= people
    for user in _people(people, candidates):
        users[user.pk] = user
        person_roles[user.pk] = role_of(user.role_set)

    for alloc in allocations:
        own = alloc["received_on"].replace(day=1)
        is_late = own != month
        if is_late:
            recorded = timezone.localdate(alloc["created_at"]).replace(day=1)
            if target_month(own, recorded, closed) != month:
                continue
        for person, share, note in split(
            alloc["received_on"], alloc["farmer"], alloc["account"], windows, version
        ):
            if person not in users:
                continue
            rule = rule_of(person)
            base_kind = rule.base if rule else Base.REVENUE
            paid = alloc["paid_margin"] if base_kind == Base.MARGIN else alloc["paid_net"]
            before = frozen.get((person, alloc["id"]))
            amount = alloc["amount"]
            if before is not None:  # part of it was paid in a closed month already
                paid -= before["paid"] or ZERO
                amount -= before["allocated"] or ZERO
                if not amount:
                    continue
            if is_late:
                note = "; ".join(
                    filter(
                        None,
                        [
                            _("received %(day)s, in a closed month")
                            % {"day": f"{alloc['received_on']:%d.%m.%Y}"},
                            note,
                        ],
                    )
                )
            row = {**alloc, "_delta_amount": amount}
            lines.setdefault(person, []).append(
                _money_line(
                    "late" if is_late else "payment",
                    row,
                    rule,
                    version,
                    share,
                    _money(paid),
                    base_kind,
                    _rate(rule, alloc["sale_kind"]),
                    note,
                )
            )

    for (person, alloc_id), before in changed.items():
        if person not in users:
            continue
        now = now_rows.get(alloc_id)
        own = before["received_on"].replace(day=1)
        if own == month or own not in closed:
            continue  # its own month is open (reopened): the difference is counted there, with the payment
        now_amount = now["amount"] if now else ZERO
        delta_amount = now_amount - (before["allocated"] or ZERO)
        base_kind = before["base_kind"] or Base.REVENUE
        now_paid = ZERO
        if now is not None:
            now_paid = now["paid_margin"] if base_kind == Base.MARGIN else now["paid_net"]
        delta_paid = _money(now_paid) - (before["paid"] or ZERO)
        if delta_amount < 0:
            event = credit_months.get(before["invoice"])
            if target_month(own, event, closed) != month:
                continue
            kind, rate = "clawback", before["rate"] or ZERO
            note = _("released from the payment of %(day)s (closed month)") % {
                "day": f"{before['received_on']:%d.%m.%Y}"
            }
        else:
            if target_month(own, None, closed) != month:
                continue
            kind, rate = "late", _rate(rule_of(person), before["sale_kind"])
            note = _("allocated later to a payment of %(day)s (closed month)") % {
                "day": f"{before['received_on']:%d.%m.%Y}"
            }
        row = {**before, "_delta_amount": delta_amount}
        line = _money_line(
            kind, row, None, version, before["share"] or HUNDRED, delta_paid, base_kind, rate, note
        )
        if kind == "clawback":
            line.rule_version_id = before["rule_version"]
        lines.setdefault(person, []).append(line)

    plans = {p.user_id: p for p in SalesPlan.objects.filter(month=month, user_id__in=list(users))}
    result = []
    for person_id, user in users.items():
        role = person_roles[person_id]
        rule = rule_of(person_id)
        statement = Statement(
            month=month,
            person_id=person_id,
            person_name=str(user),
            team_name=user.team.name if user.team else "",
            role=role,
            rule_version_id=version.pk if version and rule else None,
            rule_label=f"{version.valid_from:%m.%Y}" if version and rule else "",
            base=rule.base if rule else Base.REVENUE,
        )
        plan = plans.get(person_id)
        if plan is not None:
            statement.plan = plan.margin if statement.base == Base.MARGIN else plan.revenue
        money = sorted(
            lines.get(person_id, []),
            key=lambda x: (
                MONEY_LINES.index(x.kind),
                x.received_on or month,
                x.account_name,
                x.allocation_id or 0,
            ),
        )
        statement.lines = _adjusted(statement, rule, money)
        result.append(statement)
    return result


def _n(value) -> str:
    """A figure for a note, as the reader's language writes it (25 000,00)."""
    return number_format(value, use_l10n=True, force_grouping=True)


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(CENT)


def _adjusted(statement: Statement, rule, money: list[Line]) -> list[Line]:
    """The fixed part, the money lines and the threshold, accelerator and caps as lines of their own."""
    lines: list[Line] = []
    if rule is not None and rule.fixed:
        lines.append(Line(kind="fixed", amount=rule.fixed, rule_version_id=statement.rule_version_id))
    lines.extend(money)
    earned = [x for x in money if x.kind in ("payment", "late")]
    variable = sum((x.amount for x in earned), ZERO)
    fact = sum((x.base or ZERO for x in earned), ZERO)
    statement.fact = fact
    if rule is None or not earned:
        return lines
    plan = statement.plan
    version_id = statement.rule_version_id
    if plan is None or plan <= 0:
        if rule.threshold_percent or rule.accelerator != 1 or rule.cap_percent:
            lines.append(
                Line(
                    kind="threshold",
                    amount=ZERO,
                    rule_version_id=version_id,
                    note=_(
                        "No plan for the month: the threshold, accelerator and cap in percent of plan do not apply."
                    ),
                )
            )
    elif fact * HUNDRED < rule.threshold_percent * plan:
        lines.append(
            Line(
                kind="threshold",
                amount=-variable,
                rule_version_id=version_id,
                note=_("%(fact)s of the plan %(plan)s is below the threshold of %(threshold)s %%.")
                % {"fact": _n(fact), "plan": _n(plan), "threshold": _n(rule.threshold_percent)},
            )
        )
        return lines
    elif fact > 0:
        cap_at = rule.cap_percent * plan / HUNDRED if rule.cap_percent is not None else None
        above = (min(fact, cap_at) if cap_at is not None else fact) - plan
        if above > 0 and rule.accelerator > 1:
            extra = cents(variable * above / fact * (rule.accelerator - 1))
            lines.append(
                Line(
                    kind="accelerator",
                    amount=extra,
                    base=cents(above),
                    rate=rule.accelerator,
                    rule_version_id=version_id,
                    note=_("the variable pay on %(above)s above the plan × %(times)s")
                    % {"above": _n(cents(above)), "times": _n(rule.accelerator)},
                )
            )
        if cap_at is not None and fact > cap_at:
            over = fact - cap_at
            lines.append(
                Line(
                    kind="cap",
                    amount=-cents(variable * over / fact),
                    base=cents(over),
                    rule_version_id=version_id,
                    note=_("%(over)s above %(cap)s %% of plan earns nothing")
                    % {"over": _n(cents(over)), "cap": _n(rule.cap_percent)},
                )
            )
    if rule.cap_amount is not None:
        paid = sum((x.amount for x in lines if x.kind not in ("fixed", "clawback")), ZERO)
        if paid > rule.cap_amount:
            lines.append(
                Line(
                    kind="cap_amount",
                    amount=rule.cap_amount - paid,
                    rule_version_id=version_id,
                    note=_("the variable pay is limited to %(cap)s a month") % {"cap": _n(rule.cap_amount)},
                )
            )
    return lines


# --- closed months -------------------------------------------------------------------------------------------

LINE_FIELDS = (
    "kind",
    "amount",
    "account_id",
    "account_name",
    "invoice_id",
    "invoice_number",
    "payment_id",
    "received_on",
    "allocation_id",
    "allocation_amount",
    "paid_base",
    "base_kind",
    "sale_kind",
    "share",
    "base",
    "rate",
    "rule_version_id",
    "note",
)


def read_closed(month: dt.date, people: set[int] | None, close: MonthClose) -> list[Statement]:
    rows = ClosedStatement.objects.filter(month=month).select_related("person", "person__team")
    if people is not None:
        rows = rows.filter(person_id__in=people)
    rows = rows.order_by("person__display_name", "person__username")
    found = {row.pk: row for row in rows}
    lines: dict[int, list[Line]] = {}
    # Closed lines: read under their statement, itself people-scoped (docs: who sees a statement).
    for line in ClosedLine.objects.filter(statement_id__in=list(found)).order_by("statement_id", "position"):
        lines.setdefault(line.statement_id, []).append(Line(**{f: getattr(line, f) for f in LINE_FIELDS}))
    result = []
    for pk, row in found.items():
        result.append(
            Statement(
                month=month,
                person_id=row.person_id,
                person_name=str(row.person),
                team_name=row.person.team.name if row.person.team else "",
                role=row.role,
                rule_version_id=row.rule_version_id,
                rule_label=row.rule_label,
                base=row.base or Base.REVENUE,
                plan=row.plan,
                fact=row.fact,
                lines=lines.get(pk, []),
                closed=True,
                closed_at=close.closed_at,
            )
        )
    return result


def month_statements(month: dt.date, people: set[int] | None) -> list[Statement]:
    """Every statement of `month` for `people` (None: everyone): stored when closed, else computed."""
    close = MonthClose.objects.filter(month=month).first()
    if close is not None:
        return read_closed(month, people, close)
    return compute_open(month, people)


# --- what a user may read --------------------------------------------------------------------------------------


def statements_for(user, month: dt.date) -> list[Statement]:
    """The statements of `month` `user` may see: his own, his people's (a lead), everyone's (the head)."""
    people = visible_people(user)
    if people is not None and not people:
        return []
    return month_statements(month, people)


def statement_for(user, person_id: int, month: dt.date) -> Statement | None:
    """One person's statement, or None when `user` may not see that person (the caller answers 404)."""
    people = visible_people(user)
    if people is not None and person_id not in people:
        return None
    found = month_statements(month, {person_id})
    if found:
        return found[0]
    person = User.objects.filter(pk=person_id).select_related("team").first()
    if person is None:
        return None
    return Statement(month=month, person_id=person_id, person_name=str(person), closed=month in closes())


def reopenings(month: dt.date) -> list[MonthReopen]:
    return list(MonthReopen.objects.filter(month=month).select_related("reopened_by"))
