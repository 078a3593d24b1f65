"""Progress pulses (issue 19): a short follow-up of a released 360, three to six months on.

A leader (or HR, for a whole cohort) starts a pulse; the leader's raters of the released 360 are
asked again, through a personal link of their own and under the same anonymity rule, only about
the focus areas of the leader's action plan: the indicators linked to each focus area, and one
question per focus enabler, "Over the past months, has this leader become more or less effective
at this?", from −3 to +3 (``answering/questionnaire.py``, ``CHANGE_SCALE`` and
``pulse_questionnaire``). The action plan then shows, per focus area, the change since the 360
and the pulse's answer (``reporting/pulse_results.py``, ``plans/pulse_views.py``).

A pulse is a cycle of its own kind (``Cycle.kind``), so it runs as cycles do: links, emails,
cards, reminders, monitoring, closing (by itself at the end of its close date) and release are
the cycle's own. What differs is decided here:

- **When.** From ``EARLIEST_DAYS`` to ``LATEST_DAYS`` days after the 360's reports were released
  (about three to six months), and once per participation (a database constraint too).
- **What.** Only with an action plan that has at least one focus area. The questions are fixed
  when the pulse starts (``PulseFocus``): the indicators linked to each focus area or, when a
  focus area links none, the enabler's indicators of the leader's level. A plan changed later
  changes no question.
- **Whom.** The raters of the 360 who were invited and did not decline — the supervisor, peers,
  direct reports and partners — all, or those the leader picks; each gets a new personal link
  (a new rater row), in the same rater group, so the anonymity rule applies per group exactly
  as in the 360, with the 360's threshold *k*. Every invited rater is offered, ticked, whether
  they answered the 360 or not: offering only those who answered would tell the leader who
  did. At least *k* peers, direct reports and partners must be asked, or none of their answers
  could ever be shown. No nominations and no supervisor approval: these raters were approved
  for the 360.
- **No self-assessment.** The pulse asks how others saw the change; the leader's own view is
  in the plan.
- **Dates.** Open from today; closes ``OPEN_DAYS`` days later (HR chooses the date for a cohort
  and may extend any pulse as it extends a cycle). A pulse releases itself when it closes by
  itself at the end of its close date (``cycles.close_due_cycles``): there is nothing to check
  before, no nominations and no self-assessment.

HR may start one pulse for a whole cohort: every participant who may have one is enrolled in one
transaction; the others are listed as skipped with the reason, and nothing is half-made.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessments import emails
from assessments.answering import invitations
from assessments.answering.questionnaire import build_questionnaire
from assessments.errors import DomainError
from assessments.models import (
    ANONYMOUS_GROUPS,
    AuditEvent,
    Cycle,
    FocusArea,
    Participant,
    PulseFocus,
    Rater,
    RaterGroup,
)
from assessments.running import cycles
from assessments.running.stewardship import ERASED_NAME

Status = Rater.Status

EARLIEST_DAYS = 90  # about three months after release
LATEST_DAYS = 183  # about six months after release
OPEN_DAYS = 21  # a pulse is open three weeks unless HR chooses otherwise
LONGEST_DAYS = 60  # the latest close date HR may choose when starting one
# Whom a pulse asks again: everyone but the leader themself.
PULSE_GROUPS = (
    RaterGroup.SUPERVISOR,
    RaterGroup.PEER,
    RaterGroup.DIRECT_REPORT,
    RaterGroup.PARTNER,
)
# Raters of the 360 who were invited and did not decline (answered or not: see above).
ASKED_AGAIN = (Status.INVITED, Status.STARTED, Status.SUBMITTED)


# --- when -----------------------------------------------------------------------------------


def window(cycle):
    """(first day, last day) on which a pulse of the released ``cycle`` may start."""
    released = timezone.localdate(cycle.released_at)
    return (
        released + datetime.timedelta(days=EARLIEST_DAYS),
        released + datetime.timedelta(days=LATEST_DAYS),
    )


def window_problem(cycle, *, today=None):
    """Why no pulse of ``cycle`` may start today, or None."""
    if cycle.is_pulse or cycle.state != Cycle.State.RELEASED or cycle.released_at is None:
        return _("A progress pulse follows a 360 whose reports are released.")
    today = today or timezone.localdate()
    first, last = window(cycle)
    if today < first:
        return _(
            "A progress pulse can start from %(first)s, three months after the reports were "
            "released, until %(last)s."
        ) % {"first": date_format(first), "last": date_format(last)}
    if today > last:
        return _(
            "A progress pulse could start until %(last)s, six months after the reports were "
            "released: that time has passed."
        ) % {"last": date_format(last)}
    return None


# --- whom ----------------------------------------------------------------------------------


def candidate_raters(participant):
    """The raters of ``participant`` (a 360's) a pulse may ask again, by group and name."""
    return (
        Rater.objects.filter(
            participant=participant, group__in=PULSE_GROUPS, status__in=ASKED_AGAIN
        )
        .exclude(approval=Rater.Approval.REJECTED)
        .exclude(name=ERASED_NAME)
        .order_by("group", "name", "pk")
    )


def pulse_of(participant):
    """The pulse participation following ``participant``, with its cycle, or None."""
    return (
        Participant.objects.filter(follows_id=participant.pk)
        .select_related("cycle", "person")
        .first()
    )


def _problem(*, has_pulse, has_focus, anonymous, k):
    """Why one participant cannot have a pulse (whatever the date), or None."""
    if has_pulse:
        return _("A progress pulse was already started for this 360.")
    if not has_focus:
        return _("The action plan has no focus area yet: a pulse asks about the focus areas.")
    if anonymous < k:
        return _(
            "Fewer than %(k)s peers, direct reports and partners can be asked again: none of "
            "their answers could be shown."
        ) % {"k": k}
    return None


def start_problem(participant, *, today=None):
    """Why ``participant`` (of a released 360) cannot start a pulse now, or None."""
    cycle = participant.cycle
    problem = window_problem(cycle, today=today)
    if problem:
        return problem
    return _problem(
        has_pulse=Participant.objects.filter(follows_id=participant.pk).exists(),
        has_focus=FocusArea.objects.filter(plan__participant_id=participant.pk).exists(),
        anonymous=candidate_raters(participant).filter(group__in=ANONYMOUS_GROUPS).count(),
        k=cycle.anonymity_threshold,
    )


def questions_preview(participant):
    """What a pulse of ``participant`` would ask, per focus area: {enabler, linked} where
    ``linked`` is how many indicators the area links (none: the enabler's of the level)."""
    return [
        {"enabler": area.enabler, "linked": len(area.indicators.all())}
        for area in _focus_areas([participant]).get(participant.pk, [])
    ]


# --- starting -------------------------------------------------------------------------------


def _check_closes_on(closes_on, today):
    if closes_on is None:
        raise DomainError(_("Choose the close date."), field="closes_on")
    if closes_on <= today:
        raise DomainError(_("Choose a close date after today."), field="closes_on")
    if closes_on > today + datetime.timedelta(days=LONGEST_DAYS):
        raise DomainError(
            _("A pulse is short: choose a close date within %(n)s days.") % {"n": LONGEST_DAYS},
            field="closes_on",
        )


def _new_pulse(*, cycle, by, name, closes_on, today, by_leader):
    """An open pulse cycle following ``cycle``, with its rules (threshold, languages, contact)."""
    now = timezone.now()
    pulse = Cycle.objects.create(
        kind=Cycle.Kind.PULSE,
        follows=cycle,
        name=name[:200],
        state=Cycle.State.OPEN,
        opens_on=today,
        closes_on=closes_on,
        # Raters write to the 360's contact, never to a leader who started their own pulse.
        **cycle.carried_settings(),
        created_by=cycle.created_by if by_leader else by,
        opened_at=now,
    )
    cycles.record(cycle=pulse, actor=by, action=AuditEvent.Action.CREATE, detail=pulse.name)
    cycles.record(cycle=pulse, actor=by, action=AuditEvent.Action.OPEN)
    cycles.schedule_closing(pulse)
    return pulse


class _Fallbacks:
    """The enabler's indicators of the leader's level, for a focus area that links none (one
    questionnaire per level, built once per start)."""

    def __init__(self):
        self.built = {}

    def indicator_ids(self, participant, enabler_id):
        cycle = participant.cycle
        key = (participant.level_id, cycle.next_level_part, cycle.grl_edition)
        if key not in self.built:
            self.built[key] = build_questionnaire(participant.level, grl_edition=cycle.grl_edition)
        section = next((s for s in self.built[key].sections if s.enabler.pk == enabler_id), None)
        if section is None:
            return []
        return [item.indicator_id for item in section.level_items or section.general_items]


def _enrol(*, pulse, participant, raters, areas, fallbacks):
    """``participant``'s place in ``pulse``: the participation, new rater rows for ``raters``
    (each with its own link when invited) and the questions of ``areas``, fixed now."""
    enrolled = Participant.objects.create(
        cycle=pulse,
        person=participant.person,
        level=participant.level,
        supervisor=participant.supervisor,
        org_unit=participant.org_unit,
        gender=participant.gender,
        language=participant.language,
        follows=participant,
        # The raters are chosen: invitations go out as soon as the pulse opens.
        nominations_submitted_at=timezone.now(),
    )
    Rater.objects.bulk_create(
        Rater(
            participant=enrolled,
            group=rater.group,
            name=rater.name,
            email=rater.email,
            user_id=rater.user_id,
            language=rater.language,
        )
        for rater in raters
    )
    for position, area in enumerate(areas, start=1):
        ids = [indicator.pk for indicator in area.indicators.all()]
        if not ids:
            ids = fallbacks.indicator_ids(participant, area.enabler_id)
        focus = PulseFocus.objects.create(
            participant=enrolled, enabler_id=area.enabler_id, position=position
        )
        focus.indicators.set(ids)
    return enrolled


def _focus_areas(participants):
    """{participant id: [FocusArea with its indicators]} in plan order, in two queries."""
    areas = (
        FocusArea.objects.filter(plan__participant__in=participants)
        .select_related("plan", "enabler")
        .prefetch_related("indicators")
        .order_by("created_at", "pk")
    )
    by_participant = {}
    for area in areas:
        by_participant.setdefault(area.plan.participant_id, []).append(area)
    return by_participant


def _invite(pulse):
    transaction.on_commit(lambda: invitations.send_cycle_invitations.enqueue(pulse.pk))


@transaction.atomic
def start_pulse(*, participant, by, rater_ids, today=None):
    """The leader starts their own pulse, asking the chosen raters of ``participant``'s 360
    (ids of ``candidate_raters``). Returns the pulse participation."""
    today = today or timezone.localdate()
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("cycle__created_by", "person", "level", "supervisor")
        .get(pk=participant.pk)
    )
    cycle = participant.cycle
    problem = start_problem(participant, today=today)
    if problem:
        raise DomainError(problem)
    candidates = list(candidate_raters(participant))
    wanted = {int(pk) for pk in rater_ids}
    if wanted - {rater.pk for rater in candidates}:
        raise DomainError(_("Choose raters from the list."), field="raters")
    chosen = [rater for rater in candidates if rater.pk in wanted]
    if not chosen:
        raise DomainError(_("Choose the raters to ask."), field="raters")
    k = cycle.anonymity_threshold
    if sum(1 for rater in chosen if rater.group in ANONYMOUS_GROUPS) < k:
        raise DomainError(
            _(
                "Choose at least %(k)s peers, direct reports and partners in all: with fewer, "
                "none of their answers could be shown."
            )
            % {"k": k},
            field="raters",
        )
    with translation.override(cycle.language):
        name = _("Progress pulse: %(leader)s (%(cycle)s)") % {
            "leader": participant.person.get_full_name(),
            "cycle": cycle.name,
        }
    pulse = _new_pulse(
        cycle=cycle,
        by=by,
        name=name,
        closes_on=today + datetime.timedelta(days=OPEN_DAYS),
        today=today,
        by_leader=True,
    )
    try:
        with transaction.atomic():
            enrolled = _enrol(
                pulse=pulse,
                participant=participant,
                raters=chosen,
                areas=_focus_areas([participant]).get(participant.pk, []),
                fallbacks=_Fallbacks(),
            )
    except IntegrityError:
        raise DomainError(_("A progress pulse was already started for this 360.")) from None
    detail = _("%(leader)s started a progress pulse asking %(n)s raters again.") % {
        "leader": participant.person.get_full_name(),
        "n": len(chosen),
    }
    cycles.record(cycle=cycle, actor=by, action=AuditEvent.Action.PULSE, detail=detail)
    _invite(pulse)
    return enrolled


