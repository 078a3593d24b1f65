"""Create forms are safe against a double post (a double click, a resent request, a second tab).

Every create form carries a one-time token (``{% form_token %}``, a fresh one at each render).
The first post of a token claims it — an INSERT on a unique column, so two parallel posts
cannot both win — and goes on; a repeat creates nothing and is redirected where the first post
went. A form re-rendered with errors carries a new token, so correcting and posting again works.
Posts without a token (scripts, tests of the rules) behave as before.
"""

import datetime
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import FormSubmission

FIELD = "form_token"
KEPT = datetime.timedelta(days=2)


def new_token():
    return secrets.token_urlsafe(18)


def _key(request, token):
    who = request.user.pk if request.user.is_authenticated else request.session.session_key
    return hashlib.sha256(f"{who}\0{token}".encode()).hexdigest()


def repeat_of(request, *, fallback):
    """None if this post is the first with its token (go on and create); otherwise the URL to
    send the repeat to: where the first post went, or ``fallback`` while it is still running."""
    token = request.POST.get(FIELD, "")
    if not token or len(token) > 100:
        return None
    key = _key(request, token)
    try:
        with transaction.atomic():
            FormSubmission.objects.create(key=key)
    except IntegrityError:
        first = FormSubmission.objects.filter(key=key).values_list("result_url", flat=True)
        return first.first() or fallback
    FormSubmission.objects.filter(created_at__lt=timezone.now() - KEPT).delete()
    return None


def remember(request, url):
    """Record where the first post went, for its repeats; returns ``url``."""
    token = request.POST.get(FIELD, "")
    if token and len(token) <= 100:
        FormSubmission.objects.filter(key=_key(request, token)).update(result_url=url[:500])
    return url
