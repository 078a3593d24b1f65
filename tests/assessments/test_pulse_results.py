"""What a progress pulse shows on the action plan (issue 19, assessments/pulse_results.py): per
focus area, the change since the 360 and the "more or less effective" answer, under the
anonymity rule of the 360's k; nothing before release."""

import pytest

from assessments.answering.questionnaire import NOT_OBSERVED
from assessments.models import Cycle, RaterGroup
from assessments.reporting import pulse_results
from assessments.reporting.anonymity import shown_mean
from tests.factories import RaterFactory, UserFactory

from .pulse_helpers import (
    answer_pulse,
    close_and_release_pulse,
    focus_on,
    release,
    released_360,
    section,
    start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(compass):
    """A 360 where the supervisor and four peers rated every item 3, released in the window;
    the plan focuses on Funding (two behaviours linked) and Communication (none linked)."""
    participant = released_360(
        person=UserFactory(full_name="Lucía Ortega"), supervisor=UserFactory(), peers=4
    )
    release(participant.cycle)
    participant.refresh_from_db()
    focus_on(participant, "funding", links=2)
    focus_on(participant, "communication", links=0)
    return participant


def raters(pulse, group):
    return list(pulse.raters.filter(group=group).order_by("pk"))


def results_of(participant, pulse):
    pulse.refresh_from_db()
    return {f.enabler.slug: f for f in pulse_results.pulse_results(participant, pulse).focuses}


def test_the_change_since_the_360_and_the_pulse_answer_per_focus_area(participant):
    pulse = start(participant)
    answer_pulse(raters(pulse, RaterGroup.SUPERVISOR)[0], score="4", change="+1")
    for peer, change in zip(raters(pulse, RaterGroup.PEER), ["+2", "+2", "+1", "+3"], strict=True):
        answer_pulse(peer, score="4", change=change)
    close_and_release_pulse(pulse)
    results = results_of(participant, pulse)
    funding = results["funding"]
    assert funding.indicators == 2
    assert (funding.before.shown, funding.before.mean) == (True, 3.0)
    assert (funding.after.shown, funding.after.mean) == (True, 4.0)
    assert funding.change == 1.0
    # all except self: the supervisor's +1 with the peers' +2 +2 +1 +3 → 9 / 5
    assert funding.effect.shown and shown_mean(funding.effect.mean) == shown_mean(1.8)
    # The focus area that linked nothing was asked about the enabler's level behaviours.
    communication = results["communication"]
    assert communication.indicators == len(section(participant, "communication").level_items)
    assert communication.change == 1.0


def test_nothing_shows_before_the_pulse_is_released(participant):
    pulse = start(participant)
    for rater in pulse.raters.all():
        answer_pulse(rater)
    assert pulse_results.pulse_results(participant, pulse) is None
    Cycle.objects.filter(pk=pulse.cycle_id).update(state=Cycle.State.CLOSED)
    pulse.cycle.refresh_from_db()
    assert pulse_results.pulse_results(participant, pulse) is None


def test_below_k_the_pulse_reads_too_few_answers_never_the_supervisor_alone(participant):
    pulse = start(participant)
    answer_pulse(raters(pulse, RaterGroup.SUPERVISOR)[0], score="5", change="+3")
    for peer in raters(pulse, RaterGroup.PEER)[:2]:  # two peers: fewer than k = 3
        answer_pulse(peer, score="4")
    close_and_release_pulse(pulse)
    funding = results_of(participant, pulse)["funding"]
    assert funding.before.shown  # the 360's own number stands
    assert funding.after.too_few and funding.effect.too_few
    assert funding.change is None
    assert "Fewer than 3" in pulse_results.pulse_results(participant, pulse).withheld_reason


def test_groups_below_k_are_pooled_as_the_report_pools_them(participant):
    RaterFactory(participant=participant, group=RaterGroup.DIRECT_REPORT)
    pulse = start(participant)
    # Two peers and one direct report answer: neither group reaches k, their pool does.
    for peer in raters(pulse, RaterGroup.PEER)[:2]:
        answer_pulse(peer, score="4", change="+2")
    answer_pulse(raters(pulse, RaterGroup.DIRECT_REPORT)[0], score="5", change="+1")
    close_and_release_pulse(pulse)
    funding = results_of(participant, pulse)["funding"]
    assert funding.after.shown
    assert shown_mean(funding.after.mean) == shown_mean(13 / 3)
    assert {RaterGroup.PEER, RaterGroup.DIRECT_REPORT} <= funding.after.groups
    assert shown_mean(funding.effect.mean) == shown_mean(5 / 3)


def test_an_item_too_few_raters_observed_is_left_out_of_the_pulse_number(participant):
    pulse = start(participant)
    peers = raters(pulse, RaterGroup.PEER)[:3]
    questionnaire = answer_pulse(peers[0], score="2")
    second = questionnaire.sections[0].focus_items[1]
    for peer in peers[1:]:
        answer_pulse(peer, score="4", override={second.key: NOT_OBSERVED})
    close_and_release_pulse(pulse)
    funding = results_of(participant, pulse)["funding"]
    # The second behaviour has one real answer among the peers: its atom is hidden, so the
    # number is the first behaviour's alone, which three peers answered (2, 4, 4).
    assert shown_mean(funding.after.mean) == shown_mean(10 / 3)


def test_not_observed_change_answers_are_left_out_of_the_mean(participant):
    pulse = start(participant)
    for peer, change in zip(raters(pulse, RaterGroup.PEER), ["+2", "+2", "+2", "na"], strict=True):
        answer_pulse(peer, change=change)
    close_and_release_pulse(pulse)
    funding = results_of(participant, pulse)["funding"]
    assert funding.effect.shown and funding.effect.mean == 2.0 and funding.effect.n == 3


def test_a_change_question_three_raters_did_not_answer_reads_too_few(participant):
    pulse = start(participant)
    for peer, change in zip(raters(pulse, RaterGroup.PEER), ["+2", "+2", "na", "na"], strict=True):
        answer_pulse(peer, change=change)
    close_and_release_pulse(pulse)
    funding = results_of(participant, pulse)["funding"]
    assert funding.after.shown
    assert funding.effect.too_few
