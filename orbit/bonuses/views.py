"""The Bonuses tab of the Managers area: the month's statements (the head's and a lead's list; a manager lands on
his own), a statement with its lines and chart and its XLSX, the rule versions, closing and reopening a month.
Every read is people-scoped (orbit.growth.plan_fact.visible_people): a colleague's statement is a 404 by any
door."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.bonuses import closing, rules, statements
from orbit.bonuses.charts import breakdown_chart
from orbit.bonuses.export import statement_xlsx
from orbit.bonuses.forms import MonthForm, VersionForm, initial_of
from orbit.bonuses.models import ROLE_CHOICES, MonthClose, RuleVersion
from orbit.bonuses.permissions import is_head
from orbit.common import idempotency
from orbit.common.charts import month_label
from orbit.common.errors import ConflictError
from orbit.growth.plan_fact import visible_people
from orbit.growth.plans import next_month, previous_month
from orbit.growth.sale_kinds import SaleKind
from orbit.revenue.rates import base_currency


def _month(request) -> tuple[MonthForm, dt.date]:
    form = MonthForm(request.GET or None)
    month = form.chosen_month()
    form.fields["month"].initial = month
    return form, month


def _month_context(month: dt.date) -> dict:
    return {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "month_label": month_label(month),
        "previous": f"{previous_month(month):%Y-%m}",
        "next": f"{next_month(month):%Y-%m}",
        "currency": base_currency(),
    }


def lands_on_own(user) -> bool:
    """A manager who leads nobody sees only his own statement: the list is just that one."""
    people = visible_people(user)
    return people is not None and people == {user.pk}


@login_required
def statements_page(request):
    form, month = _month(request)
    if lands_on_own(request.user):
        return redirect(f"{reverse('bonuses:statement', args=[request.user.pk])}?month={month:%Y-%m}")
    found = statements.statements_for(request.user, month)
    close = MonthClose.objects.filter(month=month).select_related("closed_by").first()
    today = timezone.localdate()
    context = {
        **_month_context(month),
        "form": form,
        "statements": found,
        "total": sum((s.total for s in found), statements.ZERO),
        "close": close,
        "reopenings": statements.reopenings(month),
        "is_head": is_head(request.user),
        "may_close": is_head(request.user) and close is None and month < today.replace(day=1),
    }
    return TemplateResponse(request, "bonuses/statements.html", context)


def _statement_or_404(request, person_id: int, month: dt.date):
    statement = statements.statement_for(request.user, person_id, month)
    if statement is None:
        raise Http404
    return statement


@login_required
def statement_page(request, person_id: int):
    form, month = _month(request)
    statement = _statement_or_404(request, person_id, month)
    chart = breakdown_chart(statement, base_currency())
    context = {
        **_month_context(month),
        "form": form,
        "statement": statement,
        "chart": None if chart.is_empty else chart,
        "reopenings": statements.reopenings(month),
        "own": person_id == request.user.pk,
        "may_list": not lands_on_own(request.user),
    }
    return TemplateResponse(request, "bonuses/statement.html", context)


@login_required
def statement_export(request, person_id: int):
    _form, month = _month(request)
    statement = _statement_or_404(request, person_id, month)
    content = statement_xlsx(statement, base_currency())
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="bonus-{person_id}-{month:%Y-%m}.xlsx"'
    return response


@login_required
def rules_page(request):
    """The rule versions: the head all of them (and edits), anyone else the rule of his own role."""
    versions = list(RuleVersion.objects.prefetch_related("rules").order_by("-valid_from"))
    head = is_head(request.user)
    own_role = statements.role_of(request.user.role_set)
    rows = []
    for version in versions:
        first, last = rules.months_of(version, versions)
        shown = [r for r in version.rules.all() if head or r.role == own_role]
        for rule in shown:
            rule.percent_labels = [
                (label, rule.percents[kind]) for kind, label in SaleKind.choices if kind in rule.percents
            ]
        rows.append({"version": version, "first": first, "last": last, "rules": shown})
    context = {
        "rows": rows,
        "is_head": head,
        "own_role": dict(ROLE_CHOICES).get(own_role, ""),
        "in_force": rules.version_in_force(timezone.localdate().replace(day=1), versions),
        "currency": base_currency(),
    }
    return TemplateResponse(request, "bonuses/rules.html", context)


def _version_form(request, existing: RuleVersion | None):
    if not is_head(request.user):
        raise PermissionDenied(_("The bonus rules are set by the head of department."))
    status, conflict = 200, ""
    if request.method == "POST":
        form = VersionForm(request.POST)
        form.is_valid()
        arguments = form.service_arguments()
        try:
            idempotency.once(  # a double submit saves one version
                user=request.user,
                key=idempotency.key_of(request),
                scope="bonuses:version",
                model=RuleVersion,
                write=lambda: rules.version_save(by=request.user, existing=existing, **arguments),
            )
        except ConflictError as exc:
            status, conflict = 409, exc.messages[0]
        except ValidationError as exc:
            status = 400
            form.put_errors(exc.message_dict)
        else:
            messages.success(request, _("The bonus rules are saved."))
            return redirect("bonuses:rules")
    elif existing is None:  # a new version starts as a copy of the latest one, from next month
        latest = RuleVersion.objects.prefetch_related("rules").order_by("-valid_from").first()
        initial = initial_of(latest)
        initial.pop("version", None)
        initial["valid_until"] = ""
        initial["valid_from"] = f"{next_month(timezone.localdate().replace(day=1)):%Y-%m}"
        form = VersionForm(initial=initial)
    else:
        form = VersionForm(initial=initial_of(existing))
    context = {"form": form, "existing": existing, "conflict": conflict, "currency": base_currency()}
    return TemplateResponse(request, "bonuses/rule_form.html", context, status=status)


@login_required
def rule_create(request):
    return _version_form(request, None)


@login_required
def rule_edit(request, pk: int):
    if not is_head(request.user):
        raise PermissionDenied(_("The bonus rules are set by the head of department."))
    return _version_form(request, get_object_or_404(RuleVersion.objects.prefetch_related("rules"), pk=pk))


def _posted_month(request) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{request.POST.get('month', '')}-01")
    except ValueError:
        return None


def _refused(request, message: str, month: dt.date | None, status: int = 400):
    return TemplateResponse(
        request,
        "refused.html",
        {
            "reasons": [message],
            "back_url": reverse("bonuses:statements") + (f"?month={month:%Y-%m}" if month else ""),
        },
        status=status,
    )


@login_required
@require_POST
def month_close(request):
    if not is_head(request.user):
        raise PermissionDenied(_("Months are closed by the head of department."))
    month = _posted_month(request)
    if month is None:
        return _refused(request, _("Enter a month like 2026-03."), None)
    try:
        closing.month_close(by=request.user, month=month)
    except ValidationError as exc:
        return _refused(request, " ".join(exc.messages), month)
    messages.success(
        request, _("%(month)s is closed: its statements are stored.") % {"month": month_label(month)}
    )
    return redirect(f"{reverse('bonuses:statements')}?month={month:%Y-%m}")


@login_required
@require_POST
def month_reopen(request):
    if not is_head(request.user):
        raise PermissionDenied(_("Only the head of department may reopen a closed month."))
    month = _posted_month(request)
    if month is None:
        return _refused(request, _("Enter a month like 2026-03."), None)
    try:
        closing.month_reopen(by=request.user, month=month, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, " ".join(exc.messages), month)
    messages.success(request, _("%(month)s is open again (provisional).") % {"month": month_label(month)})
    return redirect(f"{reverse('bonuses:statements')}?month={month:%Y-%m}")
