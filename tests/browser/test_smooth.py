"""Issue 16, "smooth for every user": each point walked in the browser by the person it is
about — errors in sight, corrections to nominations, feedback asked of a signed-in person,
approvals at once, a release that says what is short, pages that fit a phone, the compass
readable by everyone, and an action plan that can be corrected."""

import datetime
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import AuditEvent
from assessments.plans import action_plans
from assessments.running import cycles
from compass.models import Enabler, Level
from tests.factories import UserFactory

from . import offscreen
from .helpers import PHONE, assert_error_announced, emails_to, focused, link_in, sign_in
from .offscreen import LEADER

PASSWORD = "pw-for-tests"  # the factories' password


def test_the_compass_pages_pass_axe_and_fit_a_phone(site, journey):
    UserFactory(email="reader@example.org", full_name="Rita Reader")
    level = Level.objects.filter(edition="2024").order_by("position").last()
    enabler = Enabler.objects.filter(edition="2024").order_by("position").first()
    for kind, name in ((None, "desktop"), (PHONE, "phone")):
        reader = journey(f"compass-{name}", **({"kind": kind} if kind else {}))
        sign_in(reader, "reader@example.org", PASSWORD)
        page = reader.page
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


def _is_summary_focused(page):
    return page.evaluate("() => document.activeElement.matches('[data-error-summary]')")


def test_a_leader_on_a_phone_sees_errors_at_once_and_corrects_a_sent_nominee(
    site, journey, hr_admin
):
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    offscreen.choose_password(LEADER[0], PASSWORD)
    lucia = journey("leader", kind=PHONE)
    page = lucia.page
    sign_in(lucia, LEADER[0], PASSWORD)
    page.get_by_role("link", name=offscreen.CYCLE_NAME).click()
    lucia.check("my 360", screenshot=False)

    # 1. A refused nomination: the summary at the top has the focus and links to the field.
    page.get_by_label("Name").fill("Me again")
    page.get_by_role("textbox", name="Email address").fill(LEADER[0])
    page.get_by_label("Rater group").select_option(label="Peers")
    page.get_by_role("button", name="Add rater").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("You cannot nominate yourself")
    assert _is_summary_focused(page)
    assert summary.bounding_box()["y"] < 812  # in view, at the top: not 2,000 px below
    lucia.check("nomination refused")
    summary.get_by_role("link", name=re.compile("You cannot nominate yourself")).click()
    assert focused(page)["id"] == "id_email"
    assert_error_announced(page, "#id_email", "You cannot nominate yourself")

    # 2. Nominate and send; a partner's address is mistyped, then corrected.
    raters = [
        ("Ana Peer", "ana.peer@iom.example.org", "Peers"),
        ("Ben Peer", "ben.peer@iom.example.org", "Peers"),
        ("Chidi Peer", "chidi.peer@iom.example.org", "Peers"),
        ("Amina Diallo", "amina.diallo@partner.exmple.net", "Partners"),
    ]
    for name, email, group in raters:
        page.get_by_label("Name").fill(name)
        page.get_by_role("textbox", name="Email address").fill(email)
        page.get_by_label("Rater group").select_option(label=group)
        page.get_by_role("button", name="Add rater").click()
        expect(page.get_by_text(f"{name} was added to your raters")).to_be_visible()
    page.get_by_role("button", name="Send nominations").click()
    expect(page.get_by_text("Your nominations were sent")).to_be_visible()
    lucia.check("nominations sent", screenshot=False)
    (typo,) = emails_to("amina.diallo@partner.exmple.net")
    old_link = link_in(typo, "/r/")

    page.get_by_role("link", name="Correct Amina Diallo").click()
    expect(page.get_by_role("heading", name="Correct Amina Diallo")).to_be_visible()
    lucia.check("correct a nominee")
    page.get_by_role("textbox", name="Email address").fill("amina.diallo@partner.example.net")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Amina Diallo was replaced by Amina Diallo.")).to_be_visible()
    lucia.check("nominee corrected", screenshot=False)
    assert emails_to("amina.diallo@partner.example.net", "Feedback for Lucía Ortega")
    assert AuditEvent.objects.filter(cycle=cycle, action="replace_nomination").exists()
    # The mistyped address's link no longer opens anything.
    page.goto(old_link)
    expect(page.get_by_role("heading", name=re.compile("link", re.I)).first).to_be_visible()
    lucia.check("old link retired", screenshot=False)
    lucia.done()


