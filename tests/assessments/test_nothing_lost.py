"""Issue 13, "nothing lost": stable links, self-closing cycles, emails sent and recorded one by
one, a real contact in every email and on the "link does not work" page, rater text refused
with a message when it holds control characters."""

import datetime
import re
import time
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments.answering import invitations
from assessments.answering.questionnaire import build_questionnaire
from assessments.answering.tokens import find_rater, hash_token, issue_token
from assessments.models import (
    Answer,
    AuditEvent,
    Comment,
    Cycle,
    EmailDelivery,
    Rater,
    closing_moment,
)
from assessments.running import cycles, hr_actions, imports
from tests.assessments.helpers import cycle_data, section_post
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db

Status = Rater.Status
TODAY = timezone.localdate()


def link_in(message):
    return re.search(r"/r/([^/\s]+)/", message.body).group(1)


# --- 1. Links are stable for the whole cycle --------------------------------------------------


def test_invitation_reminder_and_resend_carry_one_link_that_keeps_working(
    compass, client, hr_admin, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(created_by=hr_admin)
    rater = RaterFactory(participant=make_participant(cycle), status=Status.NOMINATED)
    invitations.invite_rater(rater)
    with django_capture_on_commit_callbacks(execute=True):
        hr_actions.send_reminders(cycle=cycle, by=hr_admin)
        hr_actions.resend_link(rater=rater, by=hr_admin)
    sent = [m for m in mail.outbox if m.to == [rater.email]]
    assert len(sent) == 3
    assert len({link_in(m) for m in sent}) == 1
    assert client.get(reverse("rater:start", args=[link_in(sent[0])])).status_code == 200


def test_the_database_alone_cannot_rebuild_a_link(compass, settings):
    rater = RaterFactory()
    token = issue_token(rater)
    rater.refresh_from_db()
    assert token not in (rater.link_secret, rater.token_hash)
    assert rater.token_hash == hash_token(token)
    # Without the server's key, the stored secret gives another token.
    settings.RATER_LINK_KEY = "someone-elses-guess"
    other = Rater.objects.get(pk=rater.pk)
    other.token_hash = None  # compute only, as an attacker with the row would
    assert issue_token(other) != token


def test_rotating_the_key_keeps_the_link_a_rater_holds_working(compass, client, settings):
    rater = RaterFactory()
    held = issue_token(rater)
    settings.RATER_LINK_KEY = "rotated-key"
    new = issue_token(Rater.objects.get(pk=rater.pk))
    assert new != held
    assert client.get(reverse("rater:start", args=[held])).status_code == 200
    assert client.get(reverse("rater:start", args=[new])).status_code == 200


def test_a_link_from_before_derived_links_keeps_working_after_the_next_email(compass, client):
    rater = RaterFactory()
    legacy = "legacy-random-token-" + "x" * 23
    Rater.objects.filter(pk=rater.pk).update(token_hash=hash_token(legacy))
    invitations.invite_rater(Rater.objects.get(pk=rater.pk), reminder=True)
    new = link_in(mail.outbox[-1])
    assert new != legacy
    assert client.get(reverse("rater:start", args=[legacy])).status_code == 200
    assert client.get(reverse("rater:start", args=[new])).status_code == 200


def test_a_valid_link_is_found_in_one_query(compass, django_assert_num_queries):
    rater = RaterFactory()
    token = issue_token(rater)
    with django_assert_num_queries(1):
        assert find_rater(token, Rater.objects.all()) == rater


def test_replacing_a_rater_retires_their_link(compass, client, hr_admin):
    rater = RaterFactory()
    token = issue_token(rater)
    hr_actions.replace_rater(rater=rater, name="Kofi", email="kofi@example.org", by=hr_admin)
    assert client.get(reverse("rater:start", args=[token])).status_code == 404


# --- 4. The cycle closes itself at the end of its close date ---------------------------------


def test_a_link_refuses_answers_after_the_close_date_before_any_job_runs(compass, client):
    cycle = CycleFactory(opens_on=TODAY - datetime.timedelta(days=10), closes_on=TODAY)
    rater = RaterFactory(participant=make_participant(cycle))
    token = issue_token(rater)
    section = build_questionnaire(rater.participant.level).section(1)
    after = closing_moment(cycle.closes_on) + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        page = client.get(reverse("rater:section", args=[token, 1]))
        posted = client.post(reverse("rater:section", args=[token, 1]), section_post(section))
    assert page.status_code == 404 and posted.status_code == 404
    assert not Answer.objects.exists()
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.OPEN  # the job has not run


def test_the_closing_moment_is_midnight_after_the_close_date_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Africa/Nairobi"
    moment = closing_moment(datetime.date(2026, 12, 4))
    assert moment.isoformat() == "2026-12-05T00:00:00+03:00"


def test_the_daily_command_and_the_worker_close_due_cycles(compass):
    due = CycleFactory(opens_on=TODAY - datetime.timedelta(days=9), closes_on=TODAY)
    later = CycleFactory(closes_on=TODAY + datetime.timedelta(days=1))
    # Not yet: the close date is today.
    assert cycles.close_all_due.call() == 0
    tomorrow = closing_moment(TODAY) + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        out = StringIO()
        call_command("close_cycles", stdout=out)
    assert "1 cycles closed" in out.getvalue()
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, later.state) == (Cycle.State.CLOSED, Cycle.State.OPEN)
    event = AuditEvent.objects.get(cycle=due, action="close")
    assert event.actor is None and "end of its close date" in event.detail


