"""Issue 13 in the browser: answers survive the idle sign-out and a quick exit.

2. A leader idle past the sign-out answers and types a comment: the save says in place that
   they were signed out (no sign-in page inside the form), and once they sign in again what they
   typed is put back and saved.
3. A rater answers the last item and leaves at once: the answer is sent as the page goes.
"""

import re
import time

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from playwright.sync_api import expect

from assessments.answering.tokens import issue_token
from assessments.models import Answer, Comment, Cycle
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

from .helpers import questions, section_heading

PASSWORD = "field-office-compass-2026"


def _holds(predicate):
    """The predicate, read again later (False) while the live server's write transaction holds
    a table of the shared in-memory SQLite database: shared-cache locks fail at once instead of
    waiting."""
    try:
        return predicate()
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        return False


def wait_for(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _holds(predicate):
            return True
        time.sleep(0.1)
    return predicate()


def sign_in(page, email):
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_answer_and_comment_typed_after_the_idle_sign_out_are_kept_and_saved(site, open_context):
    leader = UserFactory(email="lucia@iom.example.org", full_name="Lucía Ortega", password=PASSWORD)
    participant = make_participant(CycleFactory(state=Cycle.State.OPEN), person=leader)
    context = open_context()
    page = context.new_page()
    section_url = f"/me/{participant.pk}/self/section/2/"
    page.goto(section_url)
    sign_in(page, leader.email)
    expect(page.get_by_role("heading", name=section_heading(2))).to_be_visible()

    # 30 idle minutes pass (the session's last activity is moved back on the server).
    (cookie,) = [c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 60
    session.save()

    first = questions(page).first
    first.locator("label[for$='-2']").click()
    comment = page.get_by_label("What do I do well here?")
    comment.fill("I listen before deciding.")
    comment.blur()
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("You were signed out", timeout=10_000)
    expect(status).to_contain_text("kept on this device")
    # Never a page inside the form: no password field anywhere on the questionnaire.
    assert page.locator("input[type=password]").count() == 0
    expect(page.get_by_role("heading", name=section_heading(2))).to_be_visible()
    assert not Answer.objects.exists() and not Comment.objects.exists()

    # Signing in again comes back to the section; what was typed is put back and saved.
    status.get_by_role("link", name="sign in again").click()
    sign_in(page, leader.email)
    expect(page.get_by_role("heading", name=section_heading(2))).to_be_visible()
    expect(page.get_by_label("What do I do well here?")).to_have_value("I listen before deciding.")
    expect(status).to_contain_text("Draft saved", timeout=10_000)
    rater = self_rater(participant)
    assert wait_for(lambda: Answer.objects.filter(response__rater=rater, score=2).count() == 1)
    assert Comment.objects.get(response__rater=rater).text == "I listen before deciding."
    # Saved: nothing is kept on the device any more.
    assert page.evaluate("() => localStorage.length") == 0


def test_the_last_answer_is_sent_when_the_rater_leaves_at_once(site, open_context):
    rater = RaterFactory(participant=make_participant(CycleFactory(state=Cycle.State.OPEN)))
    token = issue_token(rater)
    page = open_context().new_page()
    page.goto(f"/r/{token}/section/1/")
    expect(page.get_by_role("heading", name=section_heading(1))).to_be_visible()
    last = questions(page).last
    last.locator("label[for$='-5']").click()
    page.goto("about:blank")  # straight away: well within the 0.8 s the autosave waits
    assert wait_for(lambda: Answer.objects.filter(response__rater=rater).exists())
    (answer,) = Answer.objects.filter(response__rater=rater)
    assert answer.score == 5


def test_a_hidden_page_sends_what_is_not_saved_yet(site, open_context):
    rater = RaterFactory(participant=make_participant(CycleFactory(state=Cycle.State.OPEN)))
    token = issue_token(rater)
    page = open_context().new_page()
    page.goto(f"/r/{token}/section/1/")
    page.get_by_label(re.compile("do well here")).fill("Clear priorities.")
    # The tab goes to the background (the phone's home button) before the typing pause ends.
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'hidden'});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    # Sooner than the 2 s the autosave waits after the last keystroke: the flush sent it.
    assert wait_for(lambda: Comment.objects.filter(response__rater=rater).exists(), seconds=1.5)
    assert Comment.objects.get(response__rater=rater).text == "Clear priorities."


def test_the_section_links_save_the_answers_on_the_way(site, open_context):
    rater = RaterFactory(participant=make_participant(CycleFactory(state=Cycle.State.OPEN)))
    token = issue_token(rater)
    page = open_context(java_script_enabled=False).new_page()
    page.goto(f"/r/{token}/section/1/")
    questions(page).first.locator("label[for$='-4']").click()
    page.get_by_role("button", name=re.compile(r"^3\b")).click()
    expect(page.get_by_role("heading", name=section_heading(3))).to_be_visible()
    assert Answer.objects.get(response__rater=rater).score == 4
