"""What HR does to a running cohort besides the cycle's transitions (cycles.py): create and edit
cycles, check what a release would leave short, resend links, replace or remove raters, remind,
send a failed email again.

Each action is one transaction that also writes the audit trail. Emails never leave inside the
request: the action enqueues a task (defined here) when its transaction commits, and the task
re-checks the rater before sending, since someone may have answered in between.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import emails
from assessments.answering import invitations, nominations
from assessments.errors import DomainError
from assessments.models import (
    ANONYMOUS_GROUPS,
    NOMINATED_GROUPS,
    AuditEvent,
    Cycle,
    EmailDelivery,
    Participant,
    Rater,
    RaterGroup,
    User,
)
from assessments.plans import action_plans
from assessments.reporting.anonymity import disclose_units
from assessments.running import cycles, monitoring, reminders

State = Cycle.State
Action = AuditEvent.Action
Status = Rater.Status
Approval = Rater.Approval

LIMIT_FIELDS = Cycle.RATER_LIMIT_FIELDS
CYCLE_FIELDS = (
    "name",
    "edition",
    "language",
    "opens_on",
    "closes_on",
    "anonymity_threshold",
    *LIMIT_FIELDS,
    "supervisor_approval_required",
    "grl_edition",
    "contact_email",
    "next_level_part",
)
# What the questionnaire and the reports of a cycle rest on: fixed once the cycle opens.
RULE_FIELDS = (
    "edition",
    "anonymity_threshold",
    *LIMIT_FIELDS,
    "supervisor_approval_required",
    "next_level_part",
    "grl_edition",
)


def locked_fields(cycle):
    """The fields of ``cycle`` that can no longer change: the rules once it opens, the edition
    once anyone is enrolled at its levels, everything once reports are released."""
    if cycle.pk is None:
        return ()
    if cycle.state == State.RELEASED:
        return CYCLE_FIELDS
    if cycle.state != State.DRAFT:
        return RULE_FIELDS
    if cycle.participants.exists():
        return ("edition",)
    return ()


def _locked_rater(rater):
    return (
        Rater.objects.select_for_update()
        .select_related("participant__cycle", "participant__person")
        .get(pk=rater.pk)
    )


def _validated(cycle):
    """Run the model's own checks (k ≥ 3, dates and limits in order) as a DomainError."""
    try:
        cycle.full_clean(exclude=["created_by"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None


# --- cycles ---------------------------------------------------------------------------------


@transaction.atomic
def create_cycle(*, by, **fields):
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cycle fields: {sorted(unknown)}")
    cycle = Cycle(**fields, created_by=by, state=State.DRAFT)
    _validated(cycle)
    cycle.save()
    cycles.record(cycle=cycle, actor=by, action=Action.CREATE, detail=cycle.name)
    return cycle


@transaction.atomic
def update_cycle(*, cycle, by, changes):
    """Apply ``changes`` ({field: value}). Rules (edition, k, limits, approval) change only while
    the cycle is a draft, the edition only before anyone is enrolled; nothing changes after
    release, when reports have been read."""
    unknown = set(changes) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cycle fields: {sorted(unknown)}")
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    changed = [f for f in CYCLE_FIELDS if f in changes and getattr(cycle, f) != changes[f]]
    if not changed:
        return cycle
    problem = cycles.why_not_edit(cycle)
    if problem:
        raise DomainError(problem)
    fixed = [f for f in changed if f in locked_fields(cycle)]
    if fixed and cycle.state != State.DRAFT:
        raise DomainError(
            _("This can only change while the cycle is a draft."),
            field=fixed[0],
        )
    if fixed:
        raise DomainError(
            _("The edition cannot change once participants are enrolled at its levels."),
            field="edition",
        )
    for name in changed:
        setattr(cycle, name, changes[name])
    _validated(cycle)
    cycle.save(update_fields=changed)
    labels = [str(Cycle._meta.get_field(name).verbose_name) for name in changed]
    cycles.record(
        cycle=cycle,
        actor=by,
        action=Action.EDIT,
        detail=_("Changed: %(fields)s.") % {"fields": ", ".join(labels)},
    )
    return cycle


@dataclass
class ReleaseCheck:
    """What a cycle's reports will be short of if released now (release is final)."""

    no_anonymous: list  # names of leaders whose report will show no peers/reports/partners
    no_self: list  # names of leaders without a submitted self-assessment
    totals: dict  # monitoring.cycle_totals: response rates

    @property
    def short(self):
        return bool(self.no_anonymous or self.no_self or not self.totals["others_submitted"])


def release_check(cycle):
    """Who will find their report short, in two queries whatever the cohort's size. Whether a
    report shows any anonymous group is the anonymity rule's to say (``disclose_units``)."""
    no_anonymous, no_self = [], []
    for row in monitoring.participants_with_progress(cycle).order_by("person__full_name"):
        name = row.person.get_full_name()
        submitted = {group: getattr(row, f"{group}_submitted") for group in ANONYMOUS_GROUPS}
        if not disclose_units(submitted, cycle.anonymity_threshold).anonymous_shown:
            no_anonymous.append(name)
        if row.self_status != Status.SUBMITTED and not cycle.is_pulse:  # a pulse has none
            no_self.append(name)
    return ReleaseCheck(
        no_anonymous=no_anonymous, no_self=no_self, totals=monitoring.cycle_totals(cycle)
    )


# --- links, raters and reminders -----------------------------------------------------------


@transaction.atomic
def resend_link(*, rater, by):
    """Send ``rater`` their link again: the same link, so a questionnaire already open keeps
    working."""
    rater = _locked_rater(rater)
    problem = invitations.link_ready(rater)
    if problem:
        raise DomainError(problem)
    cycles.record(
        cycle=rater.participant.cycle,
        actor=by,
        action=Action.RESEND,
        detail=cycles.describe_rater(rater),
    )
    transaction.on_commit(lambda: invitations.send_link.enqueue(rater.pk))
    return rater


def why_not_replace(rater):
    if not rater.participant.cycle.accepts_changes:
        return _("Raters can only be replaced while the cycle is a draft or open.")
    if rater.group == RaterGroup.SELF:
        return _("The self-assessment belongs to the leader and cannot be replaced.")
    return None


def why_not_remove(rater):
    if rater.participant.cycle.state == State.RELEASED:
        return _("Reports are released: raters can no longer be removed.")
    if rater.group == RaterGroup.SELF:
        return _("The self-assessment belongs to the leader and cannot be removed.")
    return None


def _supervisor_account(email, name):
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, full_name=name)
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def replace_rater(*, rater, name, email, by, reason="", discard_submitted=False):
    """Put someone else in ``rater``'s place, in the same group.

    The old rater's draft is discarded with them. A submitted response stays (the old rater is
    kept beside the new one) unless HR discards it, which needs a reason. Replacing the
    supervisor changes the participant's supervisor too. In an open cycle the new rater is
    invited at once if the old one would have been by now.
    """
    rater = _locked_rater(rater)
    participant = rater.participant
    cycle = participant.cycle
    problem = why_not_replace(rater)
    if problem:
        raise DomainError(problem)
    name = (name or "").strip()
    email = (email or "").strip().lower()
    reason = (reason or "").strip()
    if not name:
        raise DomainError(_("Enter the new rater's name."), field="name")
    if email == rater.email.lower():
        raise DomainError(
            _("This is the same email address. To send them a new link, use “Resend link”."),
            field="email",
        )
    if email == participant.person.email.lower():
        raise DomainError(
            _("The leader cannot be their own rater: the self-assessment covers that."),
            field="email",
        )
    if participant.raters.exclude(pk=rater.pk).filter(email__iexact=email).exists():
        raise DomainError(
            _("%(email)s is already one of %(leader)s's raters.")
            % {"email": email, "leader": participant.person.get_full_name()},
            field="email",
        )
    submitted = rater.status == Status.SUBMITTED
    if submitted and discard_submitted and not reason:
        raise DomainError(_("Say why the submitted response is discarded."), field="reason")
    keep_old = submitted and not discard_submitted
    if keep_old and rater.group == RaterGroup.SUPERVISOR:
        raise DomainError(
            _(
                "The supervisor has already submitted, and a leader has only one supervisor. "
                "Discard their response (with a reason) to replace them."
            ),
            field="discard_submitted",
        )
    old = cycles.describe_rater(rater)
    user = None
    if rater.group == RaterGroup.SUPERVISOR:
        user = _supervisor_account(email, name)
        participant.supervisor = user
        participant.save(update_fields=["supervisor"])
    if not keep_old:
        rater.delete()  # its draft or discarded response goes with it
    # HR's choice needs no supervisor approval.
    approval = (
        Approval.APPROVED
        if cycle.supervisor_approval_required and rater.group in NOMINATED_GROUPS
        else Approval.NOT_NEEDED
    )
    new = Rater.objects.create(
        participant=participant,
        group=rater.group,
        name=name,
        email=email,
        user=user,
        approval=approval,
    )
    detail = _("%(old)s replaced by %(name)s <%(email)s>.") % {
        "old": old,
        "name": name,
        "email": email,
    }
    if keep_old:
        detail += " " + _("The submitted response is kept.")
    elif submitted:
        detail += " " + _("The submitted response was discarded.")
    cycles.record(cycle=cycle, actor=by, action=Action.REPLACE_RATER, detail=detail, reason=reason)
    if cycle.is_open and invitations.link_ready(new) is None:
        transaction.on_commit(lambda: invitations.send_link.enqueue(new.pk))
    return new


@transaction.atomic
def remove_rater(*, rater, by, reason=""):
    """Take ``rater`` off the participant's list. Their draft goes with them; a submitted
    response only with a reason, and never after release."""
    rater = _locked_rater(rater)
    cycle = rater.participant.cycle
    reason = (reason or "").strip()
    problem = why_not_remove(rater)
    if problem:
        raise DomainError(problem)
    if rater.status == Status.SUBMITTED and not reason:
        raise DomainError(
            _("%(name)s has submitted. Say why their response is removed.") % {"name": rater.name},
            field="reason",
        )
    detail = cycles.describe_rater(rater)
    if rater.status == Status.SUBMITTED:
        detail += " " + _("The submitted response was removed.")
    rater.delete()
    cycles.record(cycle=cycle, actor=by, action=Action.REMOVE_RATER, detail=detail, reason=reason)


@transaction.atomic
def send_reminders(*, cycle, by):
    """Remind everyone in an open cycle who has not answered, one email per person; returns
    how many requests are reminded. ``by`` is None when the scheduled command sends them."""
    return reminders.remind(cycle=cycle, by=by).requests


def cycles_closing_within(days, *, today=None):
    """Open cycles whose close date is between today and ``days`` days from now."""
    today = today or timezone.localdate()
    return Cycle.objects.filter(
        state=State.OPEN,
        closes_on__gte=today,
        closes_on__lte=today + datetime.timedelta(days=days),
    ).order_by("closes_on", "name")


@transaction.atomic
def retry_delivery(*, delivery, by):
    """Send a failed email again, in the background; the failure is marked as retried."""
    delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != EmailDelivery.Status.FAILED:
        raise DomainError(_("This email has already been sent again."))
    delivery.status = EmailDelivery.Status.RETRIED
    delivery.save(update_fields=["status"])
    if delivery.cycle_id:
        cycles.record(
            cycle=delivery.cycle,
            actor=by,
            action=Action.RETRY_EMAIL,
            detail=_("Sent again: %(subject)s, to %(to)s.")
            % {"subject": delivery.subject, "to": delivery.to},
        )
    transaction.on_commit(lambda: redeliver.enqueue(delivery.pk))
    return delivery


@transaction.atomic
def add_rater_without_email(*, participant, name, group, by):
    """HR adds a rater the leader has no email for: they get a printed card
    (answering/cards.py). The leader's own limits and rules apply, as when they nominate."""
    rater = nominations.nominate_rater(participant=participant, name=name, email="", group=group)
    cycles.record(
        cycle=participant.cycle,
        actor=by,
        action=Action.ADD_CARD_RATER,
        detail=_("%(name)s (%(group)s, without email) added for %(leader)s.")
        % {
            "name": rater.name,
            "group": rater.get_group_display(),
            "leader": participant.person.get_full_name(),
        },
    )
    return rater


# --- background work ------------------------------------------------------------------------


@task
def redeliver(delivery_id):
    """Send a failed email again (HR's retry), if it is still wanted: a new delivery record
    says whether it left this time."""
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    if delivery.kind in ("invitation", "reminder", "card_notice", "card_reminder"):
        return invitations.send_link.call(delivery.rater_id) if delivery.rater_id else 0
    if delivery.kind == "approval_request" and delivery.participant_id:
        nominations.send_approval_request.call(delivery.participant_id)
    elif delivery.kind == "report_ready" and delivery.participant_id:
        participant = Participant.objects.select_related("person", "cycle").get(
            pk=delivery.participant_id
        )
        emails.send_report_ready(participant)
    elif delivery.kind == "plan_comment" and delivery.object_id:
        action_plans.send_plan_comment_notice.call(delivery.object_id)
    elif delivery.kind == "pulse_started" and delivery.participant_id:
        participant = Participant.objects.select_related("person", "cycle__follows").get(
            pk=delivery.participant_id
        )
        emails.send_pulse_started(participant)
    else:
        return 0
    return 1
