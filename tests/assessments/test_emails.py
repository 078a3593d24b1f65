"""The emails: invitations to leaders and raters, and the request for approval."""

import pytest
from django.core import mail
from django.utils.formats import date_format

from assessments import emails
from assessments.answering import invitations
from assessments.models import RaterGroup
from assessments.running import cycles
from tests.factories import (
    CycleFactory,
    RaterFactory,
    UserFactory,
    make_participant,
    self_rater,
    supervisor_rater,
)

pytestmark = pytest.mark.django_db

SITE_URL = "https://compass.example.org"
LINK = f"{SITE_URL}/r/a-personal-token/"
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def cycle(db):
    return CycleFactory(name="Spring cohort", anonymity_threshold=4)


@pytest.fixture
def participant(compass, cycle, leader, supervisor):
    return make_participant(cycle, person=leader, supervisor=supervisor)


def sent():
    """The one email sent: (message, text body, HTML body)."""
    (message,) = mail.outbox
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return message, message.body, html


def words(html):
    """The HTML body as read: names and dates in sentences are isolated with <bdi> (RTL)."""
    return html.replace("<bdi>", "").replace("</bdi>", "")


def test_every_email_has_a_text_and_an_html_part(participant):
    emails.send_invitation(self_rater(participant), LINK)
    emails.send_invitation(supervisor_rater(participant), LINK)
    emails.send_invitation(RaterFactory(participant=participant), LINK)
    emails.send_approval_request(participant)
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert message.body.strip()
        assert [mimetype for _, mimetype in message.alternatives] == ["text/html"]
        assert "<img" not in message.alternatives[0][0]


# The leader's invitation


def test_participant_invitation_links_to_self_assessment_and_my_360(participant):
    emails.send_invitation(self_rater(participant), LINK)
    message, text, html = sent()
    assert message.to == ["lucia.ortega@example.org"]
    assert "Spring cohort" in message.subject
    my_360 = f"{SITE_URL}/me/{participant.pk}/"
    closes = date_format(participant.cycle.closes_on)
    for body in (text, html):
        assert LINK in body
        assert my_360 in body
        assert closes in body
        assert "choose a password" not in body


def test_participant_without_a_password_is_asked_to_choose_one_first(participant, leader):
    leader.set_unusable_password()
    leader.save()
    emails.send_invitation(self_rater(participant), LINK)
    _, text, html = sent()
    for body in (text, html):
        assert "First, choose a password for your account" in body
        assert f"{SITE_URL}/accounts/reset/" in body


def test_participant_invitation_says_when_the_supervisor_approves_raters(
    compass, leader, supervisor
):
    participant = make_participant(
        CycleFactory(supervisor_approval_required=True), person=leader, supervisor=supervisor
    )
    emails.send_invitation(self_rater(participant), LINK)
    _, text, html = sent()
    assert "Your supervisor approves your raters before they are invited." in text
    assert "Your supervisor approves your raters before they are invited." in html


# A rater's invitation


def test_peer_invitation_names_the_leader_and_states_the_anonymity_threshold(participant):
    peer = RaterFactory(participant=participant, name="Ana Peer", group=RaterGroup.PEER)
    emails.send_invitation(peer, LINK)
    message, text, html = sent()
    assert message.to == [peer.email]
    assert message.subject == "Feedback for Lucía Ortega (Spring cohort)"
    closes = date_format(participant.cycle.closes_on)
    assert "<bdi>Lucía Ortega</bdi>" in html
    for body in (text, words(html)):
        assert "Dear Ana Peer," in body
        assert "Lucía Ortega is taking part in Spring cohort" in body
        assert LINK in body
        assert closes in body
        assert "about 20 minutes" in body
        assert "You need no account" in body
        assert "Your answers are anonymous" in body
        assert "at least 4 raters of your group answered" in body
        assert "not anonymous" not in body
        assert "replaces the one we sent before" not in body


@pytest.mark.parametrize("group", [RaterGroup.DIRECT_REPORT, RaterGroup.PARTNER])
def test_direct_report_and_partner_invitations_are_anonymous_too(participant, group):
    emails.send_invitation(RaterFactory(participant=participant, group=group), LINK)
    _, text, html = sent()
    assert "at least 4 raters of your group answered" in text
    assert "at least 4 raters of your group answered" in html


