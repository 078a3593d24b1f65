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

from assessments.answering.prepared import CompiledLookup

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
    rater.code_hash = None
    rater.save(update_fields=["link_secret", "token_hash", "previous_token_hash", "code_hash"])


class RaterLookup:
    """The rater whose link a token is, through ``queryset`` (which says what comes with them):
    one indexed query on the token's hash, a second one on the previous link's hash only when
    the first finds nothing."""

    def __init__(self, queryset):
        self.current = CompiledLookup(queryset, "token_hash")
        self.previous = CompiledLookup(queryset, "previous_token_hash")

    def find(self, token):
        if not token or len(token) > 100:
            return None
        token_hash = hash_token(token)
        rater = self.current.first(token_hash)
        if rater is None:
            rater = self.previous.first(token_hash)
        return rater


def find_rater(token, queryset):
    """The rater whose link this is, or None (``RaterLookup``, for a lookup made once)."""
    return RaterLookup(queryset).find(token)


def absolute(path):
    """A path of the site as the absolute link emails and cards carry."""
    return f"{settings.SITE_URL}{path}"


def rater_link(token):
    return f"{settings.SITE_URL}{reverse('rater:start', args=[token])}"


# --- short codes (raters without email) --------------------------------------------------
#
# A rater without email gets a printed card; besides the link and its QR code, the card carries
# a short code to type at /r/. It is derived like the link (HMAC of the rater's secret under the
# server key, with another label) and only its SHA-256 is stored (``code_hash``).
#
# 12 characters of Crockford's base-32 alphabet (no I, L, O, U) = 60 bits. The form at /r/ takes
# at most RATER_LINK_ATTEMPTS wrong codes or links per RATER_LINK_WINDOW per client address and
# does not even look a code up beyond that, so with the defaults (20 per 15 minutes) one address
# tries 1,920 codes a day. Against N live codes, one guess succeeds with probability N / 2^60:
# with N = 100,000 cards, an attacker needs 2^60 / 100,000 ≈ 1.15 × 10^13 guesses on average,
# about 6 × 10^9 days (16 million years) from one address (README, "Raters without email").

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
CODE_GROUP = 4
# What people type for what they see: Crockford's reading of ambiguous characters.
_CODE_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def _derive_code(secret):
    digest = hmac.new(
        settings.RATER_LINK_KEY.encode(), f"short-code\0{secret}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * CODE_LENGTH)
    chars = []
    for _position in range(CODE_LENGTH):
        chars.append(CODE_ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def format_code(code):
    """``ABCD-EFGH-JKMN``: groups of four are easier to read out and type."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalize_code(typed):
    """The code someone typed, as it was issued: case, spaces and dashes do not matter, and
    O/I/L read as 0/1/1. None when it cannot be a code."""
    code = "".join((typed or "").upper().split()).replace("-", "").translate(_CODE_READS_AS)
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def issue_code(rater):
    """``rater``'s short code (formatted), the same every time for the same key; stores its
    hash. Gives the rater a link first when they have none."""
    issue_token(rater)
    code = _derive_code(rater.link_secret)
    code_hash = hash_token(code)
    if rater.code_hash != code_hash:
        rater.code_hash = code_hash
        rater.save(update_fields=["code_hash"])
    return format_code(code)


def find_rater_by_code(typed, queryset):
    """The rater whose card carries this code, or None. A rater whose link was retired
    (replaced, erased, revoked) is not found."""
    code = normalize_code(typed)
    if code is None:
        return None
    return queryset.filter(code_hash=hash_token(code), token_hash__isnull=False).first()
