"""Sign-in through the organisation's OpenID provider (issue 17), against a real provider.

The provider is panva's oidc-provider (tests/idp) on 127.0.0.1: the test client plays the app's
side, ``requests`` plays the browser at the provider, and the app's backend talks to the
provider over HTTP (discovery, keys, token, userinfo) as it would in production.
"""

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from assessments.access import is_hr
from assessments.models import HR_ADMINS_GROUP, User
from compass_site.logging import redact
from tests.factories import UserFactory
from tests.idp.provider import (
    TestProvider,
    app_path,
    submit_first_form,
    use_provider,
    walk_to_app,
)
from tests.test_access_matrix import ROLES, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

APP = "http://testserver"


@pytest.fixture(scope="session")
def provider():
    running = TestProvider(
        redirect_uris=[f"{APP}/oidc/callback/"],
        post_logout_redirect_uris=[f"{APP}/accounts/login/"],
    )
    yield running
    running.stop()


@pytest.fixture
def idp(provider, settings):
    """The app pointed at the provider, the provider back to honest answers."""
    provider.configure()
    use_provider(settings, provider)
    return provider


def start(client, next_url=""):
    """Press the sign-in button: the app's redirect to the provider's authorization endpoint."""
    query = f"?next={next_url}" if next_url else ""
    response = client.get(reverse("oidc_authenticate") + query)
    assert response.status_code == 302
    return response.url


def sign_in(client, idp, email, next_url="", browser=None):
    """The whole dance; returns the app's answer to the callback and the callback URL."""
    callback = walk_to_app(start(client, next_url), email, browser=browser)
    return client.get(app_path(callback)), callback


def signed_in_user(client):
    response = client.get(reverse("home"))
    return response.wsgi_request.user if response.status_code == 200 else None


def page_text(response):
    return response.content.decode()


# --- nothing configured --------------------------------------------------------------------


def test_without_a_provider_sign_in_is_email_and_password_as_before(client, settings):
    assert not settings.OIDC_ENABLED
    assert "compass_site.oidc.ProviderBackend" not in settings.AUTHENTICATION_BACKENDS
    page = client.get(reverse("login"))
    assert 'name="password"' in page_text(page)
    assert reverse("oidc_authenticate") not in page_text(page)
    assert client.get(reverse("oidc_authenticate")).status_code == 404
    assert client.get(reverse("oidc_callback") + "?code=x&state=y").status_code == 404


# --- signing in ----------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_provider_button_with_its_label(client, idp, settings):
    settings.OIDC_BUTTON_LABEL = "Sign in with IOM account"
    html = page_text(client.get(reverse("login") + "?next=/compass/"))
    assert "Sign in with IOM account" in html
    assert f'href="{reverse("oidc_authenticate")}?next=%2Fcompass%2F"' in html
    assert 'name="password"' in html  # password sign-in is still on


