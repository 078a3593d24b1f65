"""Reminders as one email per person (PRODUCT §3.4; issue 16).

HR chooses whom to remind — everyone who has not answered, one rater group, participants who
have not done their self-assessment, or one org unit — and sees who and how many before
sending. Each person gets one email listing every open request of theirs that was chosen (a
peer asked by six leaders gets one email, not six). Cycles can also remind on a schedule: every
N days while open, and N days before the close date; ``manage.py send_reminders`` runs it daily.

The email leaves in the background (``send_reminder_digests``), which checks each request
again: someone who answered in between is not reminded.
"""

import datetime
from dataclasses import dataclass
from itertools import groupby

from django.db import transaction
from django.db.models import Case, Count, Min, Q, When
from django.db.models.functions import Lower
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import emails
from assessments.answering.tokens import issue_token, rater_link
from assessments.errors import DomainError
from assessments.models import AuditEvent, Cycle, Rater, RaterGroup
from assessments.running import cycles
from assessments.running.monitoring import REMINDABLE

Approval = Rater.Approval

ALL, GROUP, NO_SELF, ORG_UNIT = "all", "group", "no_self", "org_unit"
AUDIENCES = (
    (ALL, gettext_lazy("Everyone who has not answered")),
    (GROUP, gettext_lazy("One rater group")),
    (NO_SELF, gettext_lazy("Participants who have not done their self-assessment")),
    (ORG_UNIT, gettext_lazy("Everyone asked about the leaders of one org unit")),
)


def remindable_raters(cycle):
    """Raters of ``cycle`` who have a link and have neither submitted nor declined."""
    return Rater.objects.filter(REMINDABLE, participant__cycle=cycle).exclude(
        approval=Approval.REJECTED
    )


def audience_raters(cycle, *, audience=ALL, group="", org_unit=""):
    """The requests an audience covers: always only those still waiting for an answer."""
    raters = remindable_raters(cycle)
    if audience == GROUP:
        return raters.filter(group=group)
    if audience == NO_SELF:
        return raters.filter(group=RaterGroup.SELF)
    if audience == ORG_UNIT:
        return raters.filter(participant__org_unit=org_unit)
    return raters


@dataclass
class Preview:
    people: list  # dicts: email, name, requests
    requests: int

    @property
    def emails(self):
        return len(self.people)


def preview(raters):
    """Who would get a reminder and for how many requests, in one query: one email each."""
    rows = list(
        # A rater without email (a printed card) is reminded through their leader.
        raters.annotate(
            address=Case(
                When(email="", then=Lower("participant__person__email")), default=Lower("email")
            )
        )
        .values("address")
        .annotate(requests=Count("pk"), name=Min("name"))
        .order_by("name", "address")
    )
    people = [
        {"email": row["address"], "name": row["name"], "requests": row["requests"]} for row in rows
    ]
    return Preview(people=people, requests=sum(p["requests"] for p in people))


def _describe_audience(audience, group, org_unit):
    if audience == GROUP:
        return str(dict(RaterGroup.choices).get(group, group))
    if audience == ORG_UNIT:
        return org_unit
    return str(dict(AUDIENCES)[audience])


def why_not_remind(cycle):
    if not cycle.is_open:
        return _("Reminders can only be sent while the cycle is open.")
    return None


@transaction.atomic
def remind(*, cycle, by, audience=ALL, group="", org_unit=""):
    """Remind the chosen audience, one email per person (in the background). Returns the
    Preview of what is sent. ``by`` is None for scheduled reminders."""
    cycle = cycles.locked(cycle, why_not_remind)
    raters = audience_raters(cycle, audience=audience, group=group, org_unit=org_unit)
    plan = preview(raters)
    ids = list(raters.values_list("pk", flat=True))
    cycle.last_reminded_at = timezone.now()
    cycle.save(update_fields=["last_reminded_at"])
    cycles.record(
        cycle=cycle,
        actor=by,
        action=AuditEvent.Action.REMIND,
        detail=_(
            "Reminders sent to %(n)s raters who have not answered, in %(emails)s emails "
            "(%(audience)s)."
        )
        % {
            "n": plan.requests,
            "emails": plan.emails,
            "audience": _describe_audience(audience, group, org_unit),
        },
    )
    if ids:
        transaction.on_commit(lambda: send_reminder_digests.enqueue(ids))
    return plan


def reminder_link(rater):
    """The link a reminder carries: the rater's own, the same as the invitation's."""
    return rater_link(issue_token(rater))


