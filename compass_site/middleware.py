import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

from assessments import languages

LAST_SEEN = "last_seen"
SIGNED_IN_AT = "signed_in_at"


class IdleSessionTimeoutMiddleware:
    """Sign out a session left idle longer than SESSION_IDLE_TIMEOUT seconds, and any session
    SESSION_COOKIE_AGE seconds after sign-in whatever its activity (the absolute limit: the
    session cookie's own expiry moves with every save, so it cannot enforce that alone).

    The time of the last request is written at most once a minute, so an active session does
    not rewrite its row on every click. Every request counts as activity, background draft
    saves included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            # Sessions from before the absolute limit was recorded start counting now.
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - signed_in_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            elif now - last_seen >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def remember_sign_in(sender, request, user, **kwargs):
    """Start the idle clock and the absolute one at sign-in, in the same session write as the
    sign-in itself."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LAST_SEEN] = now
        request.session[SIGNED_IN_AT] = now


class PrivatePagesNoStoreMiddleware:
    """``Cache-Control: no-store`` (and private, no-cache) on every page of a signed-in person
    and every rater-link page: reports, plans, HR pages and answers must not stay in a shared
    or back-button cache after sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        rater_page = getattr(request.resolver_match, "namespace", None) == "rater"
        if signed_in or rater_page:
            add_never_cache_headers(response)
        return response


class UserLanguageMiddleware:
    """Pages in the language a signed-in user chose (saved on their account).

    Runs after AuthenticationMiddleware; before it, Django's LocaleMiddleware has picked the
    language of the cookie or the browser, which anonymous pages keep.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            languages.activate_for_request(request, user.language)
        return self.get_response(request)