def test_the_request_to_the_provider_carries_state_nonce_and_a_pkce_challenge(client, idp):
    url = start(client)
    assert url.startswith(f"{idp.issuer}/auth?")
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["compass360"]
    assert query["redirect_uri"] == [f"{APP}/oidc/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert set(query["scope"][0].split()) >= {"openid", "email"}


def test_a_verified_email_opens_the_matching_account_in_any_case(client, idp):
    amina = UserFactory(email="amina.diallo@example.org")
    response, _callback = sign_in(client, idp, "Amina.Diallo@Example.ORG", next_url="/compass/")
    assert response.status_code == 302
    assert response.url == "/compass/"
    assert signed_in_user(client) == amina
    assert User.objects.count() == 1


def test_someone_unknown_to_the_app_gets_no_account_by_default(client, idp):
    response, _callback = sign_in(client, idp, "stranger@example.org")
    assert response.status_code == 403
    assert "no active account here for your email address" in page_text(response)
    assert f'href="{reverse("login")}"' in page_text(response)
    assert not User.objects.filter(email="stranger@example.org").exists()
    assert signed_in_user(client) is None


def test_someone_unknown_gets_an_account_when_the_setting_allows_it(client, idp, settings):
    settings.OIDC_CREATE_UNKNOWN_USERS = True
    idp.configure(accounts={"newcomer@example.org": {"name": "Nia Newcomer"}})
    response, _callback = sign_in(client, idp, "newcomer@example.org")
    assert response.status_code == 302
    user = signed_in_user(client)
    assert (user.email, user.full_name) == ("newcomer@example.org", "Nia Newcomer")
    assert not user.has_usable_password()
    assert not is_hr(user)


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client, idp):
    UserFactory(email="gone@example.org", is_active=False)
    response, _callback = sign_in(client, idp, "gone@example.org")
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_hr_admin_rights_follow_the_providers_group_claim(client, idp, settings):
    settings.OIDC_HR_GROUP_CLAIM = "groups"
    settings.OIDC_HR_GROUP_VALUE = "0b7e-hr-admins"
    person = UserFactory(email="hana@example.org")
    idp.configure(accounts={"hana@example.org": {"groups": ["staff", "0b7e-hr-admins"]}})
    sign_in(client, idp, "hana@example.org")
    assert is_hr(signed_in_user(client))

    client.logout()
    idp.configure(accounts={"hana@example.org": {"groups": ["staff"]}})
    sign_in(client, idp, "hana@example.org")
    assert signed_in_user(client) == person
    assert not is_hr(person)
    assert client.get(reverse("hr:dashboard")).status_code == 404


def test_without_the_group_setting_sign_in_leaves_hr_rights_alone(client, idp, hr_admin):
    sign_in(client, idp, hr_admin.email)  # the provider sends no HR group
    assert signed_in_user(client) == hr_admin
    assert is_hr(hr_admin)


# --- bad answers from the provider (point 5) -----------------------------------------------


def assert_failure_page(response, status, words):
    assert response.status_code == status
    assert words in page_text(response)
    assert "Sign-in did not complete" in page_text(response)
    assert f'href="{reverse("login")}"' in page_text(response)  # the way back


def assert_logs_hold_no_secrets(caplog, callback):
    logged = caplog.text
    code = parse_qs(urlsplit(callback).query).get("code", ["-"])[0]
    assert "Sign-in through the provider failed" in logged
    assert "eyJ" not in logged  # no JWT (ID or access token)
    assert code not in logged
    assert "@" not in logged


@pytest.mark.parametrize(
    "tamper",
    ["wrong_audience", "wrong_issuer", "wrong_nonce", "expired", "unsigned", "bad_signature"],
)
def test_an_id_token_that_cannot_be_trusted_signs_nobody_in(client, idp, caplog, tamper):
    UserFactory(email="amina@example.org")
    idp.configure(tamper=tamper)
    with caplog.at_level(logging.INFO):
        response, callback = sign_in(client, idp, "amina@example.org")
    assert_failure_page(response, 400, "could not be trusted")
    assert signed_in_user(client) is None
    assert_logs_hold_no_secrets(caplog, callback)


def test_an_unverified_email_signs_nobody_in(client, idp, caplog):
    UserFactory(email="amina@example.org")
    idp.configure(accounts={"amina@example.org": {"email_verified": False}})
    with caplog.at_level(logging.INFO):
        response, callback = sign_in(client, idp, "amina@example.org")
    assert_failure_page(response, 403, "no verified email address")
    assert signed_in_user(client) is None
    assert_logs_hold_no_secrets(caplog, callback)


def test_a_replayed_callback_is_refused(client, idp):
    UserFactory(email="amina@example.org")
    response, callback = sign_in(client, idp, "amina@example.org")
    assert response.status_code == 302
    client.logout()
    assert_failure_page(client.get(app_path(callback)), 400, "already used")
    assert signed_in_user(client) is None


