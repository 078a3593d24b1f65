"""The gender-responsive leadership section (issue 19): a peer answers its first skill after the
compass's seven enablers, and the leader reads it on rows of its own in the released report."""

import re

from django.core.management import call_command
from playwright.sync_api import expect

from assessments.models import Cycle
from compass.models import GRL_EDITION

from . import offscreen
from .helpers import answer_section, emails_to, link_in, sign_in
from .offscreen import LEADER, LEADER_EMAIL, PASSWORD, PEERS


def test_a_peer_answers_the_section_and_the_leader_reads_it_apart(site, journey, hr_admin):
    call_command("loaddata", "gender_responsive_leadership", verbosity=0)
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    Cycle.objects.filter(pk=cycle.pk).update(grl_edition=GRL_EDITION)
    participant = offscreen.participant(cycle, LEADER_EMAIL)
    offscreen.nominate(participant, PEERS)

    # --- a peer reaches the section after the compass --------------------------------------
    peer = journey("peer")
    page = peer.page
    (invitation,) = emails_to("peer1@iom.example.org")
    page.goto(link_in(invitation, "/r/"))
    peer.check("start", screenshot=False)
    page.get_by_role("link", name=re.compile("Lead by example")).first.click()
    expect(page.get_by_role("heading", name="8 of 12: Lead by example")).to_be_visible()
    expect(page.get_by_text("Intervenes when sexist remarks or behaviour occur")).to_be_visible()
    peer.check("section lead by example")
    assert answer_section(page, pick=lambda index: "5") == 3
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="9 of 12: Set priorities and targets")).to_be_visible()
    peer.check("section priorities", screenshot=False)
    peer.done()

    # --- everyone answers, HR releases, the leader reads -----------------------------------
    offscreen.everyone_answers(cycle)
    offscreen.close_and_release(cycle, hr_admin)
    offscreen.choose_password(LEADER_EMAIL)
    lucia = journey("leader")
    page = lucia.page
    sign_in(lucia, LEADER_EMAIL, PASSWORD)
    page.goto(f"/reports/{participant.pk}/")
    heading = page.locator("#grl-heading")
    expect(heading).to_have_text("Gender-responsive leadership")
    skill = page.locator("#grl-lead-by-example")
    expect(skill.get_by_role("heading", name="Lead by example")).to_be_visible()
    # After the seven enablers, never among them.
    order = page.locator("article.report-enabler h3").all_inner_texts()
    assert order.index("Lead by example") == 7 and order.index("Internal Systems") == 6
    lucia.check("report with the section")
    lucia.done()
