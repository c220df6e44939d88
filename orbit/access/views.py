from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orbit.access import services
from orbit.access.forms import VisibilityPolicyForm
from orbit.access.models import VisibilityPolicy
from orbit.access.policy import can_set_policy


@login_required
def visibility_settings(request):
    if not can_set_policy(request.user):
        raise PermissionDenied
    form = VisibilityPolicyForm(request.POST or None, instance=VisibilityPolicy.current())
    if request.method == "POST" and form.is_valid():
        services.visibility_policy_save(by=request.user, policy=form.save(commit=False))
        messages.success(
            request, _("Visibility policy saved. It applies from the next page each person opens.")
        )
        return redirect("access:visibility")
    history = VisibilityPolicy.history.select_related("history_user").order_by("-history_date")[:20]
    status = 400 if form.errors else 200  # a refused change is not a page that looks like success
    return render(request, "access/visibility.html", {"form": form, "history": history}, status=status)
