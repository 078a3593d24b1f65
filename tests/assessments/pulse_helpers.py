"""A released 360 with an action plan, ready for a progress pulse (issue 19), and ways to answer
the pulse: shared by the pulse tests."""

import datetime

from django.utils import timezone

from assessments.answering import responses
from assessments.answering.questionnaire import build_questionnaire, questionnaire_for
from assessments.models import Cycle, RaterGroup
from assessments.plans import action_plans
from assessments.running import cycles, pulses
from tests.assessments.helpers import fast_submit
from tests.factories import RaterFactory, make_participant, self_rater, supervisor_rater

IN_WINDOW = 100  # days after release: inside the three-to-six-month window


def section(participant, slug):
    questionnaire = build_questionnaire(participant.level)
    return next(s for s in questionnaire.sections if s.enabler.slug == slug)


def released_360(
    *,
    person=None,
    supervisor=None,
    cycle=None,
    peers=3,
    direct_reports=0,
    score="3",
    days_ago=IN_WINDOW,
):
    """A leader's released 360: self, supervisor and ``peers`` peers (and direct reports) who
    submitted ``score`` on every item; released ``days_ago`` days ago, tallies frozen."""
    participant = make_participant(cycle, person=person, supervisor=supervisor)
    fast_submit(self_rater(participant), "4")
    fast_submit(supervisor_rater(participant), score)
    for _ in range(peers):
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), score)
    for _ in range(direct_reports):
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.DIRECT_REPORT), score)
    return participant


def release(cycle, days_ago=IN_WINDOW):
    """Release ``cycle`` as if ``days_ago`` days ago (tallies frozen as release does)."""
    cycle.refresh_from_db()
    if cycle.state == Cycle.State.OPEN:
        cycles.close_cycle(cycle=cycle, by=None)
    cycles.release_cycle(cycle=cycle, by=None)
    Cycle.objects.filter(pk=cycle.pk).update(
        released_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    cycle.refresh_from_db()
    return cycle


def focus_on(participant, slug, links=2, goal="Grow."):
    """A focus area through the plan's rule, linked to the first ``links`` level indicators."""
    s = section(participant, slug)
    return action_plans.add_focus(
        participant=participant,
        enabler=s.enabler,
        goal=goal,
        indicator_ids=[i.indicator_id for i in s.level_items[:links]],
    )


def start(participant, by=None, rater_ids=None):
    """The leader starts a pulse asking every candidate rater (or ``rater_ids``)."""
    participant.refresh_from_db()
    if rater_ids is None:
        rater_ids = [r.pk for r in pulses.candidate_raters(participant)]
    return pulses.start_pulse(
        participant=participant, by=by or participant.person, rater_ids=rater_ids
    )


def answer_pulse(rater, score="4", change="+2", submit=True, override=None):
    """``rater`` (of a pulse) answers every question through the real rules."""
    questionnaire = questionnaire_for(rater.participant)
    for s in questionnaire.sections:
        values = {}
        for item in s.items:
            values[item.key] = change if item.is_change else score
        values.update({k: v for k, v in (override or {}).items() if k in values})
        responses.save_section(rater=rater, section=s, values=values, comments={})
    if submit:
        responses.submit_response(rater=rater)
    return questionnaire


def close_and_release_pulse(pulse_participant):
    pulse = pulse_participant.cycle
    pulse.refresh_from_db()
    cycles.close_cycle(cycle=pulse, by=None)
    cycles.release_cycle(cycle=pulse, by=None)
    pulse.refresh_from_db()
    pulse_participant.cycle = pulse
    return pulse
