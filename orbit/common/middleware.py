from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from orbit.common.refusal import refused

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


class ActivateUserLanguageMiddleware:
    """The user's own language wins; then the language cookie; then Russian (the product default).

    Browser Accept-Language is deliberately ignored: Russian-speaking users often run English browsers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        if not language:
            language = request.COOKIES.get(LANGUAGE_COOKIE)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulBytesMiddleware:
    """A NUL byte in the query string means nothing to a person and PostgreSQL text cannot hold it: answer 400
    with the reason instead of the database error a search or filter would raise. (Form fields refuse it
    themselves; the API's `Text` type does so for JSON.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            return self.get_response(request)  # the API answers in JSON: its `Text` type refuses NUL (422)
        if any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return refused(request, [_("The address contains a NUL character.")], back_url=request.path)
        return self.get_response(request)
