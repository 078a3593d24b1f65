"""Leaders nominate their peers, direct reports and partners; supervisors may approve.

Counts are checked against the cycle's limits: a nomination above the most allowed is refused
at once; the fewest allowed is checked when the leader sends the nominations. Direct reports
may be none at all (a leader with fewer than three cannot be given anonymity), never one or two.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import emails
from assessments.answering import invitations
from assessments.errors import DomainError
from assessments.models import NOMINATED_GROUPS, AuditEvent, Participant, Rater, RaterGroup
from assessments.running import cycles

Approval = Rater.Approval
Status = Rater.Status

# Raters who still count towards a group: not rejected by the supervisor, not declined.
COUNTED = ~Q(approval=Approval.REJECTED) & ~Q(status=Status.DECLINED)


def mailbox(email):
    """The mailbox an address delivers to, as far as it can be told from the address: case
    folded, and without a "+tag" (name+anything@domain reaches name@domain at most providers).

    A leader who nominates addresses they control defeats any anonymity threshold (issue 12),
    so their own mailbox, however written, is refused.
    """
    local, _at, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def same_mailbox(first, second):
    return mailbox(first) == mailbox(second)


def group_counts(participant):
    """Counted raters per nominated group, in one query."""
    rows = (
        participant.raters.filter(COUNTED, group__in=NOMINATED_GROUPS)
        .values("group")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(NOMINATED_GROUPS, 0)
    counts.update({row["group"]: row["n"] for row in rows})
    return counts


def _check_can_nominate(participant):
    if participant.cycle.is_pulse:
        raise DomainError(
            _("A progress pulse asks the raters chosen when it started: nobody is nominated.")
        )
    if not participant.cycle.accepts_changes:
        raise DomainError(_("This cycle is closed: nominations can no longer change."))


def _invite_when_ready(participant, raters):
    """Invite raters once the leader has sent nominations, the cycle is open, and no approval
    is awaited."""
    if not participant.cycle.is_open:
        return
    ids = [r.pk for r in raters if invitations.owed_link(r)]
    for rater_id in ids:
        transaction.on_commit(
            lambda rater_id=rater_id: invitations.send_rater_invitation.enqueue(rater_id)
        )


@transaction.atomic
def nominate_rater(*, participant, name, email, group):
    """Add a rater. ``email`` empty adds a rater without email, reached by a printed card
    (assessments/answering/cards.py) instead of emails."""
    participant = (
        # lock the participant row only: the supervisor is the nullable side of a join
        Participant.objects.select_for_update(of=("self",))
        .select_related("cycle", "person", "supervisor")
        .get(pk=participant.pk)
    )
    _check_can_nominate(participant)
    email = email.strip().lower()
    name = name.strip()
    if group not in NOMINATED_GROUPS:
        raise DomainError(_("Choose peers, direct reports or partners."), field="group")
    if not name:
        raise DomainError(_("Enter the rater's name."), field="name")
    if email and same_mailbox(email, participant.person.email):
        raise DomainError(
            _("You cannot nominate yourself: your self-assessment is already part of the 360."),
            field="email",
        )
    supervisor = participant.supervisor
    if email and supervisor is not None and same_mailbox(email, supervisor.email):
        raise DomainError(
            _(
                "Your supervisor answers as your supervisor, not as a peer, direct report or "
                "partner."
            ),
            field="email",
        )
    nominated = participant.raters.exclude(group=RaterGroup.SELF).values_list("email", flat=True)
    if email and any(same_mailbox(email, other) for other in nominated):
        raise DomainError(_("This person is already one of your raters."), field="email")
    if not email and participant.raters.filter(email="", name__iexact=name).exists():
        # Without an email, the name is all that tells two raters apart on the cards.
        raise DomainError(
            _(
                "A rater without email is already called %(name)s: add something to tell them "
                "apart (a surname, a place)."
            )
            % {"name": name},
            field="name",
        )
    fewest, most = participant.cycle.rater_limits()[group]
    if group_counts(participant)[group] >= most:
        raise DomainError(
            _("You already have the most raters allowed in this group (%(most)s).")
            % {"most": most},
            field="group",
        )
    needs_approval = (
        participant.cycle.supervisor_approval_required and participant.supervisor_id is not None
    )
    approval = Approval.PENDING if needs_approval else Approval.NOT_NEEDED
    try:
        with transaction.atomic():
            rater = Rater.objects.create(
                participant=participant, group=group, name=name, email=email, approval=approval
            )
    except IntegrityError:
        raise DomainError(_("This person is already one of your raters."), field="email") from None
    _invite_when_ready(participant, [rater])
    if needs_approval and participant.nominations_submitted_at is not None:
        # A nomination added after sending: the supervisor is asked again.
        transaction.on_commit(lambda: send_approval_request.enqueue(participant.pk))
    return rater


# A nominee the leader may still withdraw or replace: not invited yet, or invited and not started
# (a mistyped address never starts). Once someone has begun answering, only HR may change it.
CORRECTABLE = (Status.NOMINATED, Status.INVITED)


def _locked_nominee(rater):
    rater = (
        Rater.objects.select_for_update()
        .select_related("participant__cycle", "participant__person")
        .get(pk=rater.pk)
    )
    _check_can_nominate(rater.participant)
    if rater.group not in NOMINATED_GROUPS:
        raise DomainError(_("Your self-assessment and your supervisor cannot be removed."))
    if rater.status not in CORRECTABLE:
        # Worded alike for "started" and "submitted": the leader never learns which.
        raise DomainError(
            _("%(name)s can no longer be changed here. Ask HR to replace or remove them.")
            % {"name": rater.name}
        )
    return rater


@transaction.atomic
def remove_nomination(*, rater, by=None):
    """Withdraw a nominee who has not started. Once the nominations are sent, the group must
    stay within the cycle's limits (replace the nominee instead), the change is on the audit
    trail, and the nominee's link stops working (it goes with the rater)."""
    rater = _locked_nominee(rater)
    participant = rater.participant
    sent = participant.nominations_submitted_at is not None
    if sent and rater.approval != Approval.REJECTED:  # a rejected nominee counts for nothing
        fewest, _most = participant.cycle.rater_limits()[rater.group]
        left = group_counts(participant)[rater.group] - 1
        if left < fewest and not (rater.group == RaterGroup.DIRECT_REPORT and left == 0):
            raise DomainError(
                _(
                    "%(group)s need at least %(fewest)s raters: replace %(name)s with someone "
                    "else instead."
                )
                % {"group": rater.get_group_display(), "fewest": fewest, "name": rater.name}
            )
    detail = cycles.describe_rater(rater)
    invited = rater.status == Status.INVITED
    rater.delete()
    if sent:
        cycles.record(
            cycle=participant.cycle,
            actor=by,
            action=AuditEvent.Action.WITHDRAW_NOMINATION,
            detail=detail + (" " + _("Their link no longer works.") if invited else ""),
        )


