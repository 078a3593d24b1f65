"""A leader signs in with the organisation's account (the test OpenID provider, tests/idp), with
password sign-in turned off, and signs out of the app and of the provider."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.idp.provider import TestProvider, use_provider


@pytest.fixture
def provider(site, settings):
    running = TestProvider(
        redirect_uris=[f"{site.url}/oidc/callback/"],
        post_logout_redirect_uris=[f"{site.url}/accounts/login/"],
    )
    settings.PASSWORD_SIGN_IN = False
    use_provider(settings, running, OIDC_BUTTON_LABEL="Sign in with IOM account")
    yield running
    running.stop()


def passed_through_provider(person, page):
    """The provider's own pages are not ours to audit: note that the journey saw them."""
    person.checked.add(urlsplit(page.url).path)


def test_leader_signs_in_and_out_through_the_organisations_provider(provider, journey):
    UserFactory(email="lucia.ortega@iom.example.org", full_name="Lucía Ortega")
    lucia = journey("leader")
    page = lucia.page

    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    expect(page.get_by_role("link", name="Forgotten your password?")).to_have_count(0)
    lucia.check("sign in, provider only")
    page.get_by_role("link", name="Sign in with IOM account").click()

    # At the provider: its own sign-in page, on another origin.
    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    assert page.url.startswith(provider.issuer)
    passed_through_provider(lucia, page)
    page.get_by_label("Email").fill("Lucia.Ortega@IOM.example.org")
    page.get_by_role("button", name="Continue").click()

    # Back in the app, signed in as the account HR's import made (the email in another case).
    expect(page.get_by_text("Lucía Ortega")).to_be_visible()
    assert urlsplit(page.url).path == "/"  # where she was going: the sign-in kept "next"
    lucia.check("signed in through the provider")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Yes, sign me out")).to_be_visible()
    assert page.url.startswith(provider.issuer)
    passed_through_provider(lucia, page)
    page.get_by_role("button", name="Yes, sign me out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert urlsplit(page.url).path == "/accounts/login/"
    lucia.check("signed out")
    page.goto("/me/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    lucia.done()
