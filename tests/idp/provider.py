"""The test suite's OpenID provider: tests/idp/server.js (panva's oidc-provider) under Node.js,
on 127.0.0.1, started per test session or per test, and walked over real HTTP.

``npm ci`` installs it from the committed package-lock.json the first time it is needed (the
Makefile's test target does it too). Only where Node.js itself is missing are the tests that
need it skipped, with the reason.
"""

import os
import selectors
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")
NPM = shutil.which("npm")
NO_NODE = (
    "the OpenID provider tests need Node.js 20+ and npm (tests/idp runs panva's oidc-provider); "
    "install them (Debian: apt-get install nodejs npm; .ci/run does)"
)
CLIENT_ID = "compass360"
CLIENT_SECRET = "compass360-test-secret"


def ensure_installed():
    if NODE is None or NPM is None:
        pytest.skip(NO_NODE)
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout
    if int(version.strip().lstrip("v").split(".")[0]) < 20:
        pytest.fail(f"tests/idp needs Node.js 20 or newer; this one is {version.strip()}")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            [NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True
        )


class TestProvider:
    """One running provider that knows one client (CLIENT_ID) with the given redirect URIs."""

    __test__ = False  # not a test class

    def __init__(self, *, redirect_uris, post_logout_redirect_uris=()):
        ensure_installed()
        env = {
            **os.environ,
            "IDP_PORT": "0",
            "IDP_CLIENT_ID": CLIENT_ID,
            "IDP_CLIENT_SECRET": CLIENT_SECRET,
            "IDP_REDIRECT_URIS": ",".join(redirect_uris),
            "IDP_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        }
        self.process = subprocess.Popen(
            [NODE, str(HERE / "server.js")],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.issuer = self._wait_for_issuer()

    def _wait_for_issuer(self, timeout=30):
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = self.process.stdout.readline()
                if not line:
                    break
                if line.startswith("listening "):
                    return line.split(" ", 1)[1].strip()
        self.stop()
        raise RuntimeError("the test OpenID provider (tests/idp/server.js) did not start")

    @property
    def discovery_url(self):
        return f"{self.issuer}/.well-known/openid-configuration"

    def configure(self, *, accounts=None, tamper=None):
        """Claims per email ({"email_verified": .., "groups": [..]}) and how to spoil the next
        ID tokens (see server.js); both reset to the defaults when not given."""
        response = requests.post(
            f"{self.issuer}/__test__/config",
            json={"accounts": accounts or {}, "tamper": tamper},
            timeout=10,
        )
        response.raise_for_status()

    def settings_for(self):
        """The Django settings that point the app at this provider."""
        return {
            "OIDC_DISCOVERY_URL": self.discovery_url,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ENABLED": True,
            "OIDC_RP_SCOPES": "openid email profile groups",
        }

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


def use_provider(settings, provider, **overrides):
    """Point the app (pytest-django's ``settings``) at ``provider``, as the environment would."""
    for name, value in {**provider.settings_for(), **overrides}.items():
        setattr(settings, name, value)
    backends = [b for b in settings.AUTHENTICATION_BACKENDS if not b.endswith("ProviderBackend")]
    if not settings.PASSWORD_SIGN_IN:
        backends = [b for b in backends if not b.endswith("ModelBackend")]
    settings.AUTHENTICATION_BACKENDS = [*backends, "compass_site.oidc.ProviderBackend"]
    csp = {**settings.SECURE_CSP}
    csp["form-action"] = [*csp["form-action"], provider.issuer]
    settings.SECURE_CSP = csp


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action", "")
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def walk_to_app(authorization_url, email, *, app_origin="http://testserver", browser=None):
    """Play the person at the provider: open the authorization URL, give ``email`` in its
    sign-in form, follow its redirects until one leads back to the app. Returns that URL (the
    callback with ``code`` and ``state``, or with ``error``). ``browser``: a requests.Session
    holding the person's cookies at the provider."""
    browser = browser or requests.Session()
    response = browser.get(authorization_url, allow_redirects=False, timeout=10)
    for _step in range(10):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["location"])
            if location.startswith(app_origin):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        form = _Form()
        form.feed(response.text)
        if response.status_code != 200 or form.action is None or "email" not in form.fields:
            raise AssertionError(f"unexpected page at the provider: {response.status_code}")
        response = browser.post(
            urljoin(response.url, form.action),
            data={**form.fields, "email": email},
            allow_redirects=False,
            timeout=10,
        )
    raise AssertionError("too many redirects at the provider")


def submit_first_form(browser, response, **data):
    """Post the first form of a provider's page, with its hidden fields and ``data``."""
    form = _Form()
    form.feed(response.text)
    assert form.action is not None, "no form on the provider's page"
    return browser.post(
        urljoin(response.url, form.action),
        data={**form.fields, **data},
        allow_redirects=False,
        timeout=10,
    )


def app_path(url):
    """The path and query of an absolute URL of the app, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
