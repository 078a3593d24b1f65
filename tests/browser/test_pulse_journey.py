"""A progress pulse (issue 19), its main path: a hundred days after her report, the leader starts
a pulse from her action plan, a peer answers it on a phone from the link in the invitation, the
pulse closes and releases itself at the end of its close date, and the plan shows the change
since the 360 for her focus area."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from assessments.answering.questionnaire import build_questionnaire
from assessments.models import Cycle, Participant
from assessments.plans import action_plans
from assessments.running import cycles
from tests.assessments.pulse_helpers import answer_pulse

from . import offscreen
from .helpers import PHONE, answer_section, emails_to, link_in, questions, sign_in
from .offscreen import LEADER, LEADER_EMAIL, PASSWORD

PEERS = [
    ("Ana Peer", "ana.peer@iom.example.org", "peer"),
    ("Ben Peer", "ben.peer@iom.example.org", "peer"),
    ("Chidi Peer", "chidi.peer@iom.example.org", "peer"),
]


def released_360_with_a_plan(hr_admin):
    """Off-screen: the 360 ran, was released a hundred days ago, and the leader's plan focuses
    on Communication, linked to two of its behaviours."""
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    participant = offscreen.participant(cycle, LEADER_EMAIL)
    offscreen.nominate(participant, PEERS)
    offscreen.everyone_answers(cycle)
    offscreen.close_and_release(cycle, hr_admin)
    Cycle.objects.filter(pk=cycle.pk).update(
        released_at=timezone.now() - datetime.timedelta(days=100)
    )
    participant = offscreen.participant(cycle, LEADER_EMAIL)
    communication = next(
        s
        for s in build_questionnaire(participant.level).sections
        if s.enabler.slug == "communication"
    )
    action_plans.add_focus(
        participant=participant,
        enabler=communication.enabler,
        goal="Explain decisions to the team before they are announced.",
        indicator_ids=[item.indicator_id for item in communication.level_items[:2]],
    )
    offscreen.choose_password(LEADER_EMAIL)
    return participant


def test_a_leader_starts_a_pulse_a_peer_answers_and_the_plan_shows_the_change(
    site, journey, hr_admin
):
    participant = released_360_with_a_plan(hr_admin)
    plan_path = f"/plans/{participant.pk}/"

    # --- the leader starts the pulse from her action plan ----------------------------------
    lucia = journey("leader")
    page = lucia.page
    sign_in(lucia, LEADER_EMAIL, PASSWORD)
    page.goto(plan_path)
    expect(page.get_by_role("heading", name="Progress pulse")).to_be_visible()
    lucia.check("plan, a pulse can start")
    page.get_by_role("link", name="Start a progress pulse").click()
    expect(page.get_by_role("heading", name=re.compile("Start a progress pulse"))).to_be_visible()
    expect(page.get_by_text("the 2 behaviours you linked to it")).to_be_visible()
    for name in ("samuel.okoro", "Ana Peer", "Ben Peer", "Chidi Peer"):
        expect(page.get_by_label(name)).to_be_checked()  # everyone invited, ticked
    expect(page.get_by_label("Lucía Ortega")).to_have_count(0)  # no self-assessment
    lucia.check("start the pulse")
    page.get_by_role("button", name="Start the pulse and invite them").click()
    expect(page.get_by_role("heading", name=re.compile("Your progress pulse"))).to_be_visible()
    expect(page.get_by_text("Your progress pulse is open until")).to_be_visible()
    lucia.check("pulse open")

    # --- a peer answers on a phone, from the invitation ----------------------------------
    (invitation,) = emails_to(PEERS[0][1], "short follow-up")
    link = link_in(invitation, "/r/")
    ana = journey("peer", PHONE)
    phone = ana.page
    phone.goto(link)
    expect(phone.get_by_text("This short follow-up asks what you have seen since")).to_be_visible()
    ana.check("pulse start")
    phone.get_by_role("link", name="Start", exact=True).tap()
    expect(phone.get_by_role("heading", name="1 of 1: Communication")).to_be_visible()
    change = phone.get_by_role(
        "group",
        name="Over the past months, has this leader become more or less effective at this?",
    )
    expect(change.get_by_text("Much more effective")).to_be_visible()
    ana.check("pulse section")
    count = questions(phone).count()
    assert count == 3  # the two linked behaviours and the change question
    answer_section(phone, tap=True, pick=lambda i: "+2" if i == count - 1 else "4")
    phone.get_by_role("button", name="Save and review").tap()
    expect(phone.get_by_text(re.compile(r"All 3 questions are answered"))).to_be_visible()
    ana.check("pulse review", screenshot=False)
    phone.get_by_role("button", name="Submit my answers").tap()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    ana.check("pulse thanks")
    ana.done()

    # --- off-screen: the others answer; the pulse closes and releases itself ------------------
    pulse = Participant.objects.get(follows=participant)
    for rater in pulse.raters.exclude(email=PEERS[0][1]):
        answer_pulse(rater, score="4", change="+1")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Cycle.objects.filter(pk=pulse.cycle_id).update(opens_on=yesterday, closes_on=yesterday)
    cycles.close_due_cycles()
    (notice,) = emails_to(LEADER_EMAIL, "progress pulse")

    # --- the leader reads the change on her plan --------------------------------------------
    page.goto(link_in(notice, "/plans/"))
    row = page.get_by_role("row", name=re.compile("Communication"))
    expect(row).to_contain_text(re.compile(r"[+−]\d\.\d"))  # the change since the 360
    expect(row).to_contain_text("+1.3")  # (+2 +1 +1 +1) / 4 ... as printed
    lucia.check("plan with the pulse's results")
    lucia.done()