@dataclass
class CohortPlan:
    """Who a cohort pulse would enrol now, and who it skips and why."""

    ready: list = field(default_factory=list)  # participants
    skipped: list = field(default_factory=list)  # (participant, reason)
    raters: dict = field(default_factory=dict)  # participant id -> [Rater] to ask


def cohort_plan(cycle):
    """Every participant of the released ``cycle``, ready for a pulse or skipped with the reason,
    in a fixed number of queries whatever the cohort's size."""
    participants = list(
        cycle.participants.select_related("person", "level", "supervisor").order_by(
            "person__full_name", "pk"
        )
    )
    has_pulse = set(
        Participant.objects.filter(follows__cycle=cycle).values_list("follows_id", flat=True)
    )
    has_focus = set(
        FocusArea.objects.filter(plan__participant__cycle=cycle).values_list(
            "plan__participant_id", flat=True
        )
    )
    raters = {}
    for rater in (
        Rater.objects.filter(
            participant__cycle=cycle, group__in=PULSE_GROUPS, status__in=ASKED_AGAIN
        )
        .exclude(approval=Rater.Approval.REJECTED)
        .exclude(name=ERASED_NAME)
        .order_by("group", "name", "pk")
    ):
        raters.setdefault(rater.participant_id, []).append(rater)
    plan = CohortPlan()
    for participant in participants:
        candidates = raters.get(participant.pk, [])
        reason = _problem(
            has_pulse=participant.pk in has_pulse,
            has_focus=participant.pk in has_focus,
            anonymous=sum(1 for rater in candidates if rater.group in ANONYMOUS_GROUPS),
            k=cycle.anonymity_threshold,
        )
        if reason:
            plan.skipped.append((participant, reason))
        else:
            plan.ready.append(participant)
            plan.raters[participant.pk] = candidates
    return plan


