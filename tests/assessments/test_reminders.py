"""Reminders: on demand from the cycle page and daily from `manage.py send_reminders`."""

import datetime
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assessments.answering.questionnaire import build_questionnaire
from assessments.errors import DomainError
from assessments.models import Answer, AuditEvent, Cycle, Rater
from assessments.running import hr_actions
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db

Status = Rater.Status
TODAY = timezone.localdate()


def cohort_with_every_status(cycle):
    """One rater per status; the self rater has a link too. Returns those to be reminded."""
    participant = make_participant(cycle)
    participant.raters.filter(group="self").update(status=Status.INVITED)
    participant.raters.filter(group="supervisor").update(status=Status.SUBMITTED)
    waiting = [
        RaterFactory(participant=participant, status=Status.INVITED, email="invited@example.org"),
        RaterFactory(participant=participant, status=Status.STARTED, email="started@example.org"),
    ]
    RaterFactory(participant=participant, status=Status.SUBMITTED, email="done@example.org")
    RaterFactory(participant=participant, status=Status.DECLINED, email="no@example.org")
    RaterFactory(participant=participant, status=Status.NOMINATED, email="later@example.org")
    return [participant.person.email, *(r.email for r in waiting)]


def test_reminders_go_to_everyone_who_has_not_answered_and_nobody_else(
    hr_admin, compass, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    expected = cohort_with_every_status(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        count = hr_actions.send_reminders(cycle=cycle, by=hr_admin)
    assert count == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox)
    assert all("same link as in our first email" in m.body for m in mail.outbox)
    reminded = Rater.objects.filter(reminded_at__isnull=False)
    assert sorted(reminded.values_list("email", flat=True)) == sorted(expected)
    event = AuditEvent.objects.get(action="remind")
    assert event.actor == hr_admin and "3" in event.detail


def test_the_page_says_how_many_then_sends_in_the_background(
    client, hr_admin, compass, django_capture_on_commit_callbacks
):
    client.force_login(hr_admin)
    cycle = CycleFactory(state=Cycle.State.OPEN)
    cohort_with_every_status(cycle)
    url = reverse("hr:cycle_remind", args=[cycle.pk])
    # The wording changed with issue 16: requests and emails (one per person) are counted.
    page = client.get(url).content.decode()
    assert "3 requests to remind, in 3 emails (one per person)" in page
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    notes = " ".join(str(m) for m in response.context["messages"])
    assert "3 reminders are being sent in the background, in 3 emails" in notes
    assert len(mail.outbox) == 3


def test_a_reminder_carries_the_same_link_and_a_draft_in_progress_keeps_saving(
    hr_admin, compass, client, django_capture_on_commit_callbacks
):
    from assessments.answering.tokens import issue_token

    cycle = CycleFactory(state=Cycle.State.OPEN)
    rater = RaterFactory(participant=make_participant(cycle), status=Status.INVITED)
    old = issue_token(rater)
    section_url = reverse("rater:section", args=[old, 1])
    assert client.get(section_url).status_code == 200  # the questionnaire is open
    with django_capture_on_commit_callbacks(execute=True):
        hr_actions.send_reminders(cycle=cycle, by=hr_admin)
        hr_actions.send_reminders(cycle=cycle, by=hr_admin)  # the daily command, the next day
    links = {
        re.search(r"/r/([^/\s]+)/", m.body).group(1) for m in mail.outbox if m.to == [rater.email]
    }
    assert links == {old}
    section = build_questionnaire(rater.participant.level).section(1)
    key = section.items[0].key
    saved = client.post(section_url, {key: "4"}, HTTP_HX_REQUEST="true")
    assert "Draft saved" in saved.content.decode()
    assert Answer.objects.filter(response__rater=rater).count() == 1
    assert client.get(reverse("rater:start", args=[old])).status_code == 200


def test_no_reminders_outside_an_open_cycle(hr_admin, compass):
    with pytest.raises(DomainError):
        hr_actions.send_reminders(cycle=CycleFactory(state=Cycle.State.CLOSED), by=hr_admin)


def test_someone_who_submits_before_the_task_runs_is_not_reminded(
    hr_admin, compass, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    rater = RaterFactory(participant=make_participant(cycle), status=Status.INVITED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hr_actions.send_reminders(cycle=cycle, by=hr_admin)
    Rater.objects.filter(pk=rater.pk).update(status=Status.SUBMITTED)
    for callback in callbacks:
        callback()
    assert not mail.outbox


# The scheduled command


def command(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def closing_in(days, name, state=Cycle.State.OPEN):
    cycle = CycleFactory(
        name=name,
        opens_on=TODAY - datetime.timedelta(days=30),
        closes_on=TODAY + datetime.timedelta(days=days),
    )
    RaterFactory(participant=make_participant(cycle), status=Status.INVITED)
    Cycle.objects.filter(pk=cycle.pk).update(state=state)
    return cycle


def test_the_command_reminds_open_cycles_closing_within_the_window(
    compass, django_capture_on_commit_callbacks
):
    closing_in(0, "Closes today")
    closing_in(3, "Closes in three days")
    closing_in(4, "Closes in four days")
    closing_in(-1, "Closed yesterday")
    closing_in(1, "Already closed", state=Cycle.State.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        out = command()
    assert "Closes today" in out and "Closes in three days" in out
    assert "four days" not in out and "Already closed" not in out
    # a cycle whose close date has ended is closed, not reminded
    assert "Closed yesterday closed by itself" in out and "Closed yesterday (closes" not in out
    assert "Closes today (closes " in out and ": 1 reminders" in out
    assert "2 reminders for 2 open cycles closing within 3 days." in out
    assert len(mail.outbox) == 2
    assert all(e.actor is None for e in AuditEvent.objects.filter(action="remind"))


def test_the_command_takes_the_window_in_days(compass, django_capture_on_commit_callbacks):
    closing_in(4, "Closes in four days")
    closing_in(9, "Closes in nine days")
    with django_capture_on_commit_callbacks(execute=True):
        out = command("--days", "5")
    assert "Closes in four days" in out and "nine" not in out
    assert "1 reminders for 1 open cycles closing within 5 days." in out


def test_the_command_with_nothing_to_do_says_so(compass):
    assert "0 reminders for 0 open cycles" in command("--days", "0")


@pytest.mark.parametrize(("value", "message"), [("-1", "0 or more"), ("soon", "whole number")])
def test_the_command_refuses_bad_input_clearly(compass, value, message):
    with pytest.raises(CommandError, match=message):
        command("--days", value)


def test_the_command_exits_non_zero_on_bad_input(compass):
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "send_reminders", "--days", "-2"],
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "--days must be 0 or more" in result.stderr


# One email per person (issue 16)


def asked_by_many(cycle, email="ana.peer@example.org", leaders=6):
    raters = []
    for n in range(leaders):
        participant = make_participant(
            cycle, person=UserFactory(full_name=f"Leader {n}"), org_unit=f"Unit {n % 2}"
        )
        raters.append(
            RaterFactory(
                participant=participant, email=email, name="Ana Peer", status=Status.INVITED
            )
        )
    return raters


def test_a_person_asked_by_six_leaders_gets_one_email_listing_all_six(
    hr_admin, compass, client, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    raters = asked_by_many(cycle)
    Rater.objects.filter(pk=raters[0].pk).update(email="ANA.PEER@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        count = hr_actions.send_reminders(cycle=cycle, by=hr_admin)
    assert count == 6  # the leaders' self-assessments have no link yet
    mine = [m for m in mail.outbox if m.to[0].lower() == "ana.peer@example.org"]
    assert len(mine) == 1
    (message,) = mine
    assert message.subject == "Reminder: 6 requests for your feedback"
    for n in range(6):
        assert f"Leader {n}, {cycle.name}, as Peers" in message.body
    links = re.findall(r"/r/([^/\s]+)/", message.body)
    assert len(set(links)) == 6
    for token in links:
        assert client.get(reverse("rater:start", args=[token])).status_code == 200
    assert "same links as in our first emails" in message.body
    assert (
        Rater.objects.filter(pk__in=[r.pk for r in raters], reminded_at__isnull=False).count() == 6
    )


def audience_page(client, cycle, **query):
    return client.get(reverse("hr:cycle_remind", args=[cycle.pk]), query)


@pytest.mark.parametrize(
    ("query", "requests", "emails"),
    [
        ({"audience": "all"}, 12, 7),
        ({"audience": "group", "group": "peer"}, 6, 1),
        ({"audience": "no_self"}, 6, 6),
        ({"audience": "org_unit", "org_unit": "Unit 1"}, 6, 4),
    ],
)
def test_hr_chooses_whom_and_sees_who_and_how_many_before_sending(
    client, hr_admin, compass, query, requests, emails
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    asked_by_many(cycle)
    Rater.objects.filter(participant__cycle=cycle, group="self").update(status=Status.INVITED)
    client.force_login(hr_admin)
    page = audience_page(client, cycle, **query)
    assert page.context["plan"].requests == requests
    assert page.context["plan"].emails == emails
    assert "Ana Peer" in page.content.decode() or query["audience"] == "no_self"
    assert not mail.outbox


def test_sending_to_one_group_reminds_only_that_group(
    client, hr_admin, compass, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    asked_by_many(cycle)
    Rater.objects.filter(participant__cycle=cycle, group="self").update(status=Status.INVITED)
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("hr:cycle_remind", args=[cycle.pk]), {"audience": "group", "group": "peer"}
        )
    assert [m.to for m in mail.outbox] == [["ana.peer@example.org"]]
    assert "(Peers)" in AuditEvent.objects.get(action="remind").detail


def test_a_group_audience_needs_its_group(client, hr_admin, compass):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    client.force_login(hr_admin)
    response = client.post(reverse("hr:cycle_remind", args=[cycle.pk]), {"audience": "group"})
    assert response.status_code == 400
    assert "Choose the rater group to remind." in response.content.decode()
    assert not AuditEvent.objects.filter(action="remind").exists()


def test_the_preview_runs_in_constant_queries(
    client, hr_admin, compass, django_assert_max_num_queries
):
    client.force_login(hr_admin)
    for leaders in (1, 6):
        cycle = CycleFactory(state=Cycle.State.OPEN)
        asked_by_many(cycle, email=f"p{leaders}@example.org", leaders=leaders)
        with django_assert_max_num_queries(8):
            assert audience_page(client, cycle).status_code == 200


# Scheduled reminders (issue 16)


def test_the_next_reminder_follows_the_schedule(compass):
    from assessments.running import reminders

    cycle = CycleFactory(
        state=Cycle.State.OPEN,
        opens_on=TODAY - datetime.timedelta(days=2),
        closes_on=TODAY + datetime.timedelta(days=20),
    )
    assert reminders.next_reminder(cycle) is None
    cycle.remind_every_days = 7
    assert reminders.next_reminder(cycle) == TODAY + datetime.timedelta(days=5)
    cycle.remind_days_before_close = 18
    assert reminders.next_reminder(cycle) == TODAY + datetime.timedelta(days=2)
    cycle.last_reminded_at = timezone.now()
    # Reminded today: the before-close one is still ahead, the weekly one counts from today.
    assert reminders.next_reminder(cycle) == TODAY + datetime.timedelta(days=2)
    cycle.remind_days_before_close = None
    assert reminders.next_reminder(cycle) == TODAY + datetime.timedelta(days=7)
    cycle.remind_every_days = None
    cycle.remind_days_before_close = 3
    assert reminders.next_reminder(cycle) == TODAY + datetime.timedelta(days=17)
    cycle.state = Cycle.State.CLOSED
    assert reminders.next_reminder(cycle) is None


def test_hr_sets_a_schedule_and_the_cycle_page_shows_last_and_next(
    client, hr_admin, compass, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN, closes_on=TODAY + datetime.timedelta(days=10))
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:cycle_reminder_schedule", args=[cycle.pk]),
        {"every_days": "3", "days_before_close": "1"},
        follow=True,
    )
    page = response.content.decode()
    cycle.refresh_from_db()
    assert (cycle.remind_every_days, cycle.remind_days_before_close) == (3, 1)
    assert "No reminder sent yet." in page
    assert "Next scheduled reminder:" in page
    assert AuditEvent.objects.filter(action="reminder_schedule").exists()
    with django_capture_on_commit_callbacks(execute=True):
        hr_actions.send_reminders(cycle=cycle, by=hr_admin)
    page = client.get(reverse("hr:cycle_detail", args=[cycle.pk])).content.decode()
    assert "Last reminder:" in page


def test_the_daily_command_sends_scheduled_reminders_when_due(
    compass, django_capture_on_commit_callbacks
):
    due = closing_in(20, "Weekly reminders")
    Cycle.objects.filter(pk=due.pk).update(remind_every_days=7)  # opened 30 days ago: due
    later = closing_in(2, "Reminded yesterday, before-close at 1 day")
    Cycle.objects.filter(pk=later.pk).update(
        remind_days_before_close=1, last_reminded_at=timezone.now() - datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = command()
    assert "Weekly reminders (scheduled): 1 reminders in 1 emails" in out
    # A cycle with its own schedule does not also follow the --days window.
    assert "Reminded yesterday" not in out
    due.refresh_from_db()
    assert due.last_reminded_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert "(scheduled)" not in command()  # not due again the same day
