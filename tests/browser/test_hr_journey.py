"""An HR admin at a desk runs a cohort: sign in, create a cycle, upload the participants (a bad
file first: every problem listed, nothing saved), open it, watch progress, remind, close and
release, then read the cohort report."""

import re

from playwright.sync_api import expect

from assessments.models import Participant, Rater, RaterGroup
from tests.assessments.helpers import fast_submit

from . import offscreen
from .helpers import assert_error_announced, emails_to

SUPERVISOR = "samuel.okoro@iom.example.org"
GOOD_ROWS = [  # email, full_name, level, supervisor_email, org_unit, gender
    ("lucia.ortega@iom.example.org", "Lucía Ortega", "Heads of Teams", SUPERVISOR, "Kenya", ""),
    ("omar.haddad@iom.example.org", "Omar Haddad", "heads-of-teams", SUPERVISOR, "Kenya", "man"),
    ("mei.lin@iom.example.org", "Mei Lin", "Directors", SUPERVISOR, "Regional Office", "woman"),
]
BAD_ROWS = [
    ("lucia.ortega@iom.example.org", "Lucía Ortega", "Team lead", SUPERVISOR, "Kenya", ""),
    ("omar.haddad(at)iom.example.org", "Omar Haddad", "Heads of Teams", SUPERVISOR, "Kenya", ""),
    ("mei.lin@iom.example.org", "Mei Lin", "Directors", "mei.lin@iom.example.org", "", ""),
    ("mei.lin@iom.example.org", "Mei Lin", "Directors", SUPERVISOR, "", ""),
]


def csv_file(rows, name):
    return {"name": name, "mimeType": "text/csv", "buffer": offscreen.participants_csv(rows)}


