"""Password reset requests: throttled per client address and per account, sent by the worker.

The page answers the same whether an account exists, whether the request was throttled, and
before the email leaves: nothing about accounts can be learnt from it, or from its timing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.tasks import task

from assessments import throttle
from assessments.accounts.forms import AccountPasswordResetForm


def request_reset(*, email, address):
    """Queue a reset email for ``email`` unless this address or this account asked too often
    lately; returns whether one was queued."""
    email = (email or "").strip().lower()
    window = settings.PASSWORD_RESET_WINDOW
    by_address = throttle.hit("password-reset-address", address, window=window)
    by_account = throttle.hit("password-reset-account", email, window=window)
    limit = settings.PASSWORD_RESET_ATTEMPTS
    if by_address > limit or by_account > limit:
        return False
    send_password_reset.enqueue(email)
    return True


def send_reset(email):
    """Send the reset email(s) for ``email``, with links built on SITE_URL."""
    form = AccountPasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        extra_email_context={"contact": settings.CONTACT_EMAIL},
    )


@task
def send_password_reset(email):
    """The password reset email(s) for an address, outside the request."""
    send_reset(email)
