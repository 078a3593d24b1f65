"""Background work: everything that sends email runs here, never inside a request."""

from django.tasks import task

from . import emails, invitations
from .models import Cycle, Participant, PlanComment, Rater


@task
def send_cycle_invitations(cycle_id):
    return invitations.invite_cycle(Cycle.objects.get(pk=cycle_id))


@task
def send_rater_invitation(rater_id):
    rater = Rater.objects.get(pk=rater_id)
    if invitations.is_invitable(rater):
        invitations.invite_rater(rater)


@task
def send_approval_request(participant_id):
    participant = Participant.objects.select_related("person", "supervisor", "cycle").get(
        pk=participant_id
    )
    if participant.supervisor is not None:
        emails.send_approval_request(participant)


@task
def send_plan_comment_notice(comment_id):
    comment = PlanComment.objects.select_related(
        "plan__participant__person", "plan__participant__cycle", "author"
    ).get(pk=comment_id)
    emails.send_plan_comment_notice(comment)
