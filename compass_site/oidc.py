"""Sign-in through the organisation's OpenID Connect provider, and the switch that turns
password sign-in off.

Built on mozilla-django-oidc (authorization code flow; ``state``, ``nonce`` and PKCE kept in
the session; the ID token's signature checked against the provider's published keys). What
this module adds:

- the endpoints, the issuer and the key set come from the provider's discovery document
  (``OIDC_DISCOVERY_URL``), fetched when first needed and cached, never at start-up;
- the ID token's algorithm, issuer, audience and expiry are checked as well as its signature
  (the library leaves issuer and audience unchecked);
- who gets in (``account_for_claims``): a verified email matched, in any case, to an account
  that imports and nominations created; nobody else unless ``OIDC_CREATE_UNKNOWN_USERS``; HR
  admin rights follow a group claim when ``OIDC_HR_GROUP_CLAIM`` is set;
- every bad answer from the provider ends on one clear page with a way back (never a 500),
  logged with its reason and the error's class, never with a token, a code or an address;
- sign-out also ends the provider's session when it offers an end-session endpoint.
"""

import hashlib
import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode as django_urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from assessments.access import set_hr_admin

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 60 * 60
CLOCK_SKEW_SECONDS = 60

# reason: (HTTP status, what the person reads)
FAILURES = {
    "unavailable": (
        503,
        _("Your organisation's sign-in service did not answer. Please try again in a few minutes."),
    ),
    "untrusted": (
        400,
        _(
            "The answer from your organisation's sign-in service could not be trusted, so you "
            "were not signed in. Please try again; if it happens again, tell your HR team."
        ),
    ),
    "state": (
        400,
        _(
            "This sign-in was already used, has expired or was started in another browser. "
            "Please start again from the sign-in page."
        ),
    ),
    "refused": (
        403,
        _("Your organisation's sign-in service did not sign you in (cancelled or refused)."),
    ),
    "unverified": (
        403,
        _(
            "Your organisation's account has no verified email address, so it cannot be "
            "matched to an account here. Please ask your IT service desk."
        ),
    ),
    "no_account": (
        403,
        _(
            "There is no active account here for your email address. Accounts are created "
            "when HR adds you to a cycle; please ask your HR team."
        ),
    ),
}


