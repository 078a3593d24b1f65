"""Issue 16, "smooth for every user": each point walked in the browser by the person it is
about — errors in sight, corrections to nominations, feedback asked of a signed-in person,
approvals at once, a release that says what is short, pages that fit a phone, the compass
readable by everyone, and an action plan that can be corrected."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from compass.models import Enabler, Level
from tests.factories import UserFactory

from .helpers import PHONE

PASSWORD = "pw-for-tests"  # the factories' password


def sign_in(one, email, password=PASSWORD):
    page = one.page
    page.goto("/accounts/login/")
    one.check("sign in", screenshot=False)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


def test_the_compass_pages_pass_axe_and_fit_a_phone(site, journey):
    UserFactory(email="reader@example.org", full_name="Rita Reader")
    level = Level.objects.filter(edition="2024").order_by("position").last()
    enabler = Enabler.objects.filter(edition="2024").order_by("position").first()
    for kind, name in ((None, "desktop"), (PHONE, "phone")):
        reader = journey(f"compass-{name}", **({"kind": kind} if kind else {}))
        sign_in(reader, "reader@example.org")
        page = reader.page
        reader.check("home", screenshot=False)
        page.goto("/compass/")
        reader.check("compass matrix")
        # The matrix scrolls inside its own box on a phone, and the box can be reached by
        # keyboard to scroll it.
        page.goto(enabler.get_absolute_url())
        reader.check("enabler page")
        page.goto(level.get_absolute_url())
        reader.check("level page")
        page.get_by_role("link", name=re.compile(f"{enabler.name}")).first.click()
        reader.check("enabler from the level page", screenshot=False)
        page.goto(reverse("compass:cell", args=["2024", level.slug, enabler.slug]))
        expect(page.get_by_role("heading", name="Indicators a rater can observe")).to_be_visible()
        reader.check("cell page")
        reader.done()
