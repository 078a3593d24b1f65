"""Cycle transitions and participants: draft → open → closed → released, only forward.

HR may re-open a closed cycle before release, with the reason recorded, and move the close date
later until release. Each transition is one function here that checks (its ``why_not_…``
guard: the HR pages show the same message before asking to confirm), changes, writes the audit
trail in the same transaction and sends its emails (as tasks, when the transaction commits).
"""

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessments import emails
from assessments.answering import invitations
from assessments.errors import DomainError
from assessments.models import AuditEvent, Cycle, Participant, Rater, RaterGroup
from assessments.reporting import group_reports, report_insight, tallies

State = Cycle.State
Action = AuditEvent.Action


def record(*, cycle, actor, action, detail="", reason=""):
    return AuditEvent.objects.create(
        cycle=cycle, actor=actor, action=action, detail=detail[:500], reason=reason
    )


def describe_rater(rater):
    """How the audit trail names a rater."""
    return _("%(group)s: %(name)s <%(email)s> for %(leader)s") % {
        "group": rater.get_group_display(),
        "name": rater.name,
        "email": rater.email,
        "leader": rater.participant.person.get_full_name(),
    }


def _named_rater(participant, group, person):
    return Rater(
        participant=participant,
        group=group,
        name=person.full_name or person.email,
        email=person.email,
        user=person,
    )


@transaction.atomic
def add_participant(*, cycle, person, level, supervisor=None, org_unit="", gender="", language=""):
    """Enrol ``person``; their self rater and supervisor rater come with them."""
    if not cycle.accepts_changes:
        raise DomainError(_("Participants cannot be added to a closed cycle."))
    if level.edition != cycle.edition:
        raise DomainError(_("That level is not in this cycle's edition of the compass."))
    if supervisor is not None and supervisor.pk == person.pk:
        raise DomainError(_("A participant cannot be their own supervisor."), field="supervisor")
    participant = Participant.objects.create(
        cycle=cycle,
        person=person,
        level=level,
        supervisor=supervisor,
        org_unit=org_unit,
        gender=gender,
        language=language,
    )
    raters = [_named_rater(participant, RaterGroup.SELF, person)]
    if supervisor is not None:
        raters.append(_named_rater(participant, RaterGroup.SUPERVISOR, supervisor))
    Rater.objects.bulk_create(raters)
    return participant


# --- transitions: each one checks (its ``why_not_…`` guard, which the HR confirmation page
# also shows), changes, records and notifies, in one transaction under a row lock. -----------


def why_not_open(cycle):
    return None if cycle.state == State.DRAFT else _("Only a draft cycle can be opened.")


def why_not_close(cycle):
    return None if cycle.state == State.OPEN else _("Only an open cycle can be closed.")


def why_not_reopen(cycle):
    if cycle.state != State.CLOSED:
        return _("Only a closed cycle that is not released can be re-opened.")
    return None


def why_not_release(cycle):
    return (
        None if cycle.state == State.CLOSED else _("Close the cycle before releasing its reports.")
    )


def why_not_extend(cycle):
    if cycle.state != State.RELEASED:
        return None
    return _("Reports are released: the cycle can no longer be extended.")


def why_not_edit(cycle):
    return _("A released cycle can no longer change.") if cycle.state == State.RELEASED else None