@transaction.atomic
def replace_nomination(*, rater, name, email, by=None):
    """Put someone else in the place of a nominee who has not started, in the same group (so
    the counts stay within the limits). The old link stops working; the new nominee is invited
    when the old one would have been, or asked of the supervisor first where the cycle wants it.
    """
    rater = _locked_nominee(rater)
    participant = rater.participant
    name = (name or "").strip()
    email = (email or "").strip().lower()
    if not name:
        raise DomainError(_("Enter the rater's name."), field="name")
    if email == participant.person.email.lower():
        raise DomainError(
            _("You cannot nominate yourself: your self-assessment is already part of the 360."),
            field="email",
        )
    if participant.raters.exclude(pk=rater.pk).filter(email__iexact=email).exists():
        raise DomainError(_("This person is already one of your raters."), field="email")
    if email == rater.email.lower() and name == rater.name:
        raise DomainError(_("Change the name or the email address."), field="email")
    needs_approval = (
        participant.cycle.supervisor_approval_required and participant.supervisor_id is not None
    )
    detail = cycles.describe_rater(rater)
    invited = rater.status == Status.INVITED
    group = rater.group
    rater.delete()  # its link goes with it
    new = Rater.objects.create(
        participant=participant,
        group=group,
        name=name,
        email=email,
        approval=Approval.PENDING if needs_approval else Approval.NOT_NEEDED,
    )
    sent = participant.nominations_submitted_at is not None
    if sent:
        cycles.record(
            cycle=participant.cycle,
            actor=by,
            action=AuditEvent.Action.REPLACE_NOMINATION,
            detail=_("%(old)s replaced by %(name)s <%(email)s>.")
            % {"old": detail, "name": name, "email": email}
            + (" " + _("The old link no longer works.") if invited else ""),
        )
        if needs_approval:
            transaction.on_commit(lambda: send_approval_request.enqueue(participant.pk))
    _invite_when_ready(participant, [new])
    return new