def test_hr_admin_runs_a_cohort_from_creation_to_release(site, journey, hr_admin):
    hana = journey("hr")
    page = hana.page

    # --- sign in -----------------------------------------------------------------------------
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    hana.check("sign in")
    page.get_by_label("Email address").fill(hr_admin.email)
    page.get_by_label("Password").fill("pw-for-tests")  # the factory's password
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Hana")).to_be_visible()
    hana.check("home")
    page.get_by_role("link", name="Run cycles").click()
    expect(page.get_by_role("heading", name="Cycles")).to_be_visible()
    hana.check("dashboard, empty")

    # --- a new cycle: a threshold below 3 is refused, next to the field ---------------------
    page.get_by_role("link", name="New cycle").click()
    hana.check("new cycle")
    page.get_by_label(re.compile(r"^\s*Name")).fill(offscreen.CYCLE_NAME)
    page.get_by_label(re.compile("anonymity threshold", re.I)).fill("2")
    page.get_by_role("button", name="Create cycle").click()
    assert_error_announced(page, "#id_anonymity_threshold", "must be at least 3")
    hana.check("new cycle with an error")
    page.get_by_label(re.compile("anonymity threshold", re.I)).fill("3")
    page.get_by_role("button", name="Create cycle").click()
    expect(page.get_by_text(f"The cycle {offscreen.CYCLE_NAME} was created.")).to_be_visible()
    hana.check("cycle, draft")

    # --- participants: an empty form, a bad file, then a good one --------------------------
    page.get_by_role("link", name="Import participants").click()
    expect(page.get_by_role("heading", name=re.compile("Import participants"))).to_be_visible()
    hana.check("import")
    upload = page.get_by_role("button", name="Import", exact=True)
    upload.click()
    assert_error_announced(page, "#id_file", "This field is required.")
    page.get_by_label(re.compile(r"^\s*CSV file")).set_input_files(csv_file(BAD_ROWS, "bad.csv"))
    upload.click()
    problems = page.get_by_role(
        "heading", name=re.compile("problems to fix — nothing was imported")
    )
    expect(problems).to_be_visible()
    table = page.get_by_role("table").filter(has_text="Problem")
    for row, column in [("2", "level"), ("3", "email"), ("4", "supervisor_email"), ("5", "email")]:
        expect(
            table.get_by_role("row").filter(has_text=re.compile(rf"^{row}\s*{column}"))
        ).not_to_have_count(0)
    assert not Participant.objects.exists()  # all or nothing
    hana.check("import with errors")
    page.get_by_label(re.compile(r"^\s*CSV file")).set_input_files(csv_file(GOOD_ROWS, "good.csv"))
    upload.click()
    expect(page.get_by_text("Import done: 3 participants added")).to_be_visible()
    participants = page.get_by_role("table").filter(has_text="Response rate")
    for _email, name, *_rest in GOOD_ROWS:
        expect(participants.get_by_role("link", name=name)).to_be_visible()
    hana.check("cycle with participants")

    # --- open: invitations go out --------------------------------------------------------------
    page.get_by_role("link", name="Open…").click()
    expect(page.get_by_text(re.compile(r"\d+ emails will be sent"))).to_be_visible()
    hana.check("open, confirm")
    page.get_by_role("button", name="Open and send").click()
    expect(page.get_by_text("The cycle is open.")).to_be_visible()
    for email, *_rest in GOOD_ROWS:
        assert emails_to(email, "self-assessment"), email
    assert len(emails_to(SUPERVISOR, "Feedback for")) == 3
    hana.check("cycle, open")

    # --- progress ----------------------------------------------------------------------------
    # Off-screen: Lucía submits her self-assessment and her supervisor his feedback on her.
    lucia = Participant.objects.get(person__email=GOOD_ROWS[0][0])
    for rater in lucia.raters.filter(group__in=[RaterGroup.SELF, RaterGroup.SUPERVISOR]):
        fast_submit(rater)
    page.reload()
    self_card = page.locator(".card").filter(has_text="Self-assessments submitted")
    expect(self_card).to_contain_text("1 / 3")
    expect(page.locator(".card").filter(has_text="Raters' response rate")).to_contain_text(
        "1 of 3 invited raters submitted"
    )
    page.get_by_label("Status").select_option(label="Self-assessment submitted")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 participant.")).to_be_visible()
    hana.check("cycle, filtered")
    participants.get_by_role("link", name="Lucía Ortega").click()
    expect(page.get_by_role("heading", name=re.compile("Lucía Ortega"))).to_be_visible()
    hana.check("participant")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=offscreen.CYCLE_NAME
    ).click()

    # --- reminders: everyone invited who has not answered ------------------------------------
    # (Issue 16: one email per person, after a preview of who and how many.)
    invited = Rater.objects.filter(status=Rater.Status.INVITED)
    waiting = invited.count()
    people = len({email.lower() for email in invited.values_list("email", flat=True)})
    before = len(emails_to(subject_contains="Reminder:"))
    page.get_by_role("link", name="Reminders…").click()
    expect(page.get_by_text(f"{waiting} requests to remind, in {people} email")).to_be_visible()
    hana.check("reminders, confirm")
    page.get_by_role("button", name=re.compile(f"^Send {people} reminder email")).click()
    expect(page.get_by_text(f"{waiting} reminders are being sent")).to_be_visible()
    assert len(emails_to(subject_contains="Reminder:")) - before == people

    # --- close and release ---------------------------------------------------------------------
    page.get_by_role("link", name="Close…").click()
    hana.check("close, confirm")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_text("The cycle is closed.")).to_be_visible()
    page.get_by_role("link", name="Release reports…").click()
    # Nobody answered in this journey: the page says what is short and asks for the name.
    expect(page.get_by_text("Some reports will be short.")).to_be_visible()
    hana.check("release, confirm")
    page.get_by_label("The cycle's name").fill(offscreen.CYCLE_NAME)
    page.get_by_role("button", name="Release reports").click()
    expect(page.get_by_text("Reports are released.")).to_be_visible()
    hana.check("cycle, released")
    assert len(emails_to(subject_contains="report")) == 3

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_role("link", name="Cohort report").click()
    expect(page.get_by_role("heading", name=re.compile("Cohort report"))).to_be_visible()
    hana.check("cohort report")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="HR").click()
    expect(page.get_by_role("link", name=offscreen.CYCLE_NAME)).to_be_visible()
    hana.check("dashboard")
    hana.done()