def test_opening_a_cycle_schedules_the_worker_to_close_it(
    compass, hr_admin, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    make_participant(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.open_cycle(cycle=cycle, by=hr_admin)
    backend = cycles.close_cycle_when_due.get_backend()
    (scheduled,) = [r for r in backend.results if r.task.name == "close_cycle_when_due"]
    assert scheduled.args == [cycle.pk]
    assert scheduled.task.run_after == closing_moment(cycle.closes_on)
    backend.clear()


def test_invitation_start_page_and_hr_page_say_when_the_cycle_closes(compass, client, hr_admin):
    cycle = CycleFactory(closes_on=datetime.date(2030, 3, 14))
    rater = RaterFactory(participant=make_participant(cycle), status=Status.NOMINATED)
    invitations.invite_rater(rater)
    assert "until the end of March 14, 2030, UTC time" in mail.outbox[-1].body
    start = client.get(reverse("rater:start", args=[link_in(mail.outbox[-1])]))
    # The date and the zone stand isolated in the sentence (<bdi>), for right-to-left readers.
    page = start.content.decode().replace("<bdi>", "").replace("</bdi>", "")
    assert "Open until the end of March 14, 2030, UTC time" in page
    client.force_login(hr_admin)
    hr_page = client.get(reverse("hr:cycle_detail", args=[cycle.pk])).content.decode()
    hr_page = hr_page.replace("<bdi>", "").replace("</bdi>", "")
    assert "Closes by itself at the end of March 14, 2030, UTC time" in hr_page


# --- 5. One bad email stops nothing; failures are listed with a retry -------------------------


class FlakyBackend:
    """Refuses every message to a chosen address, as an SMTP server refusing a header."""

    refused = set()

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refused:
                raise ValueError("Header values may not contain linefeed or carriage return")
            mail.outbox.append(message)
        return len(messages)


@pytest.fixture
def flaky(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend", "OPTIONS": {}}}
    FlakyBackend.refused = {"broken@example.org"}
    yield FlakyBackend
    FlakyBackend.refused = set()


def test_a_failing_email_does_not_stop_the_others_and_is_listed_with_a_retry(
    compass, client, hr_admin, flaky, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(created_by=hr_admin)
    broken = make_participant(cycle, person=UserFactory(email="broken@example.org"))
    make_participant(cycle)
    make_participant(cycle)
    sent = invitations.invite_cycle(cycle)
    assert sent == 6  # three self-assessments and three supervisors
    assert len(mail.outbox) == 5
    failed = EmailDelivery.objects.get(status=EmailDelivery.Status.FAILED)
    assert (failed.to, failed.rater, failed.cycle) == (
        "broken@example.org",
        self_rater(broken),
        cycle,
    )
    assert EmailDelivery.objects.filter(status=EmailDelivery.Status.SENT).count() == 5

    client.force_login(hr_admin)
    page = client.get(reverse("hr:cycle_detail", args=[cycle.pk])).content.decode()
    assert "1 email could not be sent" in page and "broken@example.org" in page
    flaky.refused = set()  # the address was fixed on the mail server's side
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hr:delivery_retry", args=[cycle.pk, failed.pk]))
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["broken@example.org"]
    page = client.get(reverse("hr:cycle_detail", args=[cycle.pk])).content.decode()
    assert "could not be sent" not in page
    assert AuditEvent.objects.filter(cycle=cycle, action="retry_email").exists()


def test_a_name_typed_with_a_line_break_is_imported_on_one_line(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    text = (
        "email,full_name,level,supervisor_email,org_unit\n"
        'ana@example.org,"Ana\nMaría  López",heads-of-teams,boss@example.org," Kenya\tOffice\x01"\n'
    )
    imports.import_participants(cycle=cycle, data=text.encode(), by=hr_admin)
    participant = cycle.participants.get()
    assert participant.person.full_name == "Ana María López"
    assert participant.org_unit == "Kenya Office"


# --- 16. A real contact in every email and on the "link does not work" page -------------------


def test_every_email_names_the_cycle_contact_and_replies_go_to_it(compass, hr_admin):
    cycle = CycleFactory(contact_email="people@example.org", created_by=hr_admin)
    participant = make_participant(cycle)
    invitations.invite_rater(self_rater(participant))
    invitations.invite_rater(RaterFactory(participant=participant, status=Status.NOMINATED))
    from assessments import emails

    emails.send_approval_request(participant)
    emails.send_report_ready(participant)
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert message.reply_to == ["people@example.org"]
        assert "people@example.org" in message.body
        assert "people@example.org" in message.alternatives[0].content


def test_without_a_contact_the_creator_of_the_cycle_is_named(compass, hr_admin):
    cycle = CycleFactory(created_by=hr_admin)
    invitations.invite_rater(RaterFactory(participant=make_participant(cycle)))
    assert mail.outbox[-1].reply_to == [hr_admin.email]


def test_link_page_of_a_closed_cycle_names_its_contact_and_never_a_no_reply(compass, client):
    cycle = CycleFactory(contact_email="people@example.org")
    token = issue_token(RaterFactory(participant=make_participant(cycle)))
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
    body = client.get(reverse("rater:start", args=[token])).content.decode()
    assert "This link does not work" in body
    assert "people@example.org" in body
    assert "noreply" not in body


def test_wrong_link_page_names_the_site_contact(compass, client, settings):
    settings.CONTACT_EMAIL = "help@example.org"
    body = client.get(reverse("rater:start", args=["x" * 43])).content.decode()
    assert "help@example.org" in body


def test_hr_sets_the_contact_on_the_cycle_form(client, hr_admin, compass):
    client.force_login(hr_admin)
    data = cycle_data(
        name="Leaders 2027",
        opens_on="2027-01-10",
        closes_on="2027-02-10",
        contact_email="people@example.org",
    )
    client.post(reverse("hr:cycle_create"), data)
    assert Cycle.objects.get(name="Leaders 2027").contact == "people@example.org"


# --- 8. Control characters in rater text are refused with a message --------------------------


@pytest.mark.parametrize("bad", ["nul\x00here", "bell\x07", "escape\x1b[31m"])
def test_a_comment_with_control_characters_is_refused_with_a_message(client, linked_rater, bad):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(1)
    url = reverse("rater:section", args=[token, 1])
    response = client.post(url, section_post(section, comment_strength=bad))
    assert response.status_code == 400
    assert "invisible control characters" in response.content.decode()
    assert not Comment.objects.exists()
    autosave = client.post(url, section_post(section, comment_improvement=bad), HTTP_HX_REQUEST="1")
    assert "Not saved" in autosave.content.decode()


def test_a_decline_reason_with_a_nul_is_refused_with_a_message(client, linked_rater):
    rater, token = linked_rater
    response = client.post(reverse("rater:decline", args=[token]), {"reason": "busy\x00"})
    assert response.status_code == 400
    assert "invisible control characters" in response.content.decode()
    rater.refresh_from_db()
    assert rater.status == Status.INVITED


def test_a_nomination_name_with_a_control_character_is_refused(client, compass):
    participant = make_participant(CycleFactory(state=Cycle.State.OPEN))
    client.force_login(participant.person)
    response = client.post(
        reverse("my360:nominate", args=[participant.pk]),
        {"name": "Ama\x00", "email": "ama@example.org", "group": "peer"},
    )
    assert "invisible control characters" in response.content.decode()
    assert not participant.raters.filter(email="ama@example.org").exists()


def test_the_cache_table_exists_after_migrate_alone():
    # tests/conftest.py no longer runs createcachetable: the migration made it.
    assert "compass_cache" in connection.introspection.table_names()


# --- 2, 3. Saves after the idle sign-out, the beacon, navigation that saves -----------------


def test_a_background_save_after_the_idle_sign_out_answers_401_not_the_sign_in_page(
    client, compass, settings
):
    participant = make_participant(CycleFactory())
    client.force_login(participant.person)
    url = reverse("my360:self_section", args=[participant.pk, 1])
    assert client.get(url).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 60
    session.save()
    section = build_questionnaire(participant.level).section(1)
    response = client.post(url, section_post(section, autosave="1"), HTTP_X_AUTOSAVE="1")
    assert response.status_code == 401
    assert "Sign in again" in response.content.decode()
    assert "password" not in response.content.decode()
    assert not Answer.objects.exists()
    # The page itself (a plain form post) still goes to the sign-in page, coming back here.
    plain = client.post(url, section_post(section))
    assert plain.status_code == 302 and reverse("login") in plain.url and "self" in plain.url


def test_the_section_page_offers_sign_in_back_to_it_and_loads_the_save_script(client, compass):
    participant = make_participant(CycleFactory())
    client.force_login(participant.person)
    body = client.get(reverse("my360:self_section", args=[participant.pk, 2])).content.decode()
    assert "js/questionnaire.js" in body
    assert "data-signed-out-message" in body
    assert "/accounts/login/?next=%2Fme%2F" in body


def test_a_beacon_save_is_stored_and_answered_204(client, linked_rater):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(1)
    last = section.items[-1].key
    response = client.post(
        reverse("rater:section", args=[token, 1]), {last: "2", "autosave": "beacon"}
    )
    assert response.status_code == 204
    assert Answer.objects.get(response__rater=rater).score == 2


def test_every_section_link_posts_the_answers_of_the_section(client, linked_rater):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(2)
    page = client.get(reverse("rater:section", args=[token, 2])).content.decode()
    assert page.count('name="go" value="section-') == 7  # the numbered section links
    response = client.post(
        reverse("rater:section", args=[token, 2]), section_post(section, "5", go="section-6")
    )
    assert response.status_code == 302
    assert response.url == reverse("rater:section", args=[token, 6])
    assert Answer.objects.filter(response__rater=rater, score=5).count() == len(section.items)


def test_the_page_and_each_save_carry_the_time_of_the_last_save(client, linked_rater):
    """The script drops what it kept on the device once the server has a newer save."""
    rater, token = linked_rater
    url = reverse("rater:section", args=[token, 1])
    assert 'data-saved-at="0"' in client.get(url).content.decode()
    section = build_questionnaire(rater.participant.level).section(1)
    saved = client.post(url, {section.items[0].key: "3", "autosave": "1"}, HTTP_X_AUTOSAVE="1")
    stamp = saved["X-Saved-At"]
    assert int(stamp) > 0
    assert f'data-saved-at="{stamp}"' in client.get(url).content.decode()