def test_supervisor_invitation_says_the_answers_are_not_anonymous(participant):
    emails.send_invitation(supervisor_rater(participant), LINK)
    message, text, html = sent()
    assert message.to == ["samuel.okoro@example.org"]
    for body in (text, words(html)):
        assert "You are asked as Lucía Ortega's supervisor" in body
        assert "Your answers are not anonymous" in body
        assert "under the Supervisor heading" in body
        assert "Your answers are anonymous" not in body


def test_a_reminder_says_its_link_is_the_same_as_before(participant):
    emails.send_invitation(RaterFactory(participant=participant), LINK, reminder=True)
    message, text, html = sent()
    assert message.subject.startswith("Reminder: ")
    assert "This is the same link as in our first email" in text
    assert "This is the same link as in our first email" in html
    assert "replaces" not in text


def test_a_hostile_leader_name_is_escaped_in_html_and_plain_in_text(compass, supervisor):
    leader = UserFactory(full_name=HOSTILE)
    participant = make_participant(person=leader, supervisor=supervisor)
    emails.send_invitation(RaterFactory(participant=participant), LINK)
    _, text, html = sent()
    assert HOSTILE not in html
    assert ESCAPED in html
    assert HOSTILE in text


def test_a_hostile_rater_name_is_escaped_in_html(participant):
    emails.send_invitation(RaterFactory(participant=participant, name=HOSTILE), LINK)
    _, _, html = sent()
    assert HOSTILE not in html
    assert f"Dear <bdi>{ESCAPED}</bdi>," in html


# The request for approval


def test_approval_request_asks_the_supervisor_with_a_link(participant):
    emails.send_approval_request(participant)
    message, text, html = sent()
    assert message.to == ["samuel.okoro@example.org"]
    link = f"{SITE_URL}/me/{participant.pk}/approvals/"
    for body in (text, words(html)):
        assert "Dear Samuel," in body
        assert "Lucía Ortega has nominated" in body
        assert link in body
        assert "rejected raters are never contacted" in body


def test_approval_request_escapes_a_hostile_leader_name(compass, supervisor):
    participant = make_participant(person=UserFactory(full_name=HOSTILE), supervisor=supervisor)
    emails.send_approval_request(participant)
    _, _, html = sent()
    assert HOSTILE not in html
    assert ESCAPED in html


# Sent for real


def test_opening_a_cycle_emails_each_leader_and_supervisor_a_working_link(
    compass, leader, supervisor, django_capture_on_commit_callbacks
):
    from assessments.models import Cycle

    participant = make_participant(
        CycleFactory(state=Cycle.State.DRAFT), person=leader, supervisor=supervisor
    )
    with django_capture_on_commit_callbacks(execute=True):
        cycles.open_cycle(cycle=participant.cycle, by=UserFactory())
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"lucia.ortega@example.org", "samuel.okoro@example.org"}
    for message in mail.outbox:
        link = next(w for w in message.body.split() if w.startswith(f"{SITE_URL}/r/"))
        token = link.removeprefix(f"{SITE_URL}/r/").strip("/")
        assert len(token) >= 22  # at least 128 bits, base64
    assert "under the Supervisor heading" in by_recipient["samuel.okoro@example.org"].body


def test_a_resent_link_is_the_same_one(participant):
    rater = RaterFactory(participant=participant)
    invitations.invite_rater(rater)
    invitations.invite_rater(rater, reminder=True)
    first, second = (
        next(w for w in m.body.split() if w.startswith(f"{SITE_URL}/r/")) for m in mail.outbox
    )
    assert first == second
    assert "This is the same link as in our first email" in mail.outbox[1].body


def test_approval_request_offers_a_password_to_a_supervisor_created_by_import(compass):
    from assessments import emails
    from assessments.models import User
    from tests.factories import CycleFactory, make_participant

    boss = User.objects.create_user(email="newboss@example.org", full_name="New Boss")
    participant = make_participant(CycleFactory(), supervisor=boss)
    emails.send_approval_request(participant)
    body = mail.outbox[-1].body
    assert "choose a password" in body
    assert "/accounts/reset/" in body
