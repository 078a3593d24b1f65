import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN = "last_seen"


class IdleSessionTimeoutMiddleware:
    """Sign out a session left idle longer than SESSION_IDLE_TIMEOUT seconds.

    The time of the last request is written at most once a minute, so an active session does
    not rewrite its row on every click.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif now - last_seen >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def remember_sign_in(sender, request, user, **kwargs):
    """Start the idle clock at sign-in, in the same session write as the sign-in itself."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())
