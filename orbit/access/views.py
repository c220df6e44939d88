from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orbit.access.forms import VisibilityPolicyForm
from orbit.access.models import VisibilityPolicy
from orbit.access.policy import can_set_policy


@login_required
def visibility_settings(request):
    if not can_set_policy(request.user):
        raise PermissionDenied
    form = VisibilityPolicyForm(request.POST or None, instance=VisibilityPolicy.current())
    if request.method == "POST" and form.is_valid():
        form.instance._history_user = request.user
        form.save()
        messages.success(
            request, _("Visibility policy saved. It applies from the next page each person opens.")
        )
        return redirect("access:visibility")
    history = VisibilityPolicy.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "access/visibility.html", {"form": form, "history": history})