class SignInFailed(Exception):
    """A sign-in through the provider that must not go on; ``reason`` is a key of FAILURES."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def failure_page(request, reason, error=None):
    status, message = FAILURES[reason]
    logger.warning(
        "Sign-in through the provider failed: %s%s",
        reason,
        f" ({type(error).__name__})" if error is not None else "",
    )
    context = {"message": message, "retry": reason in {"unavailable", "untrusted", "state"}}
    return render(request, "registration/oidc_failed.html", context, status=status)


# --- the provider's metadata ---------------------------------------------------------------


def provider_metadata():
    """The provider's discovery document (endpoints, issuer, key set), cached for an hour.

    Raises ``requests.RequestException`` when the provider does not answer, ``ValueError``
    when its answer is not a usable discovery document.
    """
    url = settings.OIDC_DISCOVERY_URL
    key = "oidc-discovery:" + hashlib.sha256(url.encode()).hexdigest()
    metadata = cache.get(key)
    if metadata is None:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(metadata, dict) or not all(metadata.get(name) for name in needed):
            raise ValueError("The discovery document lacks an issuer or an endpoint.")
        # OpenID Connect Discovery §4.3: the document is published under its own issuer.
        if not url.startswith(str(metadata["issuer"]).rstrip("/") + "/"):
            raise ValueError("The discovery document names another issuer.")
        cache.set(key, metadata, DISCOVERY_CACHE_SECONDS)
    return metadata


# --- who gets in ---------------------------------------------------------------------------


def _truthy(value):
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _claim_values(value):
    if value is None:
        return set()
    if isinstance(value, (list, tuple, set)):
        return {str(item) for item in value}
    return {str(value)}


def account_for_claims(claims):
    """The account a verified sign-in opens, from the provider's claims.

    The email must be verified by the provider (``OIDC_EMAIL_VERIFIED_CLAIM``); it is matched in
    any case to the account imports and nominations created. Someone unknown gets an account only
    when ``OIDC_CREATE_UNKNOWN_USERS`` allows it. When ``OIDC_HR_GROUP_CLAIM`` is set, HR admin
    rights are given or taken away to match the claim, at every sign-in.
    Raises SignInFailed("unverified" | "no_account").
    """
    email = str(claims.get("email") or "").strip()
    if not email or not _truthy(claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)):
        raise SignInFailed("unverified")
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if not settings.OIDC_CREATE_UNKNOWN_USERS:
            raise SignInFailed("no_account")
        user = User.objects.create_user(email, full_name=str(claims.get("name") or "")[:200])
    if not user.is_active:
        raise SignInFailed("no_account")
    if settings.OIDC_HR_GROUP_CLAIM:
        member = settings.OIDC_HR_GROUP_VALUE in _claim_values(
            claims.get(settings.OIDC_HR_GROUP_CLAIM)
        )
        if set_hr_admin(user, member=member):
            logger.info("HR admin rights %s at sign-in", "given" if member else "taken away")
    return user


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the endpoints from discovery, full ID token checks and
    our rule of who gets in."""

    def __init__(self, *args, **kwargs):
        # No network here: Django builds the backends for every request of a signed-in person.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 (the library's name)
        return provider_metadata()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return provider_metadata().get("userinfo_endpoint")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return provider_metadata()["jwks_uri"]

    def authenticate(self, request, **kwargs):
        # Only the callback (which passes the nonce it kept) signs in here: a password form
        # posted to a URL carrying ?code=&state= must not start a token exchange.
        if request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        # Refuse an unexpected algorithm ("none" above all) before looking for a key.
        if jwt.get_unverified_header(token).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token's algorithm is not the expected one.")
        return super().verify_token(token, **kwargs)

    def _verify_jws(self, payload, key):
        """Signature, issuer, audience and expiry (the library checks the signature only)."""
        return jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=provider_metadata()["issuer"],
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when there is one (some
        providers put the email there, others the groups in the ID token)."""
        claims = {}
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            claims = super().get_userinfo(access_token, id_token, payload)
            if claims.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo answer is about someone else.")
        return {**claims, **payload}

    def get_or_create_user(self, access_token, id_token, payload):
        return account_for_claims(self.get_userinfo(access_token, id_token, payload))


# --- views ---------------------------------------------------------------------------------


def provider_sign_in_url(next_url=""):
    url = reverse("oidc_authenticate")
    return f"{url}?{django_urlencode({'next': next_url})}" if next_url else url


class AuthenticateView(OIDCAuthenticationRequestView):
    """The sign-in button: off to the provider, with state, nonce and a PKCE challenge."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library's reads settings we derive from discovery
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except (requests.RequestException, ValueError) as error:
            return failure_page(request, "unavailable", error)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back. Every way it can go wrong ends on
    ``failure_page``; the library's own checks raise, and are sorted here."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        state = request.GET.get("state")
        if request.GET.get("error"):
            # The provider refused (or the person cancelled): that state is spent.
            if request.session.get("oidc_states", {}).pop(state, None) is not None:
                request.session.modified = True
            return failure_page(request, "refused")
        if not state or not request.GET.get("code"):
            return failure_page(request, "state")
        if state not in request.session.get("oidc_states", {}):
            return failure_page(request, "state")
        try:
            return super().get(request)
        except SignInFailed as error:
            return failure_page(request, error.reason)
        except requests.RequestException as error:
            return failure_page(request, "unavailable", error)
        except (jwt.InvalidTokenError, SuspiciousOperation, ValueError, KeyError) as error:
            return failure_page(request, "untrusted", error)

    def login_failure(self):
        return failure_page(self.request, "untrusted")


class SignInView(auth_views.LoginView):
    """The sign-in page: the provider's button when there is one, the password form unless
    PASSWORD_SIGN_IN is off (then a posted password is not even looked at)."""

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            return HttpResponseNotAllowed(["GET"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_sign_in"] = settings.PASSWORD_SIGN_IN
        if settings.OIDC_ENABLED:
            context["provider_sign_in"] = {
                "label": settings.OIDC_BUTTON_LABEL,
                "url": provider_sign_in_url(context.get(self.redirect_field_name, "")),
            }
        return context


def provider_sign_out_url(request):
    """The provider's end-session URL for this session, or None: only for someone who signed in
    through the provider, and only when the provider offers the endpoint."""
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and id_token):
        return None
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError):
        return None  # the app's session still ends
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class SignOutView(auth_views.LogoutView):
    """Sign-out ends the app's session, then the provider's where it offers that."""

    def post(self, request, *args, **kwargs):
        provider_url = provider_sign_out_url(request)  # read before the session is gone
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response


# --- PASSWORD_SIGN_IN=false ----------------------------------------------------------------

PASSWORD_PAGES = {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
}


class PasswordSignInSwitchMiddleware:
    """With PASSWORD_SIGN_IN off, the password reset and change pages answer 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if not settings.PASSWORD_SIGN_IN and match and match.url_name in PASSWORD_PAGES:
            raise Http404
        return None
