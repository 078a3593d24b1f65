"""Personal rater links.

A rater's link is stable for the whole cycle: invitations, reminders and resends carry the same
one, so a questionnaire open in a browser keeps working. It is derived, not stored:

    token = HMAC-SHA256(RATER_LINK_KEY, rater.link_secret)   (urlsafe base64, 43 characters)

``link_secret`` is 256 random bits kept on the rater; ``token_hash`` is the SHA-256 of the
token, the one indexed column a link is looked up by. Someone who reads the database alone has
the secret and the hash but not the key, so can build no working link; the server can rebuild
the link for every email. Replacing or removing a rater (a new row) or ``revoke_token`` retires
a link.

Rotating ``RATER_LINK_KEY`` changes every link. The next email to a rater carries the new one,
and the link it replaces keeps working (``previous_token_hash``) until the rater is sent a link
once more under yet another key: one rotation never strands a rater mid-questionnaire. Links
issued before links were derived (random tokens) are carried over the same way.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse

SECRET_BYTES = 32


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(secret):
    digest = hmac.new(settings.RATER_LINK_KEY.encode(), secret.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(rater):
    """``rater``'s link token, the same every time it is asked for (for the same key).

    Gives the rater a secret the first time; writes only when something changed."""
    changed = []
    if not rater.link_secret:
        rater.link_secret = secrets.token_urlsafe(SECRET_BYTES)
        changed.append("link_secret")
    token = _derive(rater.link_secret)
    token_hash = hash_token(token)
    if rater.token_hash != token_hash:
        if rater.token_hash:
            # Issued under an earlier key (or before links were derived): keep it working.
            rater.previous_token_hash = rater.token_hash
            changed.append("previous_token_hash")
        rater.token_hash = token_hash
        changed.append("token_hash")
    if changed:
        rater.save(update_fields=changed)
    return token


def revoke_token(rater):
    rater.link_secret = ""
    rater.token_hash = None
    rater.previous_token_hash = None
    rater.save(update_fields=["link_secret", "token_hash", "previous_token_hash"])


def find_rater(token, queryset):
    """The rater whose link this is, or None: one indexed query on the hash (a second one, on
    the previous link's hash, only when the first finds nothing)."""
    if not token or len(token) > 100:
        return None
    token_hash = hash_token(token)
    rater = queryset.filter(token_hash=token_hash).first()
    if rater is None:
        rater = queryset.filter(previous_token_hash=token_hash).first()
    return rater


def rater_link(token):
    return f"{settings.SITE_URL}{reverse('rater:start', args=[token])}"
