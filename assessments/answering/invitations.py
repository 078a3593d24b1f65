"""Sending links: every email to a rater (invitation, reminder, resend) carries the same link,
so a questionnaire open in a browser keeps working (assessments/answering/tokens.py)."""

from django.db import transaction
from django.utils import timezone

from assessments import emails
from assessments.answering.tokens import issue_token, rater_link
from assessments.models import Participant, Rater, RaterGroup

Status = Rater.Status
Approval = Rater.Approval


def invite_rater(rater, *, reminder=False):
    """Email ``rater`` their link (the same one every time). The link is committed before the
    email leaves, so it works the moment it arrives. Whether the email left is recorded
    (``EmailDelivery``); a failure raises nothing, so the next rater is still sent theirs."""
    with transaction.atomic():
        rater = Rater.objects.select_for_update().get(pk=rater.pk)
        token = issue_token(rater)
        now = timezone.now()
        if rater.status == Status.NOMINATED:
            rater.status = Status.INVITED
            rater.invited_at = now
        if reminder:
            rater.reminded_at = now
        rater.save(update_fields=["status", "invited_at", "reminded_at"])
    rater = Rater.objects.select_related("participant__cycle", "participant__person").get(
        pk=rater.pk
    )
    if not rater.has_email:
        # A printed card instead (answering/cards.py): the leader is told, never sent the link.
        emails.send_card_notice(rater.participant, reminder=reminder, rater=rater)
        return rater
    emails.send_invitation(rater, rater_link(token), reminder=reminder)
    return rater


def is_invitable(rater):
    return rater.status == Status.NOMINATED and rater.approval in (
        Approval.NOT_NEEDED,
        Approval.APPROVED,
    )


def invite_cycle(cycle):
    """Invite every participant (self-assessment) and supervisor, and any raters nominated
    before opening. Raters already invited are skipped, so running it again sends nothing twice."""
    participants = Participant.objects.filter(cycle=cycle).select_related("cycle")
    sent = 0
    for participant in participants:
        raters = participant.raters.all()
        for rater in raters:
            named = rater.group in (RaterGroup.SELF, RaterGroup.SUPERVISOR)
            nominated_ready = participant.nominations_submitted_at is not None
            if is_invitable(rater) and (named or nominated_ready):
                invite_rater(rater)
                sent += 1
        if participant.invited_at is None:
            Participant.objects.filter(pk=participant.pk).update(invited_at=timezone.now())
    return sent
