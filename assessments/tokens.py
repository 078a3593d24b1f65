"""Personal rater links.

A link carries 256 random bits (``secrets.token_urlsafe(32)``). Only the SHA-256 of the token is
stored, so neither a database dump nor a log of queries yields a working link. Issuing a new
token replaces the old one: a resent or reminded link is the only one that works.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

TOKEN_BYTES = 32


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(rater):
    """Give ``rater`` a fresh token and return it; the caller mails it and forgets it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    rater.token_hash = hash_token(token)
    rater.save(update_fields=["token_hash"])
    return token


def revoke_token(rater):
    rater.token_hash = None
    rater.save(update_fields=["token_hash"])


def find_rater(token, queryset):
    """The rater whose link this is, or None: one indexed query on the hash."""
    if not token or len(token) > 100:
        return None
    return queryset.filter(token_hash=hash_token(token)).first()


def rater_link(token):
    return f"{settings.SITE_URL}{reverse('rater:start', args=[token])}"


def _miss_key(address):
    return f"rater-link-misses:{hashlib.sha256((address or '').encode()).hexdigest()[:32]}"


def too_many_wrong_links(address):
    """Whether this address has tried too many wrong links lately: guessing a 256-bit token is
    hopeless anyway, but a flood of attempts is refused before it reaches the database."""
    return cache.get(_miss_key(address), 0) >= settings.RATER_LINK_ATTEMPTS


def record_wrong_link(address):
    key = _miss_key(address)
    if cache.add(key, 1, timeout=settings.RATER_LINK_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.RATER_LINK_WINDOW)
