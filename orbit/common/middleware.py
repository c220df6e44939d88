from django.conf import settings
from django.utils import translation

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