def test_a_signed_in_peer_finds_the_feedback_asked_of_them_on_home(site, journey, hr_admin):
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    offscreen.nominate(
        offscreen.participant(cycle, LEADER[0]),
        [
            ("Ana Peer", "ana.peer@iom.example.org", "peer"),
            ("Ben Peer", "ben.peer@iom.example.org", "peer"),
            ("Chidi Peer", "chidi.peer@iom.example.org", "peer"),
        ],
    )
    UserFactory(email="ana.peer@iom.example.org", full_name="Ana Peer")  # has an account
    ana = journey("peer", kind=PHONE)
    page = ana.page
    sign_in(ana, "ana.peer@iom.example.org", PASSWORD)
    table = page.locator("section[aria-labelledby=feedback-requested]")
    expect(table).to_contain_text("Lucía Ortega")
    expect(table).to_contain_text("Peers")
    expect(table).to_contain_text("Not started")
    ana.check("home with a request")
    table.get_by_role("link", name=re.compile("Start")).click()
    expect(page.get_by_text("Lucía Ortega").first).to_be_visible()
    ana.check("questionnaire start, signed in")
    ana.done()


def test_a_supervisor_approves_all_pending_nominations_at_once(site, journey, hr_admin):
    cycle = offscreen.open_cycle(hr_admin, [LEADER], approval=True)
    offscreen.nominate(
        offscreen.participant(cycle, LEADER[0]),
        [(f"Peer {n}", f"peer{n}@iom.example.org", "peer") for n in range(5)],
    )
    offscreen.choose_password(LEADER[3], PASSWORD)
    samuel = journey("supervisor")
    page = samuel.page
    sign_in(samuel, LEADER[3], PASSWORD)
    page.get_by_role("link", name="5 nominations await your approval").click()
    samuel.check("approvals")
    page.get_by_role("button", name="Approve all 5 (except any marked Reject)").click()
    expect(page.get_by_text("Approved: 5. Rejected: 0.")).to_be_visible()
    samuel.check("all approved", screenshot=False)
    assert len(emails_to(subject_contains="Feedback for Lucía Ortega")) == 5 + 1
    samuel.done()


def test_a_leader_corrects_the_action_plan(site, journey, hr_admin):
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    participant = offscreen.participant(cycle, LEADER[0])
    offscreen.nominate(
        participant,
        [(f"Peer {n}", f"peer{n}@iom.example.org", "peer") for n in range(3)],
    )
    offscreen.everyone_answers(cycle)
    offscreen.close_and_release(cycle, hr_admin)
    enabler = Enabler.objects.get(edition="2024", slug="funding")
    action_plans.add_focus(participant=participant, enabler=enabler, goal="Multi-year funding")
    offscreen.choose_password(LEADER[0], PASSWORD)
    lucia = journey("leader")
    page = lucia.page
    sign_in(lucia, LEADER[0], PASSWORD)
    page.goto(reverse("plans:plan", args=[participant.pk]))
    lucia.check("plan")

    # 10. A past due date is refused, and the summary takes the reader to it.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Action", exact=False).first.fill("Meet two donors")
    page.get_by_label("Due on").fill(yesterday.isoformat())
    page.get_by_role("button", name="Add action").click()
    assert _is_summary_focused(page)
    lucia.check("past date refused")
    page.locator("[data-error-summary] a").first.click()
    assert focused(page)["id"].endswith("-due_on")
    assert_error_announced(page, f"#{focused(page)['id']}", "The due date is in the past")
    later = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Due on").fill(later.isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("The action was added.")).to_be_visible()

    # Edit it, then delete it.
    page.get_by_role("link", name=re.compile("Edit or delete")).click()
    lucia.check("edit an action")
    page.get_by_label("Action").fill("Meet three donors")
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_text("The action was saved.")).to_be_visible()
    expect(page.get_by_text("Meet three donors", exact=True)).to_be_visible()
    lucia.check("action edited", screenshot=False)
    page.get_by_role("link", name=re.compile("Edit or delete")).click()
    page.get_by_role("button", name="Delete the action").click()
    expect(page.get_by_text("“Meet three donors” was deleted.")).to_be_visible()
    lucia.check("action deleted", screenshot=False)
    lucia.done()


