"""A supervisor approves the raters their team nominated, then reads the team report and the
report a team member shared."""

import re

from playwright.sync_api import expect

from . import offscreen
from .helpers import NEW_PASSWORD, emails_to, focused, link_in, tab_until

SUPERVISOR = "samuel.okoro@iom.example.org"
PASSWORD = "supervisor-compass-2026"
TEAM = [  # participants' rows as HR imports them
    ("lucia.ortega@iom.example.org", "Lucía Ortega", "Heads of Teams", SUPERVISOR, "Kenya", ""),
    ("omar.haddad@iom.example.org", "Omar Haddad", "Heads of Teams", SUPERVISOR, "Kenya", ""),
    ("mei.lin@iom.example.org", "Mei Lin", "Heads of Teams", SUPERVISOR, "Kenya", ""),
]


def peers_of(email):
    first = email.split(".")[0]
    return [(f"{first} peer {n}", f"{first}.peer{n}@iom.example.org", "peer") for n in (1, 2, 3)]


def test_supervisor_approves_nominations_and_reads_the_team_report(site, journey, hr_admin):
    # Off-screen: HR opens a cycle in which supervisors approve nominations; each team member
    # nominates three peers and sends them, which asks the supervisor for approval by email.
    cycle = offscreen.open_cycle(hr_admin, TEAM, approval=True)
    for email, *_rest in TEAM:
        offscreen.nominate(offscreen.participant(cycle, email), peers_of(email))
    approval_emails = emails_to(SUPERVISOR, "waiting for your approval")
    assert len(approval_emails) == 3
    (lucia_request,) = [m for m in approval_emails if "Lucía Ortega" in m.subject]

    samuel = journey("supervisor")
    page = samuel.page

    # He is not a participant: HR's import made his account, without a password. The approval
    # request has a link to choose one, then the link to the approvals, which asks him to sign in.
    page.goto(link_in(lucia_request, "/accounts/reset/"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    samuel.check("choose a password")
    page.get_by_label(NEW_PASSWORD).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    samuel.check("password saved")
    page.goto(link_in(lucia_request, "/approvals/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    samuel.check("sign in")
    page.get_by_label("Email address").fill(SUPERVISOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Lucía's raters, with the keyboard: approve, approve, reject.
    expect(page.get_by_role("heading", name="Raters for Lucía Ortega")).to_be_visible()
    samuel.check("approvals")
    tab_until(page, lambda el: el["type"] == "radio")
    for steps in (1, 1, 2):  # from "Decide later": → Approve, → → Reject
        assert focused(page)["type"] == "radio"
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")
    assert focused(page)["text"] == "Save decisions"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Approved: 2. Rejected: 1.")).to_be_visible()
    # The two approved peers are invited (the third email is his own, as her supervisor).
    assert len(emails_to(subject_contains="Feedback for Lucía Ortega")) == 2 + 1
    samuel.check("approvals decided")

    # The rest of the team from the home page.
    page.get_by_role("link", name="Home").first.click()
    for name in ("Omar Haddad", "Mei Lin"):
        member = page.get_by_role("listitem").filter(has_text=name)
        member.get_by_role("link", name="3 nominations await your approval").click()
        expect(page.get_by_role("heading", name=f"Raters for {name}")).to_be_visible()
        samuel.check(f"approvals for {name}", screenshot=False)
        for radio in page.get_by_role("radio", name="Approve").all():
            radio.check()
        page.get_by_role("button", name="Save decisions").click()
        expect(page.get_by_text("Approved: 3. Rejected: 0.")).to_be_visible()
        page.get_by_role("link", name="Home").first.click()
    samuel.check("home, nothing to approve")

    # Off-screen: everyone answers, HR closes and releases.
    offscreen.everyone_answers(cycle)
    offscreen.close_and_release(cycle, hr_admin)

    page.reload()
    page.get_by_role("link", name=re.compile(f"Team report: {offscreen.CYCLE_NAME}")).click()
    expect(page.get_by_text("3 team members took part")).to_be_visible()
    # All except self: Lucía's two peers are withheld in her own report, and Samuel knows his
    # own answers, so only Omar and Mei would count: fewer than k (issue 12). Self: all three.
    others, self_means = (
        page.locator("table.heat-table").nth(0),
        page.locator("table.heat-table").nth(1),
    )
    expect(others).to_be_visible()
    expect(others.locator("td").first).to_have_text("too few answers")
    expect(self_means.locator("td.heat").first).to_have_text(re.compile(r"^\d\.\d$"))
    samuel.check("team report")

    # Off-screen: Lucía shares her report. Two unshared members are fewer than k: the team's
    # numbers minus her report would be theirs, so the team report shows none (issue 12).
    offscreen.share_report(offscreen.participant(cycle, TEAM[0][0]))
    page.reload()
    expect(
        page.get_by_text(re.compile("who have not shared their report with you"))
    ).to_be_visible()
    expect(page.locator("table.heat-table")).to_have_count(0)
    page.get_by_role("link", name="Read Lucía Ortega’s report").click()
    expect(page.get_by_text("Lucía Ortega shared this report with you.")).to_be_visible()
    samuel.check("shared report")
    samuel.done()
