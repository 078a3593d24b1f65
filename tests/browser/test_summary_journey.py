"""Issue 18: a leader reads the five-minute summary of their report, follows it to the details,
and finds it as the first page of the printable version."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.answering.questionnaire import questionnaire_for
from assessments.models import Cycle, RaterGroup
from tests.assessments.helpers import fast_submit
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

PASSWORD = "field-office-compass-2026"


@pytest.fixture
def released_report(site):
    leader = UserFactory(email="lucia.ortega@iom.example.org", full_name="Lucía Ortega")
    leader.set_password(PASSWORD)
    leader.save()
    cycle = CycleFactory(name="Field leaders 2026", next_level_part=True)
    participant = make_participant(cycle, person=leader, level_slug="heads-of-teams")
    questionnaire = questionnaire_for(participant)
    above = {i.key for s in questionnaire.sections for i in s.next_items}
    communication = {i.key for i in questionnaire.sections[5].items}
    fast_submit(self_rater(participant), "5")
    for peer_score in ("4", "4", "5"):
        rater = RaterFactory(participant=participant, group=RaterGroup.PEER)
        fast_submit(
            rater,
            lambda item, s=peer_score: (
                "2" if item.key in communication else ("3" if item.key in above else s)
            ),
        )
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED, released_at=timezone.now())
    return participant


def test_leader_reads_the_summary_then_the_details_and_the_print(site, journey, released_report):
    lucia = journey("leader")
    page = lucia.page
    page.goto("/accounts/login/")
    lucia.check("sign in", screenshot=False)
    page.get_by_label("Email address").fill("lucia.ortega@iom.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("link", name="Sign out").or_(page.get_by_role("button", name="Sign out"))
    ).to_be_visible()
    lucia.check("home", screenshot=False)

    page.goto(f"/reports/{released_report.pk}/")
    page.get_by_role("link", name="Your 360 in five minutes (summary)").click()
    expect(page.get_by_role("heading", name="Your 360 in five minutes")).to_be_visible()
    lucia.check("summary")

    summary = page.locator(".report-summary")
    strongest = summary.get_by_role("heading", name="Strongest as others see you")
    expect(strongest).to_be_visible()
    weakest = summary.locator(
        ".col-md-6", has=page.get_by_role("heading", name="Weakest as others see you")
    )
    # others gave Communication 2 everywhere: the weakest, and a blind spot (self 5)
    expect(weakest.get_by_role("link", name="Communication")).to_be_visible()
    expect(summary).to_contain_text("self minus others +3.0 (Over-estimator)")
    # placement: others rate the next level 3 and the rungs below 4.3: next level reached
    expect(summary).to_contain_text(
        "Workforce : Chiefs of Mission & Heads of Office".replace(" :", ":")
    )
    expect(summary.get_by_role("heading", name="Three things to work on")).to_be_visible()

    # a link of the summary opens the details at that enabler
    weakest.get_by_role("link", name="Communication").click()
    expect(page).to_have_url(re.compile(rf"/reports/{released_report.pk}/#enabler-communication$"))
    expect(page.get_by_role("heading", name="Communication", exact=True)).to_be_in_viewport()
    insight = page.locator(
        "section",
        has=page.get_by_role(
            "heading", name="What others see compared with you and with other leaders"
        ),
    )
    expect(insight).to_contain_text("Over-estimator")
    expect(insight).to_contain_text("more than 0.5 above")  # the rule, stated
    lucia.check("report with insight")

    page.goto(f"/reports/{released_report.pk}/print/")
    first = page.get_by_role("heading", level=2).first
    expect(first).to_have_text("Your 360 in five minutes")
    lucia.check("print with summary first")
    lucia.done()
