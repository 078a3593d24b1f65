"""A partner without email (issue 19): the leader nominates her with a name only, prints her card
(one page, QR code drawn on the server), and she types the short code at /r/ on a phone and
reaches her questionnaire."""

import re

from playwright.sync_api import expect

from . import offscreen
from .helpers import PHONE, sign_in
from .offscreen import LEADER, LEADER_EMAIL, PASSWORD


def test_a_leader_prints_a_card_and_the_partner_types_its_code(site, journey, hr_admin):
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    participant = offscreen.participant(cycle, LEADER_EMAIL)
    offscreen.choose_password(LEADER_EMAIL)

    lucia = journey("leader")
    page = lucia.page
    sign_in(lucia, LEADER_EMAIL, PASSWORD)
    page.goto(f"/me/{participant.pk}/")
    lucia.check("my 360")

    # --- a partner with a name only --------------------------------------------------------
    page.get_by_label("Name").fill("Amina Diallo")
    page.get_by_label("Rater group").select_option(label="Partners")
    page.get_by_label("This person has no email address").check()
    page.get_by_role("button", name="Add rater").click()
    expect(page.get_by_text("Amina Diallo was added to your raters")).to_be_visible()
    expect(page.get_by_text("No email: printed card")).to_be_visible()
    lucia.check("nominated without email")

    # --- her card --------------------------------------------------------------------------
    page.get_by_role("link", name="Print card Amina Diallo").click()
    expect(
        page.get_by_role("heading", name=re.compile("your feedback is requested"))
    ).to_be_visible()
    lucia.check("card")
    qr = page.locator(".rater-card-qr svg")
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150  # 45 mm: scannable from paper
    assert qr.locator("path").count() >= 1  # drawn in the page, no image fetched
    code = page.get_by_test_id("short-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    expect(page.get_by_role("button", name="Print the card")).to_be_visible()  # script ran
    # Printed, the card is one page without the app's navigation or the instructions.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print the card")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.emulate_media(media="screen")
    lucia.done()

    # --- the partner, on a phone, types the code -------------------------------------------
    amina = journey("partner", kind=PHONE)
    phone = amina.page
    phone.goto("/r/")
    amina.check("type the code")
    phone.get_by_label("Code").fill(code.lower().replace("-", " "))
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_text("Lucía Ortega").first).to_be_visible()
    assert re.search(r"/r/[A-Za-z0-9_-]{43}/$", phone.url)
    amina.check("questionnaire start")
    amina.done()
