"""Notification pages: thin views over the notification selectors and services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from orbit.common import keyset
from orbit.notifications import selectors, services
from orbit.notifications.forms import PreferencesForm


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.my_unread(request.user) if unread_only else selectors.my_notifications(request.user)
    page = keyset.page_or_first(
        qs, selectors.LIST_ORDER, request.GET.get("page"), per_page=settings.ORBIT_PAGE_SIZE
    )
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
        },
    )


@never_cache
def bell(request):
    """The bell in the top bar; htmx loads it and asks again every minute."""
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=204)  # a session that expired: leave the bell as it is
        return redirect_to_login(request.get_full_path())
    return render(request, "notifications/_bell.html", {"unread": selectors.unread_count(request.user)})


def _safe(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@login_required
def notification_open(request, pk: int):
    """Follows the link of a notification and marks it read on the way."""
    notification = selectors.notification_get(request.user, pk)
    services.notification_mark_read(by=request.user, notification=notification)
    return redirect(notification.url if _safe(request, notification.url) else "notifications:list")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = selectors.notification_get(request.user, pk)
    services.notification_mark_read(by=request.user, notification=notification)
    next_url = request.POST.get("next", "")
    return redirect(next_url if _safe(request, next_url) else "notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(by=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, current=services.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.preferences_save(by=request.user, user=request.user, choices=form.choices())
        messages.success(request, _("Notification settings saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