@transaction.atomic
def start_cohort_pulse(*, cycle, by, closes_on, today=None):
    """HR starts one pulse for the whole cohort of the released ``cycle``: every participant who
    may have one, asking all their raters of the 360 again. One transaction: it is all made or
    nothing is. Returns (the pulse cycle, the CohortPlan with whom it skipped)."""
    today = today or timezone.localdate()
    cycle = (
        Cycle.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=cycle.pk)
    )
    problem = window_problem(cycle, today=today)
    if problem:
        raise DomainError(problem)
    _check_closes_on(closes_on, today)
    plan = cohort_plan(cycle)
    if not plan.ready:
        raise DomainError(
            _("No leader of this cohort can have a progress pulse now: see why for each below.")
        )
    with translation.override(cycle.language):
        name = _("Progress pulse: %(cycle)s") % {"cycle": cycle.name}
    pulse = _new_pulse(
        cycle=cycle, by=by, name=name, closes_on=closes_on, today=today, by_leader=False
    )
    areas = _focus_areas(plan.ready)
    fallbacks = _Fallbacks()
    try:
        with transaction.atomic():
            for participant in plan.ready:
                participant.cycle = cycle
                _enrol(
                    pulse=pulse,
                    participant=participant,
                    raters=plan.raters[participant.pk],
                    areas=areas.get(participant.pk, []),
                    fallbacks=fallbacks,
                )
    except IntegrityError:
        # A leader started their own pulse meanwhile: nothing is kept; HR tries again.
        raise DomainError(
            _("A leader of this cohort started a pulse meanwhile. Nothing was started: try again.")
        ) from None
    detail = _("Progress pulse started for %(n)s leaders; %(skipped)s skipped.") % {
        "n": len(plan.ready),
        "skipped": len(plan.skipped),
    }
    cycles.record(cycle=cycle, actor=by, action=AuditEvent.Action.PULSE, detail=detail)
    cycles.record(cycle=pulse, actor=by, action=AuditEvent.Action.PULSE, detail=detail)
    _invite(pulse)
    # Each leader is told: HR started it, not they.
    transaction.on_commit(lambda: send_pulse_notices.enqueue(pulse.pk))
    return pulse, plan


def default_close_date(today=None):
    return (today or timezone.localdate()) + datetime.timedelta(days=OPEN_DAYS)


# --- background work ------------------------------------------------------------------------


@task
def send_pulse_notices(cycle_id):
    """Tell every leader of a progress pulse HR started that it is open."""
    participants = Participant.objects.filter(
        cycle_id=cycle_id, cycle__state=Cycle.State.OPEN
    ).select_related("person", "cycle__follows")
    for participant in participants:
        emails.send_pulse_started(participant)
    return len(participants)
