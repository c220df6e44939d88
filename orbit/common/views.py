from django.conf import settings
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_POST


@require_POST
def set_language(request):
    """Switch the interface language: saved on the user's profile and in a cookie for the login page."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when a username+address pair is locked: say so plainly, with the wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )


# Orbit's own error pages (urls.py: handler403/404/500), in the user's language: the language middleware
# has already activated it when a view raises. Django's DEBUG page is never the answer a user sees.


def page_not_found(request, exception=None):
    """404: the page does not exist or belongs to an account the user may not see (both answer the same)."""
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    """403: the user may see this but not change it."""
    return render(request, "403.html", status=403)


def server_error(request):
    """500: rendered without a request context, so it needs neither the database nor the session.
    The database away or read-only is not a bug: 503 with Retry-After (orbit/ops/unavailable.py)."""
    from orbit.ops.unavailable import unavailable_response

    if (response := unavailable_response(request)) is not None:
        return response
    return HttpResponseServerError(loader.get_template("500.html").render({"LANGUAGE_CODE": get_language()}))