def send_digests(rater_ids):
    """One email per person for the requests of ``rater_ids`` still waiting (checked again
    now); returns how many emails were sent."""
    raters = (
        Rater.objects.filter(
            REMINDABLE, pk__in=rater_ids, participant__cycle__state=Cycle.State.OPEN
        )
        .exclude(approval=Approval.REJECTED)
        .select_related("participant__cycle", "participant__person")
        .order_by(Lower("email"), "participant__cycle__closes_on", "participant__person__full_name")
    )
    sent = 0
    raters = list(raters)
    # Raters without email (a printed card, answering/cards.py): their leader is reminded
    # instead, once per leader, in an email naming every card rater of theirs, never saying
    # which of them has not answered.
    by_card = [rater for rater in raters if not rater.has_email]
    if by_card:
        Rater.objects.filter(pk__in=[r.pk for r in by_card]).update(reminded_at=timezone.now())
        for participant in {r.participant_id: r.participant for r in by_card}.values():
            emails.send_card_notice(participant, reminder=True)
            sent += 1
    raters = [rater for rater in raters if rater.has_email]
    for _address, requests in groupby(raters, key=lambda rater: rater.email.lower()):
        requests = list(requests)
        now = timezone.now()
        with transaction.atomic():
            items = [(rater, reminder_link(rater)) for rater in requests]
            Rater.objects.filter(pk__in=[r.pk for r in requests]).update(reminded_at=now)
        emails.send_reminder_digest(requests[0].email, items)
        sent += 1
    return sent


# --- the schedule ------------------------------------------------------------------------------


def next_reminder(cycle, *, today=None):
    """The date of the cycle's next scheduled reminder, or None (no schedule, not open, or
    nothing left before the close date). A date already passed reads as today."""
    if cycle.state != Cycle.State.OPEN:
        return None
    if not (cycle.remind_every_days or cycle.remind_days_before_close is not None):
        return None
    today = today or timezone.localdate()
    last = timezone.localdate(cycle.last_reminded_at) if cycle.last_reminded_at else None
    candidates = []
    if cycle.remind_every_days:
        start = last or (timezone.localdate(cycle.opened_at) if cycle.opened_at else cycle.opens_on)
        candidates.append(start + datetime.timedelta(days=cycle.remind_every_days))
    if cycle.remind_days_before_close is not None:
        before = cycle.closes_on - datetime.timedelta(days=cycle.remind_days_before_close)
        if last is None or last < before:
            candidates.append(before)
    candidates = [max(day, today) for day in candidates]
    candidates = [day for day in candidates if day <= cycle.closes_on]
    return min(candidates) if candidates else None


def scheduled(cycle):
    return bool(cycle.remind_every_days or cycle.remind_days_before_close is not None)


@transaction.atomic
def set_schedule(*, cycle, by, every_days=None, days_before_close=None):
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.state in (Cycle.State.CLOSED, Cycle.State.RELEASED):
        raise DomainError(_("The cycle is closed: there is nobody left to remind."))
    if every_days is not None and every_days < 1:
        raise DomainError(_("Remind at most once a day: enter 1 or more."), field="every_days")
    cycle.remind_every_days = every_days
    cycle.remind_days_before_close = days_before_close
    cycle.save(update_fields=["remind_every_days", "remind_days_before_close"])
    parts = []
    if every_days:
        parts.append(_("every %(n)s days") % {"n": every_days})
    if days_before_close is not None:
        parts.append(_("%(n)s days before the close date") % {"n": days_before_close})
    cycles.record(
        cycle=cycle,
        actor=by,
        action=AuditEvent.Action.REMINDER_SCHEDULE,
        detail=(_("Scheduled reminders: %(when)s.") % {"when": ", ".join(parts)})
        if parts
        else _("Scheduled reminders turned off."),
    )
    return cycle


def due_cycles(*, today=None):
    today = today or timezone.localdate()
    candidates = Cycle.objects.filter(state=Cycle.State.OPEN).filter(
        Q(remind_every_days__isnull=False) | Q(remind_days_before_close__isnull=False)
    )
    return [cycle for cycle in candidates.order_by("closes_on", "name") if _due(cycle, today)]


def _due(cycle, today):
    day = next_reminder(cycle, today=today)
    return day is not None and day <= today


def run_scheduled(*, today=None):
    """Send every scheduled reminder due today: [(cycle, Preview)]."""
    return [(cycle, remind(cycle=cycle, by=None)) for cycle in due_cycles(today=today)]


# --- background work ------------------------------------------------------------------------


@task
def send_reminder_digests(rater_ids):
    """One reminder email per person for the requests chosen (re-checked now)."""
    return send_digests(rater_ids)


@task
def run_scheduled_reminders():
    """The cycles' scheduled reminders due today (the daily command runs the same)."""
    return sum(plan.requests for _cycle, plan in run_scheduled())