TEAM = [
    LEADER,
    (
        "omar.haddad@iom.example.org",
        "Omar Haddad",
        "Heads of Teams",
        "samuel.okoro@iom.example.org",
        "Bangkok",
        "man",
    ),
]


def test_hr_on_a_phone_reminds_by_digest_releases_with_care_and_gets_the_pdfs(
    site, journey, hr_admin
):
    hr_admin.set_password(PASSWORD)
    hr_admin.save()
    cycle = offscreen.open_cycle(hr_admin, TEAM)
    for email, *_rest in TEAM:
        offscreen.nominate(
            offscreen.participant(cycle, email),
            # The same three peers for both leaders: each is asked twice.
            [(f"Peer {n}", f"peer{n}@iom.example.org", "peer") for n in range(3)],
        )
    mail.outbox.clear()
    hana = journey("hr", kind=PHONE)
    page = hana.page
    sign_in(hana, hr_admin.email, PASSWORD)
    page.goto(reverse("hr:cycle_detail", args=[cycle.pk]))
    hana.check("cycle page")

    # 4. Whom to remind, who and how many, then one email per person.
    page.get_by_role("link", name="Reminders…").click()
    hana.check("reminders")
    page.get_by_label("One rater group").check()
    page.get_by_label("Rater group", exact=True).select_option(label="Peers")
    page.get_by_role("button", name="Show who would be reminded").click()
    expect(page.get_by_text("6 requests to remind, in 3 emails (one per person):")).to_be_visible()
    hana.check("reminder preview")
    page.get_by_role("button", name="Send 3 reminder emails").click()
    expect(page.get_by_text("6 reminders are being sent in the background")).to_be_visible()
    assert sorted(m.to[0] for m in mail.outbox) == [f"peer{n}@iom.example.org" for n in range(3)]
    assert all(m.subject == "Reminder: 2 requests for your feedback" for m in mail.outbox)
    expect(page.get_by_text("Last reminder:")).to_be_visible()
    hana.check("cycle page after reminding", screenshot=False)
    page.get_by_role("link", name="Reminders…").click()
    page.get_by_label("Remind every … days").fill("7")
    page.get_by_role("button", name="Save the schedule").click()
    expect(page.get_by_text("Reminder schedule saved. Next scheduled reminder:")).to_be_visible()
    expect(page.locator(".reminder-dates").first).to_contain_text("Next scheduled reminder:")
    hana.check("schedule saved", screenshot=False)

    # 5. Release says what is short and wants the cycle's name typed.
    offscreen.everyone_answers(cycle, skip_groups=("self",))
    cycles.close_cycle(cycle=cycle, by=hr_admin)
    page.reload()
    page.get_by_role("link", name="Release reports…").click()
    expect(page.get_by_text("2 leaders have not submitted a self-assessment:")).to_be_visible()
    hana.check("release confirmation")
    page.get_by_role("button", name="Release reports").click()
    assert _is_summary_focused(page)
    hana.check("release refused without the name", screenshot=False)
    page.get_by_label("The cycle's name").fill(offscreen.CYCLE_NAME)
    page.get_by_role("button", name="Release reports").click()
    expect(page.get_by_text("Reports are released.")).to_be_visible()
    hana.check("released", screenshot=False)

    # 6. The cohort report and an individual report fit the phone's width.
    page.get_by_role("link", name="Cohort report").click()
    hana.check("cohort report on a phone")
    page.goto(reverse("reports:individual", args=[offscreen.participant(cycle, LEADER[0]).pk]))
    hana.check("individual report on a phone")

    # 7. All reports as PDFs, built in the background (at once in tests).
    page.goto(reverse("hr:cycle_report_pdfs", args=[cycle.pk]))
    hana.check("report PDFs")
    page.get_by_role("button", name="Build the zip of PDFs").click()
    expect(page.get_by_role("link", name="Download the zip of PDFs")).to_be_visible(timeout=120_000)
    hana.check("report PDFs ready", screenshot=False)
    hana.done()
