"""A partner outside the organization gives feedback from the link in their invitation, on a
phone: no account, a draft that survives a closed tab, a submission, then a read-only link."""

import re

from playwright.sync_api import expect

from . import offscreen
from .helpers import (
    PHONE,
    answer_section,
    assert_question_error_announced,
    checked_values,
    emails_to,
    link_in,
    questions,
    section_heading,
)
from .offscreen import LEADER, PEERS

PARTNER = ("Amina Diallo", "amina.diallo@partner.example.net", "partner")


def test_partner_answers_on_a_phone_closes_the_tab_comes_back_and_submits(site, journey, hr_admin):
    # Off-screen: HR opens the cycle, the leader nominates three peers and a partner and sends
    # the nominations, which emails each rater a personal link.
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    offscreen.nominate(offscreen.participant(cycle, LEADER[0]), [*PEERS, PARTNER])
    (invitation,) = emails_to(PARTNER[1])
    link = link_in(invitation, "/r/")

    amina = journey("partner", PHONE)
    page = amina.page
    page.goto(link)
    expect(page.get_by_role("heading", name="Feedback for Lucía Ortega")).to_be_visible()
    expect(page.get_by_text("Your answers are anonymous")).to_be_visible()
    amina.check("start")

    page.get_by_role("link", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name=section_heading(1))).to_be_visible()
    amina.check("section 1")
    first_answer = questions(page).first.locator("label").first
    assert first_answer.bounding_box()["height"] >= 44

    # Part of the first section, tapped; the answers save in the background as they change.
    answered = answer_section(page, tap=True, only=3, pick=lambda i: "4")
    assert answered == 3
    page.get_by_label("What does Lucía Ortega do well here?").fill(
        "Brings partners to the table early."
    )
    page.get_by_label("What does Lucía Ortega do well here?").blur()
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    before = checked_values(page)

    # The tab is closed without saving; later the partner opens the link again.
    page.close()
    page = amina.new_page()
    page.goto(link)
    continue_link = page.get_by_role("link", name="Continue", exact=True)
    expect(continue_link).to_be_visible()
    amina.check("start again")
    continue_link.click()
    expect(page.get_by_role("heading", name=section_heading(1))).to_be_visible()
    assert checked_values(page) == before
    assert sum(value is not None for value in before.values()) == 3
    expect(page.get_by_label("What does Lucía Ortega do well here?")).to_have_value(
        "Brings partners to the table early."
    )

    # Every section, to the end: mostly "consistently", some "not observed"; the first two
    # questions of section 2 are overlooked.
    for number in range(1, 8):
        expect(page.get_by_role("heading", name=section_heading(number))).to_be_visible()
        if number > 1:
            amina.check(f"section {number}", screenshot=number == 7)
        overlooked = 2 if number == 2 else 0
        answer_section(
            page,
            tap=True,
            pick=lambda i, n=overlooked: None if i < n else "na" if i % 5 == 4 else str(2 + i % 4),
        )
        last = number == 7
        page.get_by_role("button", name="Save and review" if last else "Save and continue").tap()

    # The review lists what is missing; submitting anyway is refused, in the page.
    expect(page.get_by_text("2 questions still need an answer")).to_be_visible()
    amina.check("review, 2 missing")
    page.get_by_role("button", name="Submit my answers").tap()
    expect(page.get_by_role("alert")).to_contain_text("Everything you answered is saved.")
    page.get_by_role("heading", name=re.compile("Partnerships")).get_by_role("link").tap()
    expect(page.get_by_text("2 questions on this page still need an answer.")).to_be_visible()
    for item in questions(page).all()[:2]:
        assert_question_error_announced(page, item)
    amina.check("section 2, missing answers")
    answer_section(page, tap=True, pick=lambda i: "3")
    page.get_by_role("button", name="Save and continue").tap()
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="7 ✓").tap()
    page.get_by_role("button", name="Save and review").tap()

    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    expect(page.get_by_text(re.compile(r"All \d+ questions are answered"))).to_be_visible()
    amina.check("review, complete", screenshot=False)
    page.get_by_role("button", name="Submit my answers").tap()

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Your feedback for Lucía Ortega is submitted.")).to_be_visible()
    amina.check("thanks")

    # The link now shows the answers, read-only.
    page.goto(link)
    expect(page.get_by_text("Your answers have been submitted.")).to_be_visible()
    amina.check("start after submitting")
    page.get_by_role("link", name="Look at your answers (read-only)").tap()
    expect(
        page.get_by_text("These answers are final and can no longer be changed.")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    radios = questions(page).locator("input[type=radio]")
    assert radios.count() > 0
    assert page.evaluate(
        "() => [...document.querySelectorAll(\"fieldset[id^='item-'] input\")]"
        ".every(input => input.disabled)"
    )
    amina.check("read-only section")
    amina.done()
