"""A leader invited by HR: choose a password from the invitation, sign in, self-assess (one
section with the keyboard only; leaving and coming back keeps the answers), nominate raters,
then read the released report, share it, print it, and read it on a phone."""

import re

from playwright.sync_api import expect

from . import offscreen
from .helpers import (
    LAYOUT_RULES,
    NEW_PASSWORD,
    answer_section,
    assert_error_announced,
    assert_usable_on_phone,
    checked_values,
    emails_to,
    focus_ring_shown,
    focused,
    link_in,
    questions,
    section_heading,
    tab_until,
)
from .offscreen import LEADER, LEADER_EMAIL, PASSWORD

RATERS = [
    ("Ana Peer", "ana.peer@iom.example.org", "Peers"),
    ("Ben Peer", "ben.peer@iom.example.org", "Peers"),
    ("Chidi Peer", "chidi.peer@iom.example.org", "Peers"),
    ("Amina Diallo", "amina.diallo@partner.example.net", "Partners"),
]


def answer_section_with_keyboard(page):
    """Tab to the first question, then per question: arrow keys (behaviours: 4, consistently)
    or Space (pitfalls: 1, never), Tab to the next; type both comments; Enter on the button."""
    tab_until(page, lambda el: el["type"] == "radio")
    assert focus_ring_shown(page), "the focused answer shows no focus ring"
    count = questions(page).count()
    for index in range(count):
        now = focused(page)
        assert now["type"] == "radio" and now["id"].endswith("-1"), now
        if now["name"].startswith("p"):  # a pitfall
            page.keyboard.press("Space")
        else:
            for _ in range(3):
                page.keyboard.press("ArrowRight")
        if index < count - 1:
            page.keyboard.press("Tab")
    tab_until(page, lambda el: el["id"] == "comment_strength", limit=3)
    page.keyboard.type("I make time for my team's development.")
    tab_until(page, lambda el: el["id"] == "comment_improvement", limit=3)
    page.keyboard.type("Delegate more of the reporting.")
    tab_until(page, lambda el: el["tag"] == "button", limit=3)
    assert focused(page)["text"] == "Save and continue"
    page.keyboard.press("Enter")


