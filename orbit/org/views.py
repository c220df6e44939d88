from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.api import services as token_services
from orbit.api.models import ApiToken
from orbit.common.forms import apply_service_error
from orbit.org import services
from orbit.org.forms import ProfileForm, TokenForm
from orbit.org.selectors import team_tree


def _profile_context(request, **extra):
    return {
        "tokens": request.user.api_tokens.all(),
        "token_form": TokenForm(),
        "roles": [r.get_role_display() for r in request.user.roles.all()],
        **extra,
    }


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            by=request.user, user=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(request, _("Profile saved."))
        return redirect("org:profile")
    status = 400 if form.errors else 200
    return render(request, "org/profile.html", _profile_context(request, form=form), status=status)


@login_required
@require_POST
def token_create(request):
    token_form = TokenForm(request.POST)
    new_token = None
    if token_form.is_valid():
        try:
            _token, new_token = token_services.token_issue(
                by=request.user, name=token_form.cleaned_data["name"]
            )
        except ValidationError as exc:
            apply_service_error(token_form, exc)
        else:
            token_form = TokenForm()
    return render(
        request,
        "org/profile.html",
        _profile_context(
            request, form=ProfileForm(instance=request.user), token_form=token_form, new_token=new_token
        ),
        status=400 if token_form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = token_services.token_revoke(
        by=request.user, token=get_object_or_404(ApiToken, pk=pk, user=request.user)
    )
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("org:profile")


@login_required
def teams(request):
    return render(request, "org/teams.html", {"roots": team_tree(), "span": settings.ORBIT_SPAN_OF_CONTROL})
