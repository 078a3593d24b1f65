"""Background work: everything that sends email runs here, never inside a request."""

from django.tasks import task

from assessments import emails
from assessments.accounts import password_reset
from assessments.answering import invitations
from assessments.models import Cycle, EmailDelivery, Participant, PlanComment, Rater
from assessments.reporting import report_archives
from assessments.running import cohort, cycles, reminders

State = Cycle.State


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


@task
def send_link(rater_id):
    """(Re)send one rater's link, if it is still wanted when the task runs."""
    rater = (
        Rater.objects.select_related("participant__cycle", "participant__person")
        .filter(pk=rater_id)
        .first()
    )
    if rater is None or cohort.link_ready(rater) is not None:
        return 0
    invitations.invite_rater(rater, reminder=rater.status != Rater.Status.NOMINATED)
    return 1


@task
def send_reminder_digests(rater_ids):
    """One reminder email per person for the requests chosen (re-checked now)."""
    return reminders.send_digests(rater_ids)


@task
def run_scheduled_reminders():
    """The cycles' scheduled reminders due today (the daily command runs the same)."""
    return sum(plan.requests for _cycle, plan in reminders.run_scheduled())


@task
def send_release_notices(cycle_id):
    """Tell every participant of a released cycle that their report is ready."""
    participants = Participant.objects.filter(
        cycle_id=cycle_id, cycle__state=State.RELEASED
    ).select_related("person", "cycle")
    sent = 0
    for participant in participants:
        emails.send_report_ready(participant)
        sent += 1
    return sent


@task
def build_report_archive(archive_id):
    """A released cycle's reports as one zip of PDFs (HR's download)."""
    return report_archives.build(archive_id).done


@task
def retry_delivery(delivery_id):
    """Send a failed email again (HR's retry), if it is still wanted: a new delivery record
    says whether it left this time."""
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    if delivery.kind in ("invitation", "reminder", "card_notice", "card_reminder"):
        return send_link.call(delivery.rater_id) if delivery.rater_id else 0
    if delivery.kind == "approval_request" and delivery.participant_id:
        send_approval_request.call(delivery.participant_id)
    elif delivery.kind == "report_ready" and delivery.participant_id:
        participant = Participant.objects.select_related("person", "cycle").get(
            pk=delivery.participant_id
        )
        emails.send_report_ready(participant)
    elif delivery.kind == "plan_comment" and delivery.object_id:
        send_plan_comment_notice.call(delivery.object_id)
    else:
        return 0
    return 1


@task
def close_due_cycles():
    """Close every open cycle past the end of its close date (the worker's share of the job
    the daily command also does)."""
    return len(cycles.close_due_cycles())


@task
def close_cycle_when_due(cycle_id):
    """Enqueued to run at the end of a cycle's close date: closes it if it is due by then."""
    return len(cycles.close_due_cycles(cycle_ids=[cycle_id]))


@task
def send_password_reset(email):
    """The password reset email(s) for an address, outside the request."""
    password_reset.send_reset(email)