def test_leader_sets_a_password_self_assesses_nominates_and_reads_the_report(
    site, journey, hr_admin
):
    # Off-screen: HR creates and opens the cycle (the HR journey does this in the browser);
    # the invitation goes to the leader, whose account HR's import created without a password.
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    (invitation,) = emails_to(LEADER_EMAIL, "self-assessment")

    lucia = journey("leader")
    page = lucia.page

    # --- a password, from the invitation ---------------------------------------------------
    page.goto(link_in(invitation, "/accounts/reset/"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    lucia.check("choose a password")
    page.get_by_label(NEW_PASSWORD).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD + "-typo")
    page.get_by_role("button", name="Save the password").click()
    assert_error_announced(page, "#id_new_password2", "didn’t match")
    lucia.check("passwords do not match")
    page.get_by_label(NEW_PASSWORD).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("heading", name="Your password is saved")).to_be_visible()
    lucia.check("password saved")
    page.get_by_role("link", name="Sign in").click()
    lucia.check("sign in")
    page.get_by_label("Email address").fill(LEADER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Lucía")).to_be_visible()
    lucia.check("home")

    # --- the self-assessment ---------------------------------------------------------------
    page.get_by_role("link", name=re.compile(offscreen.CYCLE_NAME)).click()
    expect(page.get_by_role("heading", name=re.compile("My 360"))).to_be_visible()
    lucia.check("my 360")
    page.get_by_role("link", name="Start your self-assessment").click()
    expect(page.get_by_role("heading", name="Your self-assessment", exact=True)).to_be_visible()
    lucia.check("self-assessment start")
    page.get_by_role("link", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name=section_heading(1))).to_be_visible()
    lucia.check("section 1")

    # Section 1 with the keyboard only.
    answer_section_with_keyboard(page)
    expect(page.get_by_role("heading", name=section_heading(2))).to_be_visible()
    lucia.check("section 2")

    # Part of section 2, saved in the background; then she leaves for the home page.
    answer_section(page, only=4, pick=lambda i: "3")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    section_2 = checked_values(page)
    page.get_by_role("link", name="Home").first.click()
    expect(page.get_by_role("heading", name="Welcome, Lucía")).to_be_visible()

    # Coming back: everything is where she left it.
    page.get_by_role("link", name=re.compile(offscreen.CYCLE_NAME)).click()
    page.get_by_role("link", name="Continue your self-assessment").click()
    page.get_by_role("link", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", name=section_heading(2))).to_be_visible()
    assert checked_values(page) == section_2
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="1 ✓").click()
    expect(page.get_by_role("heading", name=section_heading(1))).to_be_visible()
    answers = checked_values(page)
    assert None not in answers.values()
    assert {value for key, value in answers.items() if key.startswith("item-i")} == {"4"}
    assert {value for key, value in answers.items() if key.startswith("item-p")} == {"1"}
    expect(page.get_by_label("What do I do well here?")).to_have_value(
        "I make time for my team's development."
    )
    page.get_by_role("button", name="Save and continue").click()

    for number in range(2, 8):
        expect(page.get_by_role("heading", name=section_heading(number))).to_be_visible()
        if number > 2:
            lucia.check(f"section {number}", screenshot=number == 7)
        answer_section(page, pick=lambda i: str(3 + i % 3))
        page.get_by_role(
            "button", name="Save and review" if number == 7 else "Save and continue"
        ).click()
    expect(page.get_by_text(re.compile(r"All \d+ questions are answered"))).to_be_visible()
    lucia.check("review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Your self-assessment is submitted.")).to_be_visible()
    lucia.check("thanks")

    # --- nominations -----------------------------------------------------------------------
    page.get_by_role("link", name="Back to My 360").click()
    add = page.get_by_role("button", name="Add rater")
    add.click()
    assert_error_announced(page, "#id_name", "This field is required.")
    assert_error_announced(
        page,
        "#id_email",
        "Enter the email address, or tick the box below for a rater without email.",
    )
    lucia.check("nomination errors")
    page.get_by_label("Name").fill("Lucía Ortega")
    page.get_by_role("textbox", name="Email address").fill(LEADER_EMAIL)
    page.get_by_label("Rater group").select_option(label="Peers")
    add.click()
    assert_error_announced(page, "#id_email", "You cannot nominate yourself")
    for name, email, group in RATERS:
        page.get_by_label("Name").fill(name)
        page.get_by_role("textbox", name="Email address").fill(email)
        page.get_by_label("Rater group").select_option(label=group)
        add.click()
        expect(page.get_by_text(f"{name} was added to your raters")).to_be_visible()
    lucia.check("nominated")
    page.get_by_role("button", name="Send nominations").click()
    expect(page.get_by_text("Your nominations were sent")).to_be_visible()
    assert sorted(
        m.to[0] for m in emails_to(subject_contains="Feedback for Lucía Ortega")
    ) == sorted(email for _name, email, _group in RATERS) + [LEADER[3]]

    # --- the report --------------------------------------------------------------------------
    # Off-screen: the raters and the supervisor answer; HR closes the cycle and releases.
    offscreen.everyone_answers(cycle)
    offscreen.close_and_release(cycle, hr_admin)
    (ready,) = emails_to(LEADER_EMAIL, "report")
    page.goto(link_in(ready, "/reports/"))
    expect(page.get_by_role("heading", name="360 report: Lucía Ortega")).to_be_visible()
    expect(page.get_by_role("heading", name="Answers of peers")).to_have_count(0)
    lucia.check("report")
    assert_charts_have_tables(page)

    page.get_by_role("button", name=re.compile("^Share with ")).click()
    expect(page.get_by_text("Shared.")).to_be_visible()
    lucia.check("report shared", within="[aria-labelledby=share-heading]", screenshot=False)

    page.get_by_role("link", name="Printable version (A4)", exact=True).click()
    expect(page.get_by_role("heading", name="360 report: Lucía Ortega")).to_be_visible()
    expect(page.locator("nav.navbar")).to_have_count(0)
    lucia.check("printable")
    page.emulate_media(media="print")
    page.pdf(path=lucia.folder / "report-a4.pdf", format="A4")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Back to the report").click()

    # On a phone: the report reads at 375 px; tables and charts scroll in their own boxes.
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert_usable_on_phone(page, "report at 375 px")
    lucia.check("report at 375 px", rules=LAYOUT_RULES)  # checked whole at desktop width above
    lucia.done()


def assert_charts_have_tables(page):
    """Every chart is an image with a name, and a table with its numbers comes right after."""
    charts = page.evaluate(
        """() => [...document.querySelectorAll('figure.report-figure')].map(figure => {
             const svg = figure.querySelector('svg');
             const next = figure.nextElementSibling;
             return {
               role: svg && svg.getAttribute('role'),
               name: svg && svg.querySelector('title') && svg.querySelector('title').textContent,
               table: !!(next && (next.matches('table') || next.querySelector('table'))),
             };
           })"""
    )
    assert len(charts) >= 8, charts  # seven enablers and the pitfalls
    for chart in charts:
        assert chart["role"] == "img" and chart["name"], chart
        assert chart["table"], chart
