"""Sending links: every email to a rater (invitation, reminder, resend) carries the same link,
so a questionnaire open in a browser keeps working (assessments/answering/tokens.py)."""

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import emails
from assessments.answering.tokens import issue_token, rater_link
from assessments.models import Cycle, Participant, Rater, RaterGroup

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


# Raters HR names (the leader themself, their supervisor): invited as soon as the cycle opens.
NAMED_GROUPS = (RaterGroup.SELF, RaterGroup.SUPERVISOR)
NO_APPROVAL_AWAITED = (Approval.NOT_NEEDED, Approval.APPROVED)


def _first_link_waits_for(rater):
    """What a rater who has no link yet still waits for before it is sent, or None."""
    if rater.approval not in NO_APPROVAL_AWAITED:
        return _("%(name)s is waiting for the supervisor's approval.") % {"name": rater.name}
    if rater.group not in NAMED_GROUPS and rater.participant.nominations_submitted_at is None:
        return _("%(name)s is invited when the leader sends their nominations.") % {
            "name": rater.name
        }
    return None


def owed_link(rater):
    """Who gets a link now, in an open cycle: a rater with none yet, no approval awaited, named
    by HR (self, supervisor) or nominated by a leader who has sent their nominations. The one
    rule behind opening, nominating, approving and the count HR is shown before opening
    (``OWED_LINK`` says the same to the database)."""
    return rater.status == Status.NOMINATED and _first_link_waits_for(rater) is None


OWED_LINK = Q(status=Status.NOMINATED, approval__in=NO_APPROVAL_AWAITED) & (
    Q(group__in=NAMED_GROUPS) | Q(participant__nominations_submitted_at__isnull=False)
)


def invite_cycle(cycle):
    """Invite every participant (self-assessment) and supervisor, and any raters nominated
    before opening. Raters already invited are skipped, so running it again sends nothing twice."""
    participants = Participant.objects.filter(cycle=cycle).select_related("cycle")
    sent = 0
    for participant in participants:
        for rater in participant.raters.all():
            if owed_link(rater):
                invite_rater(rater)
                sent += 1
        if participant.invited_at is None:
            Participant.objects.filter(pk=participant.pk).update(invited_at=timezone.now())
    return sent


def link_ready(rater):
    """Whether a link may be (re)sent to ``rater`` now; the reason when not, else None."""
    if not rater.participant.cycle.is_open:
        return _("Links can only be sent while the cycle is open.")
    if rater.status == Status.SUBMITTED:
        return _("%(name)s has already submitted: no link is needed.") % {"name": rater.name}
    if rater.status == Status.DECLINED:
        return _("%(name)s declined to give feedback.") % {"name": rater.name}
    if rater.status == Status.NOMINATED:
        return _first_link_waits_for(rater)
    return None


# --- background work: the emails leave from the worker, never inside a request -------------


@task
def send_cycle_invitations(cycle_id):
    return invite_cycle(Cycle.objects.get(pk=cycle_id))


@task
def send_rater_invitation(rater_id):
    rater = Rater.objects.select_related("participant").get(pk=rater_id)
    if owed_link(rater):
        invite_rater(rater)


@task
def send_link(rater_id):
    """(Re)send one rater's link, if it is still wanted when the task runs."""
    rater = (
        Rater.objects.select_related("participant__cycle", "participant__person")
        .filter(pk=rater_id)
        .first()
    )
    if rater is None or link_ready(rater) is not None:
        return 0
    invite_rater(rater, reminder=rater.status != Rater.Status.NOMINATED)
    return 1