def locked(cycle, why_not):
    """``cycle`` re-read under a row lock, so two HR admins cannot both move it; a DomainError
    when ``why_not`` says the action cannot happen now."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    problem = why_not(cycle)
    if problem:
        raise DomainError(problem)
    return cycle


@transaction.atomic
def open_cycle(*, cycle, by):
    """Open for answers; invitations to every participant and supervisor go out as a task."""
    cycle = locked(cycle, why_not_open)
    if not cycle.participants.exists():
        raise DomainError(_("Add participants before opening the cycle."))
    cycle.state = State.OPEN
    cycle.opened_at = timezone.now()
    cycle.save(update_fields=["state", "opened_at"])
    record(cycle=cycle, actor=by, action=Action.OPEN)
    transaction.on_commit(lambda: invitations.send_cycle_invitations.enqueue(cycle.pk))
    schedule_closing(cycle)
    return cycle


def _close(cycle, *, by, at, detail=""):
    cycle.state = State.CLOSED
    cycle.closed_at = at
    cycle.save(update_fields=["state", "closed_at"])
    record(cycle=cycle, actor=by, action=Action.CLOSE, detail=detail)
    return cycle


@transaction.atomic
def close_cycle(*, cycle, by):
    """No more answers. Drafts are kept but never counted."""
    return _close(locked(cycle, why_not_close), by=by, at=timezone.now())


def close_due_cycles(*, now=None, cycle_ids=None):
    """Close every open cycle whose close date has ended (midnight after it, settings.TIME_ZONE);
    returns them. Run by the daily command and by the worker; links already refuse answers
    from that moment (``Cycle.accepts_answers``), whether or not this has run yet.

    A progress pulse is released at the same time (running/pulses.py): it has nothing to
    check before release, and its leaders expect its results when it ends."""
    now = now or timezone.now()
    # Midnight after closes_on has passed ⇔ closes_on is before today, in the site's zone.
    today = timezone.localdate(now)
    due = Cycle.objects.filter(state=State.OPEN, closes_on__lt=today)
    if cycle_ids is not None:
        due = due.filter(pk__in=cycle_ids)
    closed = []
    for cycle in due:
        with transaction.atomic():
            cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
            if why_not_close(cycle) or cycle.accepts_answers(now):
                continue
            detail = _("Closed by itself at the end of its close date (%(date)s, %(tz)s).") % {
                "date": cycle.closes_on.isoformat(),
                "tz": settings.TIME_ZONE,
            }
            closed.append(_close(cycle, by=None, at=now, detail=detail))
            if cycle.is_pulse:  # nothing to check first: its leaders expect the results
                release_cycle(cycle=cycle, by=None)
    return closed


def schedule_closing(cycle):
    """Ask the worker to close ``cycle`` when its close date ends (when the task backend can
    run a task later; the daily command closes it in any case)."""
    task = close_cycle_when_due
    if task.get_backend().supports_defer:
        transaction.on_commit(lambda: task.using(run_after=cycle.closes_at).enqueue(cycle.pk))


@transaction.atomic
def reopen_cycle(*, cycle, by, reason):
    """Back to open before release, e.g. after a late extension. A released cycle never re-opens:
    reports already read must not move."""
    cycle = locked(cycle, why_not_reopen)
    if not (reason or "").strip():
        raise DomainError(_("Say why the cycle is re-opened."), field="reason")
    cycle.state = State.OPEN
    cycle.closed_at = None
    cycle.save(update_fields=["state", "closed_at"])
    record(cycle=cycle, actor=by, action=Action.REOPEN, reason=reason.strip())
    schedule_closing(cycle)
    return cycle


@transaction.atomic
def extend_close_date(*, cycle, by, closes_on):
    """Move the close date later. A closed cycle stays closed: re-opening is its own action."""
    cycle = locked(cycle, why_not_extend)
    if closes_on <= cycle.closes_on:
        raise DomainError(
            _("Choose a date after the current close date (%(date)s).")
            % {"date": date_format(cycle.closes_on)},
            field="closes_on",
        )
    if closes_on < timezone.localdate():
        raise DomainError(_("Choose a date from today on."), field="closes_on")
    previous = cycle.closes_on
    cycle.closes_on = closes_on
    cycle.save(update_fields=["closes_on"])
    if cycle.is_open:
        schedule_closing(cycle)
    record(
        cycle=cycle,
        actor=by,
        action=Action.EXTEND,
        detail=_("Close date moved from %(old)s to %(new)s.")
        % {"old": previous.isoformat(), "new": closes_on.isoformat()},
    )
    return cycle


@transaction.atomic
def release_cycle(*, cycle, by):
    """Reports become visible, read from tallies frozen in this same transaction: answers
    cannot change any more, so they are summed once (``tallies.freeze``). Every participant is
    told, in the background, that their report is ready; the cohort's figures are computed in
    the background too, for HR's first view, and each level's norm for the insight."""
    cycle = locked(cycle, why_not_release)
    cycle.state = State.RELEASED
    cycle.released_at = timezone.now()
    cycle.save(update_fields=["state", "released_at"])
    tallies.freeze(cycle)
    record(cycle=cycle, actor=by, action=Action.RELEASE)
    transaction.on_commit(lambda: send_release_notices.enqueue(cycle.pk))
    transaction.on_commit(lambda: group_reports.keep_cohort_figures.enqueue(cycle.pk))
    transaction.on_commit(lambda: report_insight.warm_norms.enqueue(cycle.pk))
    return cycle


# --- background work ------------------------------------------------------------------------


@task
def send_release_notices(cycle_id):
    """Tell every participant of a released cycle that their report is ready (of a progress
    pulse: that its results are in their action plan)."""
    participants = Participant.objects.filter(
        cycle_id=cycle_id, cycle__state=State.RELEASED
    ).select_related("person", "cycle")
    sent = 0
    for participant in participants:
        emails.send_report_ready(participant)
        sent += 1
    return sent


@task
def close_all_due():
    """Close every open cycle past the end of its close date (the worker's share of the job
    the daily command also does)."""
    return len(close_due_cycles())


@task
def close_cycle_when_due(cycle_id):
    """Enqueued to run at the end of a cycle's close date: closes it if it is due by then."""
    return len(close_due_cycles(cycle_ids=[cycle_id]))
