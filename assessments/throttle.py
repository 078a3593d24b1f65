"""Counting attempts per client or per account, atomically, across every web process.

Each count lives in a ``Throttle`` row per (scope, who, fixed time window). The increment is a
single ``UPDATE … SET count = count + 1`` (or the row's first INSERT), so parallel requests
never read-then-write: none is lost. ``who`` is hashed, so the table holds no addresses.
"""

import datetime
import hashlib
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import Throttle


def client_address(request):
    """The real client's address: behind AXES_PROXY_COUNT trusted proxies it is that many
    entries from the right of X-Forwarded-For (what the nearest proxy saw); else REMOTE_ADDR."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(scope, who, window):
    bucket = int(time.time()) // window
    return hashlib.sha256(f"{scope}\0{who}\0{bucket}".encode()).hexdigest()


def hit(scope, who, *, window):
    """Count one attempt of ``who`` in ``scope``; returns the count in this window so far."""
    key = _key(scope, who, window)
    if not Throttle.objects.filter(key=key).update(count=F("count") + 1):
        expires_at = timezone.now() + datetime.timedelta(seconds=2 * window)
        try:
            with transaction.atomic():
                Throttle.objects.create(key=key, count=1, expires_at=expires_at)
            Throttle.objects.filter(expires_at__lt=timezone.now()).delete()
            return 1
        except IntegrityError:  # another request created it first
            Throttle.objects.filter(key=key).update(count=F("count") + 1)
    return Throttle.objects.filter(key=key).values_list("count", flat=True).first() or 0


def count(scope, who, *, window):
    return (
        Throttle.objects.filter(key=_key(scope, who, window))
        .values_list("count", flat=True)
        .first()
        or 0
    )
