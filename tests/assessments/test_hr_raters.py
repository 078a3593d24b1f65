"""HR's actions on one participant's raters: resend a link, replace a rater, remove a rater."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.answering.tokens import issue_token
from assessments.errors import DomainError
from assessments.models import Answer, AuditEvent, Cycle, Rater, Response
from assessments.running import hr_actions
from tests.factories import (
    CycleFactory,
    RaterFactory,
    make_participant,
    self_rater,
    supervisor_rater,
)

pytestmark = pytest.mark.django_db

Status = Rater.Status


@pytest.fixture
def participant(participant):
    """The leader in an open cycle, having sent their nominations."""
    participant.nominations_submitted_at = timezone.now()
    participant.save()
    return participant


def in_cycle(state):
    participant = make_participant(CycleFactory(state=Cycle.State.OPEN))
    Cycle.objects.filter(pk=participant.cycle_id).update(state=state)
    participant.cycle.state = state
    return participant


def action_url(name, rater):
    participant = rater.participant
    return reverse(f"hr:{name}", args=[participant.cycle_id, participant.pk, rater.pk])


def link_token(message):
    return re.search(r"/r/([^/\s]+)/", message.body).group(1)


def with_draft(rater):
    response = Response.objects.create(rater=rater)
    Answer.objects.create(response=response, indicator_id=None, pitfall_id=_a_pitfall(), score=3)
    return response


def _a_pitfall():
    from compass.models import Pitfall

    return Pitfall.objects.values_list("pk", flat=True).first()


# Resending a link


def test_resend_sends_the_same_link_which_keeps_working(
    as_hr, hr_admin, participant, client, django_capture_on_commit_callbacks
):
    rater = RaterFactory(participant=participant, name="Ama Mensah")
    old = issue_token(rater)
    assert client.get(reverse("rater:start", args=[old])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = as_hr.post(action_url("rater_resend", rater))
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [rater.email]
    assert "same link as in our first email" in message.body
    assert link_token(message) == old
    assert client.get(reverse("rater:start", args=[old])).status_code == 200
    event = AuditEvent.objects.get(action="resend")
    assert event.actor == hr_admin and "Ama Mensah" in event.detail


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.DECLINED])
def test_no_link_is_resent_to_someone_who_answered_or_declined(
    as_hr, participant, status, django_capture_on_commit_callbacks
):
    rater = RaterFactory(participant=participant, status=status)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_hr.post(action_url("rater_resend", rater), follow=True)
    assert not mail.outbox
    assert response.context["messages"]
    assert not AuditEvent.objects.exists()


def test_no_link_is_sent_while_the_cycle_is_closed(as_hr, compass):
    rater = RaterFactory(participant=in_cycle(Cycle.State.CLOSED))
    with pytest.raises(DomainError, match="open"):
        hr_actions.resend_link(rater=rater, by=None)


def test_a_self_rater_not_yet_invited_can_be_sent_their_link(
    as_hr, participant, django_capture_on_commit_callbacks
):
    rater = self_rater(participant)
    with django_capture_on_commit_callbacks(execute=True):
        as_hr.post(action_url("rater_resend", rater))
    (message,) = mail.outbox
    assert message.to == ["lucia.ortega@example.org"]
    rater.refresh_from_db()
    assert rater.status == Status.INVITED


# Replacing a rater


def test_replace_discards_the_old_draft_and_invites_the_new_rater(
    as_hr, hr_admin, participant, client, django_capture_on_commit_callbacks
):
    old = RaterFactory(participant=participant, name="Ama Mensah", status=Status.STARTED)
    old_token = issue_token(old)
    with_draft(old)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_hr.post(
            action_url("rater_replace", old),
            {"name": "Kofi Boateng", "email": "Kofi@Example.org", "reason": "Ama left IOM"},
        )
    assert response.status_code == 302
    assert not Rater.objects.filter(pk=old.pk).exists()
    assert not Response.objects.exists()
    new = participant.raters.get(email="kofi@example.org")
    assert (new.group, new.name, new.status) == ("peer", "Kofi Boateng", Status.INVITED)
    (message,) = mail.outbox
    assert message.to == ["kofi@example.org"]
    assert client.get(reverse("rater:start", args=[old_token])).status_code == 404
    assert client.get(reverse("rater:start", args=[link_token(message)])).status_code == 200
    event = AuditEvent.objects.get(action="replace_rater")
    assert (event.actor, event.reason) == (hr_admin, "Ama left IOM")
    assert "Ama Mensah" in event.detail and "Kofi Boateng" in event.detail


def test_replacing_a_rater_who_submitted_keeps_their_response(participant, hr_admin):
    old = RaterFactory(participant=participant, status=Status.SUBMITTED)
    Response.objects.create(rater=old, submitted_at="2026-01-01T00:00Z")
    hr_actions.replace_rater(rater=old, name="Kofi", email="kofi@example.org", by=hr_admin)
    assert Rater.objects.filter(pk=old.pk, status=Status.SUBMITTED).exists()
    assert Response.objects.filter(rater=old).exists()
    assert participant.raters.filter(email="kofi@example.org").exists()
    assert "kept" in AuditEvent.objects.get(action="replace_rater").detail


def test_discarding_a_submitted_response_on_replace_needs_a_reason(as_hr, participant):
    old = RaterFactory(participant=participant, status=Status.SUBMITTED)
    Response.objects.create(rater=old, submitted_at="2026-01-01T00:00Z")
    response = as_hr.post(
        action_url("rater_replace", old),
        {"name": "Kofi", "email": "kofi@example.org", "discard_submitted": "on", "reason": " "},
    )
    assert response.status_code == 400
    assert "Say why" in response.context["form"].errors["reason"][0]
    assert Response.objects.filter(rater=old).exists()
    assert not participant.raters.filter(email="kofi@example.org").exists()
    as_hr.post(
        action_url("rater_replace", old),
        {
            "name": "Kofi",
            "email": "kofi@example.org",
            "discard_submitted": "on",
            "reason": "Answered about the wrong leader.",
        },
    )
    assert not Rater.objects.filter(pk=old.pk).exists()
    assert not Response.objects.exists()
    event = AuditEvent.objects.get(action="replace_rater")
    assert event.reason == "Answered about the wrong leader."
    assert "discarded" in event.detail


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("lucia.ortega@example.org", "their own rater"),
        ("dup@example.org", "already one of"),
    ],
)
def test_replace_refuses_the_leader_and_duplicates_next_to_the_email(
    as_hr, participant, email, message
):
    RaterFactory(participant=participant, email="dup@example.org")
    old = RaterFactory(participant=participant)
    response = as_hr.post(action_url("rater_replace", old), {"name": "X", "email": email})
    assert response.status_code == 400
    assert message in response.context["form"].errors["email"][0]
    assert Rater.objects.filter(pk=old.pk).exists()


def test_replacing_the_supervisor_changes_the_participants_supervisor(
    participant, hr_admin, django_capture_on_commit_callbacks
):
    old = supervisor_rater(participant)
    old.status = Status.INVITED
    old.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = hr_actions.replace_rater(
            rater=old, name="Peter Kamau", email="peter@example.org", by=hr_admin
        )
    participant.refresh_from_db()
    assert participant.supervisor.email == "peter@example.org"
    assert new.user == participant.supervisor
    assert [m.to for m in mail.outbox] == [["peter@example.org"]]


def test_the_self_assessment_is_never_replaced_or_removed(participant, hr_admin):
    rater = self_rater(participant)
    with pytest.raises(DomainError):
        hr_actions.replace_rater(rater=rater, name="X", email="x@example.org", by=hr_admin)
    with pytest.raises(DomainError):
        hr_actions.remove_rater(rater=rater, by=hr_admin, reason="because")


def test_a_nominated_rater_replaced_before_nominations_are_sent_is_not_invited_yet(
    compass, hr_admin, django_capture_on_commit_callbacks
):
    old = RaterFactory(participant=in_cycle(Cycle.State.OPEN), status=Status.NOMINATED)
    with django_capture_on_commit_callbacks(execute=True):
        new = hr_actions.replace_rater(rater=old, name="K", email="k@example.org", by=hr_admin)
    new.refresh_from_db()
    assert new.status == Status.NOMINATED
    assert not mail.outbox


# Removing a rater


def test_remove_discards_the_draft_without_a_reason(as_hr, hr_admin, participant):
    rater = RaterFactory(participant=participant, name="Ama Mensah", status=Status.STARTED)
    with_draft(rater)
    response = as_hr.post(action_url("rater_remove", rater), {"reason": ""})
    assert response.status_code == 302
    assert not Rater.objects.filter(pk=rater.pk).exists()
    assert not Response.objects.exists()
    event = AuditEvent.objects.get(action="remove_rater")
    assert event.actor == hr_admin and "Ama Mensah" in event.detail


def test_removing_a_submitted_response_needs_a_reason(as_hr, participant):
    rater = RaterFactory(participant=participant, status=Status.SUBMITTED)
    Response.objects.create(rater=rater, submitted_at="2026-01-01T00:00Z")
    response = as_hr.post(action_url("rater_remove", rater), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert Rater.objects.filter(pk=rater.pk).exists()
    with pytest.raises(DomainError) as caught:
        hr_actions.remove_rater(rater=rater, by=None, reason="")
    assert caught.value.field == "reason"
    as_hr.post(action_url("rater_remove", rater), {"reason": "Rated the wrong person."})
    assert not Rater.objects.filter(pk=rater.pk).exists()
    event = AuditEvent.objects.get(action="remove_rater")
    assert event.reason == "Rated the wrong person."
    assert "removed" in event.detail


def test_nothing_is_removed_after_release(compass, hr_admin):
    rater = RaterFactory(participant=in_cycle(Cycle.State.RELEASED), status=Status.SUBMITTED)
    with pytest.raises(DomainError, match="released"):
        hr_actions.remove_rater(rater=rater, by=hr_admin, reason="late")
    assert Rater.objects.filter(pk=rater.pk).exists()