def nomination_problems(participant, counts=None):
    """What keeps the nominations from being sent, one message per group (empty when none)."""
    counts = counts if counts is not None else group_counts(participant)
    limits = participant.cycle.rater_limits()
    labels = dict(RaterGroup.choices)
    problems = []
    for group in NOMINATED_GROUPS:
        fewest, most = limits[group]
        n = counts[group]
        if group == RaterGroup.DIRECT_REPORT:  # none, or at least the fewest: checked below
            continue
        if n < fewest:
            problems.append(
                _("%(group)s: nominate at least %(fewest)s (you have %(n)s).")
                % {"group": labels[group], "fewest": fewest, "n": n}
            )
    if 0 < counts[RaterGroup.DIRECT_REPORT] < limits[RaterGroup.DIRECT_REPORT][0]:
        problems.append(
            _(
                "Direct reports: with fewer than %(fewest)s, nominate none so that nobody can be "
                "recognised from their answers."
            )
            % {"fewest": limits[RaterGroup.DIRECT_REPORT][0]}
        )
    return problems


@transaction.atomic
def submit_nominations(*, participant):
    """Send the nominations: to the supervisor for approval, or straight to the raters."""
    participant = (
        Participant.objects.select_for_update().select_related("cycle").get(pk=participant.pk)
    )
    _check_can_nominate(participant)
    problems = nomination_problems(participant)
    if problems:
        raise DomainError(" ".join(problems))
    first_time = participant.nominations_submitted_at is None
    participant.nominations_submitted_at = timezone.now()
    participant.save(update_fields=["nominations_submitted_at"])
    raters = list(participant.raters.filter(group__in=NOMINATED_GROUPS))
    if (
        first_time
        and participant.cycle.supervisor_approval_required
        and participant.supervisor_id
        and any(r.approval == Approval.PENDING for r in raters)
    ):
        transaction.on_commit(lambda: send_approval_request.enqueue(participant.pk))
    _invite_when_ready(participant, raters)
    return participant


@transaction.atomic
def decide_nominations(*, participant, supervisor, approved_ids, rejected_ids):
    """The supervisor approves or rejects pending nominations; approved ones are invited."""
    participant = (
        Participant.objects.select_for_update().select_related("cycle").get(pk=participant.pk)
    )
    if participant.supervisor_id != supervisor.pk:
        raise DomainError(_("Only the leader's supervisor can approve these nominations."))
    _check_can_nominate(participant)
    pending = participant.raters.filter(approval=Approval.PENDING)
    pending.filter(pk__in=rejected_ids).update(approval=Approval.REJECTED)
    pending.filter(pk__in=approved_ids).update(approval=Approval.APPROVED)
    _invite_when_ready(participant, list(participant.raters.filter(pk__in=approved_ids)))
    return participant


# --- background work ------------------------------------------------------------------------


@task
def send_approval_request(participant_id):
    participant = Participant.objects.select_related("person", "supervisor", "cycle").get(
        pk=participant_id
    )
    if participant.supervisor is not None:
        emails.send_approval_request(participant)