def test_a_callback_from_another_browser_is_refused(client, idp, django_user_model):
    UserFactory(email="amina@example.org")
    callback = walk_to_app(start(client), "amina@example.org")
    from django.test import Client

    other = Client()
    assert_failure_page(other.get(app_path(callback)), 400, "already used")
    assert other.get(reverse("home")).status_code == 302


def test_a_callback_without_state_is_refused(client, idp):
    UserFactory(email="amina@example.org")
    callback = walk_to_app(start(client), "amina@example.org")
    query = parse_qs(urlsplit(callback).query)
    response = client.get(reverse("oidc_callback") + f"?code={query['code'][0]}")
    assert_failure_page(response, 400, "start again")
    assert signed_in_user(client) is None


def test_a_refusal_from_the_provider_ends_on_the_failure_page(client, idp):
    url = start(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(reverse("oidc_callback") + f"?error=access_denied&state={state}")
    assert_failure_page(response, 403, "cancelled or refused")
    # That state is spent: a code sent with it later is refused.
    response = client.get(reverse("oidc_callback") + f"?code=abc&state={state}")
    assert_failure_page(response, 400, "start again")


def test_a_failing_token_endpoint_ends_on_the_failure_page(client, idp, caplog):
    UserFactory(email="amina@example.org")
    idp.configure(tamper="token_error")
    with caplog.at_level(logging.INFO):
        response, callback = sign_in(client, idp, "amina@example.org")
    assert_failure_page(response, 503, "did not answer")
    assert "Try again" in page_text(response)
    assert_logs_hold_no_secrets(caplog, callback)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_provider_that_is_down_ends_on_the_failure_page(client, idp, settings):
    settings.OIDC_DISCOVERY_URL = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    response = client.get(reverse("oidc_authenticate"))
    assert_failure_page(response, 503, "did not answer")


def test_a_provider_that_goes_down_during_sign_in_ends_on_the_failure_page(client, settings):
    UserFactory(email="amina@example.org")
    short_lived = TestProvider(redirect_uris=[f"{APP}/oidc/callback/"])
    try:
        use_provider(settings, short_lived)
        callback = walk_to_app(start(client), "amina@example.org")
    finally:
        short_lived.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(short_lived.discovery_url, timeout=5)
    assert_failure_page(client.get(app_path(callback)), 503, "did not answer")
    assert signed_in_user(client) is None


# --- signing out ---------------------------------------------------------------------------


def test_sign_out_ends_the_app_session_and_the_providers(client, idp):
    UserFactory(email="amina@example.org")
    browser = requests.Session()
    sign_in(client, idp, "amina@example.org", browser=browser)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url.startswith(f"{idp.issuer}/session/end?")
    query = parse_qs(urlsplit(response.url).query)
    assert query["post_logout_redirect_uri"] == [f"{APP}/accounts/login/"]
    assert query["client_id"] == ["compass360"]
    assert signed_in_user(client) is None
    # The provider accepts the request: it asks to confirm, then sends the person back.
    at_provider = browser.get(response.url, timeout=10)
    assert at_provider.status_code == 200
    assert "sign-out" in at_provider.text
    confirmed = submit_first_form(browser, at_provider, logout="yes")
    assert confirmed.headers["location"] == f"{APP}/accounts/login/"
    # The provider's session is gone: the next sign-in asks for the email again.
    again = browser.get(start(client), allow_redirects=True, timeout=10)
    assert 'name="email"' in again.text


def test_sign_out_after_a_password_sign_in_stays_in_the_app(client, idp, outsider):
    client.force_login(outsider, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("logout"))
    assert (response.status_code, response.url) == (302, reverse("login"))
    assert signed_in_user(client) is None


# --- PASSWORD_SIGN_IN=false ----------------------------------------------------------------


@pytest.fixture
def provider_only(idp, settings):
    settings.PASSWORD_SIGN_IN = False
    use_provider(settings, idp)
    return idp


def test_with_password_sign_in_off_the_page_shows_only_the_provider(client, provider_only):
    html = page_text(client.get(reverse("login")))
    assert reverse("oidc_authenticate") in html
    assert 'name="password"' not in html
    assert reverse("password_reset") not in html


def test_with_password_sign_in_off_a_posted_password_signs_nobody_in(client, provider_only):
    UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    response = client.post(
        reverse("login"), {"username": "amina@example.org", "password": "a-long-pass-phrase"}
    )
    assert response.status_code == 405
    assert signed_in_user(client) is None
    # Nowhere else either (the Django admin's sign-in uses the same backends).
    request = RequestFactory().post("/admin/login/")
    credentials = {"username": "amina@example.org", "password": "a-long-pass-phrase"}
    assert authenticate(request, **credentials) is None


def test_with_password_sign_in_off_password_reset_and_change_are_gone(
    client, provider_only, outsider
):
    for name, args in [
        ("password_reset", []),
        ("password_reset_done", []),
        ("password_reset_confirm", ["MQ", "set-password"]),
        ("password_reset_complete", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
        assert client.post(reverse(name, args=args), {"email": "a@example.org"}).status_code == 404
    assert mail.outbox == []
    client.force_login(outsider)
    assert client.get(reverse("password_change")).status_code == 404


def test_with_password_sign_in_off_the_provider_still_signs_in(client, provider_only):
    amina = UserFactory(email="amina@example.org")
    response, _callback = sign_in(client, provider_only, "amina@example.org")
    assert response.status_code == 302
    assert signed_in_user(client) == amina


def test_with_password_sign_in_off_emails_carry_no_set_password_link(settings):
    from assessments.emails import set_password_link

    user = UserFactory(password=None)
    assert set_password_link(user) is not None
    settings.PASSWORD_SIGN_IN = False
    assert set_password_link(user) is None


def test_with_password_sign_in_off_raters_still_answer_by_link(client, provider_only, compass):
    from assessments.answering.tokens import issue_token
    from tests.factories import CycleFactory, RaterFactory, make_participant

    participant = make_participant(CycleFactory(state="open"))
    token = issue_token(RaterFactory(participant=participant))
    response = client.get(reverse("rater:start", args=[token]))
    assert response.status_code == 200


# --- the provider's URLs, every role --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_provider_urls_answer_every_role(client, idp, world, role):  # noqa: F811
    """With a provider configured (without one, both answer 404: test_access_matrix)."""
    if role in world["users"]:
        client.force_login(world["users"][role])
    assert client.get(reverse("oidc_authenticate")).url.startswith(idp.issuer)
    assert client.post(reverse("oidc_authenticate")).status_code == 405
    assert client.get(reverse("oidc_callback")).status_code == 400
    assert client.post(reverse("oidc_callback")).status_code == 405


# --- the first HR admin ---------------------------------------------------------------------


def test_make_hr_admin_creates_the_first_hr_admin(capsys):
    call_command("make_hr_admin", "First.Admin@Example.org")
    user = User.objects.get(email="first.admin@example.org")
    assert is_hr(user)
    assert not user.has_usable_password()
    assert "Created the account" in capsys.readouterr().out


def test_make_hr_admin_promotes_an_existing_account_in_any_case(capsys):
    person = UserFactory(email="lena@example.org")
    call_command("make_hr_admin", "LENA@example.org")
    assert is_hr(person)
    assert User.objects.count() == 1
    call_command("make_hr_admin", "lena@example.org")  # twice changes nothing
    assert Group.objects.get(name=HR_ADMINS_GROUP).user_set.count() == 1


def test_make_hr_admin_refuses_what_is_not_an_email():
    with pytest.raises(CommandError):
        call_command("make_hr_admin", "lena")
    assert not User.objects.exists()


# --- configuration by environment variables ------------------------------------------------


SHOW_SETTINGS = """
import json
from compass_site import settings as s
print(json.dumps({
    "backends": s.AUTHENTICATION_BACKENDS,
    "form_action": s.SECURE_CSP["form-action"],
    "enabled": s.OIDC_ENABLED,
    "scopes": s.OIDC_RP_SCOPES,
    "label": str(s.OIDC_BUTTON_LABEL),
    "create": s.OIDC_CREATE_UNKNOWN_USERS,
    "hr": [s.OIDC_HR_GROUP_CLAIM, s.OIDC_HR_GROUP_VALUE],
}))
"""


def settings_from_environment(**env):
    """Import the settings module in a fresh interpreter with only these variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "PASSWORD_"))}
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=Path(__file__).resolve().parent.parent,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_the_provider_is_configured_by_environment_variables_only():
    result = settings_from_environment(
        OIDC_DISCOVERY_URL="https://login.example.org/realms/staff/.well-known/openid-configuration",
        OIDC_CLIENT_ID="compass360",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_SCOPES="openid email profile groups",
        OIDC_BUTTON_LABEL="Sign in with IOM account",
        OIDC_CREATE_UNKNOWN_USERS="true",
        OIDC_HR_GROUP_CLAIM="groups",
        OIDC_HR_GROUP_VALUE="hr-admins",
        PASSWORD_SIGN_IN="false",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "backends": ["axes.backends.AxesStandaloneBackend", "compass_site.oidc.ProviderBackend"],
        "form_action": ["'self'", "https://login.example.org"],
        "enabled": True,
        "scopes": "openid email profile groups",
        "label": "Sign in with IOM account",
        "create": True,
        "hr": ["groups", "hr-admins"],
    }


def test_password_sign_in_cannot_be_turned_off_without_a_provider():
    result = settings_from_environment(PASSWORD_SIGN_IN="false")
    assert result.returncode != 0
    assert "PASSWORD_SIGN_IN=false needs OIDC_DISCOVERY_URL" in result.stderr


def test_logs_never_show_the_callbacks_code_or_a_token():
    line = (
        '"GET /oidc/callback/?code=Sx8aQ2&state=kq91Zz&iss=http%3A%2F%2Fidp HTTP/1.1" 302 0 '
        "id_token_hint=abc eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    )
    logged = redact(line)
    for secret in ("Sx8aQ2", "kq91Zz", "abc", "eyJ", "c2lnbmF0dXJl"):
        assert secret not in logged
    assert "/oidc/callback/?code=[redacted]&state=[redacted]&iss=" in logged


def test_a_next_address_off_the_site_is_not_followed_after_sign_in(client, idp):
    UserFactory(email="amina@example.org")
    response, _callback = sign_in(
        client, idp, "amina@example.org", next_url="https://evil.example/"
    )
    assert (response.status_code, response.url) == (302, reverse("home"))


def test_query_budgets_of_the_sign_in_pages(client, idp, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("login")).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(reverse("oidc_callback")).status_code == 400
    start(client)  # the discovery document is now cached
    # the session read, the cached discovery document, the session saved with the new state
    # (an update between a savepoint and its release)
    with django_assert_num_queries(5):
        start(client)


def test_a_discovery_document_of_another_issuer_is_not_used(client, idp, settings):
    # The same provider reached under another name: its document names 127.0.0.1 as issuer.
    settings.OIDC_DISCOVERY_URL = idp.discovery_url.replace("127.0.0.1", "localhost")
    assert_failure_page(client.get(reverse("oidc_authenticate")), 503, "did not answer")


def test_in_production_the_provider_must_be_reached_over_https():
    result = settings_from_environment(
        DJANGO_ENV="production",
        SECRET_KEY="only-for-this-test-0123456789-0123456789-0123456789",
        OIDC_DISCOVERY_URL="http://sso.example.org/realms/staff/.well-known/openid-configuration",
        OIDC_CLIENT_ID="compass360",
    )
    assert result.returncode != 0
    assert "OIDC_DISCOVERY_URL must be an https:// URL in production" in result.stderr
