"""The duplicates report and the merge page (issue 15): thin views over accounts/duplicates.py and merge.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts import duplicates, merge, selectors
from orbit.common.pagination import list_queries
from orbit.common.refusal import refused


@login_required
def duplicates_report(request):
    kind = request.GET.get("kind", "name")
    kind = kind if kind in duplicates.KINDS else "name"
    page = duplicates.page(request.user, kind, request.GET.get("page"))
    for group in page.object_list:
        first = group.accounts[0]
        group.can_merge = kind != "inn" and policy.can_change_account(request.user, first)
    query, _sort_query = list_queries(request.GET)
    return render(
        request,
        "accounts/duplicates.html",
        {"kind": kind, "counts": duplicates.counts(request.user), "page": page, "query": query},
    )


@login_required
def account_merge(request, pk: int):
    """GET: the two accounts side by side and the choice of the one that stays; POST: the merge."""
    account = selectors.account_get(request.user, pk)
    if not policy.can_change_account(request.user, account):
        raise PermissionDenied(_("You may merge only accounts you may change, both of them."))
    other_id = request.POST.get("other") or request.GET.get("with") or ""
    other = selectors.account_get(request.user, int(other_id)) if other_id.isdigit() else None
    if request.method == "POST":
        if other is None:
            return refused(request, [_("Choose the account to merge with.")], back_url=request.path)
        keep, gone = (other, account) if request.POST.get("keep") == str(other.pk) else (account, other)
        try:
            result = merge.merge_accounts(
                by=request.user,
                keep=keep,
                merged=gone,
                keep_version=_int(request.POST.get(f"version_{keep.pk}")),
                merged_version=_int(request.POST.get(f"version_{gone.pk}")),
            )
        except ValidationError as exc:  # a conflict (ConflictError) answers 409
            back = f"{reverse('accounts:merge', args=[pk])}?with={other.pk}"
            return refused(request, exc, back_url=back)
        messages.success(
            request,
            _("“%(merged)s” is merged into this account: everything linked to it is here now.")
            % {"merged": result.merged},
        )
        return redirect("accounts:detail", pk=keep.pk)
    pair = [account, other] if other is not None and other.pk != account.pk else [account]
    return render(
        request,
        "accounts/merge.html",
        {
            "account": account,
            "other": other if len(pair) == 2 else None,
            "pair": pair,
            "linked": merge.linked_counts(pair) if len(pair) == 2 else [],
            "can_merge_other": len(pair) == 2 and policy.can_change_account(request.user, other),
        },
    )


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None
