"""The rules of answering: drafts, submission, declining, closed cycles."""

import pytest

from assessments.answering import responses
from assessments.answering.questionnaire import NOT_OBSERVED, build_questionnaire
from assessments.errors import DomainError
from assessments.models import Answer, Cycle, Rater, Response
from tests.factories import RaterFactory

pytestmark = pytest.mark.django_db


def _values(section, value="3"):
    return {item.key: value for item in section.items}


def _answer_all(rater, value="3"):
    questionnaire = build_questionnaire(rater.participant.level)
    for section in questionnaire.sections:
        responses.save_section(
            rater=rater, section=section, values=_values(section, value), comments={}
        )
    return questionnaire


def test_saving_a_section_keeps_answers_and_marks_the_rater_started(rater):
    section = build_questionnaire(rater.participant.level).section(1)
    values = _values(section)
    values[section.items[0].key] = NOT_OBSERVED
    responses.save_section(
        rater=rater, section=section, values=values, comments={"strength": "Listens well."}
    )
    saved = responses.answers_of(rater.response)
    assert saved[section.items[0].key] == NOT_OBSERVED
    assert saved[section.items[1].key] == 3
    assert responses.comments_of(rater.response) == {
        (section.enabler.pk, "strength"): "Listens well."
    }
    rater.refresh_from_db()
    assert rater.status == Rater.Status.STARTED


def test_not_observed_is_stored_as_an_answer_without_a_score(rater):
    section = build_questionnaire(rater.participant.level).section(2)
    responses.save_section(
        rater=rater, section=section, values=_values(section, NOT_OBSERVED), comments={}
    )
    answers = Answer.objects.filter(response=rater.response)
    assert answers.count() == len(section.items)
    assert set(answers.values_list("score", flat=True)) == {None}


def test_saving_again_replaces_answers_instead_of_duplicating_them(rater):
    section = build_questionnaire(rater.participant.level).section(1)
    responses.save_section(rater=rater, section=section, values=_values(section, "2"), comments={})
    responses.save_section(rater=rater, section=section, values=_values(section, "5"), comments={})
    assert Answer.objects.filter(response=rater.response).count() == len(section.items)
    assert set(Answer.objects.values_list("score", flat=True)) == {5}


def test_blank_items_in_a_later_save_keep_their_earlier_answer(rater):
    section = build_questionnaire(rater.participant.level).section(1)
    responses.save_section(rater=rater, section=section, values=_values(section, "2"), comments={})
    responses.save_section(
        rater=rater, section=section, values={section.items[0].key: "4"}, comments={}
    )
    saved = responses.answers_of(rater.response)
    assert saved[section.items[0].key] == 4
    assert saved[section.items[1].key] == 2


@pytest.mark.parametrize("bad", ["0", "6", "7", "-1", "abc", "3.5"])
def test_answers_outside_the_scale_are_refused_and_nothing_is_saved(rater, bad):
    section = build_questionnaire(rater.participant.level).section(1)
    values = _values(section)
    values[section.items[1].key] = bad
    with pytest.raises(DomainError) as refused:
        responses.save_section(rater=rater, section=section, values=values, comments={})
    assert refused.value.field == section.items[1].key
    assert not Answer.objects.exists()


def test_submitting_with_items_unanswered_names_them_and_keeps_the_draft(rater):
    questionnaire = build_questionnaire(rater.participant.level)
    first = questionnaire.section(1)
    responses.save_section(rater=rater, section=first, values=_values(first), comments={})
    with pytest.raises(responses.IncompleteResponse) as incomplete:
        responses.submit_response(rater=rater)
    assert incomplete.value.missing == [
        k for k in questionnaire.item_keys if k not in first.item_keys
    ]
    assert Answer.objects.count() == len(first.items)
    assert Response.objects.get().submitted_at is None


def test_a_complete_response_submits_once_and_is_then_read_only(rater):
    questionnaire = _answer_all(rater)
    response = responses.submit_response(rater=rater)
    assert response.submitted_at is not None
    first_time = response.submitted_at
    again = responses.submit_response(rater=rater)  # a double click
    assert again.submitted_at == first_time
    with pytest.raises(DomainError):
        responses.save_section(
            rater=rater,
            section=questionnaire.section(1),
            values=_values(questionnaire.section(1), "1"),
            comments={},
        )
    assert set(Answer.objects.values_list("score", flat=True)) == {3}


def test_answers_after_the_cycle_closed_are_refused_and_the_draft_kept(rater):
    section = build_questionnaire(rater.participant.level).section(1)
    responses.save_section(rater=rater, section=section, values=_values(section, "2"), comments={})
    Cycle.objects.update(state=Cycle.State.CLOSED)
    rater.refresh_from_db()
    with pytest.raises(DomainError, match="closed"):
        responses.save_section(
            rater=rater, section=section, values=_values(section, "5"), comments={}
        )
    with pytest.raises(DomainError, match="closed"):
        responses.submit_response(rater=rater)
    assert set(Answer.objects.values_list("score", flat=True)) == {2}


def test_declining_records_the_reason_and_stops_answers(rater):
    responses.decline(rater=rater, reason="I joined the team last week.")
    rater.refresh_from_db()
    assert rater.status == Rater.Status.DECLINED
    assert rater.declined_reason == "I joined the team last week."
    section = build_questionnaire(rater.participant.level).section(1)
    with pytest.raises(DomainError):
        responses.save_section(rater=rater, section=section, values=_values(section), comments={})


def test_the_self_assessment_cannot_be_declined(compass):
    from tests.factories import make_participant, self_rater

    rater = self_rater(make_participant())
    with pytest.raises(DomainError):
        responses.decline(rater=rater)


def test_saving_a_section_takes_the_same_queries_for_a_small_and_a_large_level(
    compass, django_assert_num_queries
):
    from tests.factories import make_participant

    counts = []
    for slug in ["heads-of-teams", "chiefs-of-mission"]:
        rater = RaterFactory(participant=make_participant(level_slug=slug))
        questionnaire = build_questionnaire(rater.participant.level)
        section = max(questionnaire.sections, key=lambda s: len(s.items))
        responses.save_section(rater=rater, section=section, values=_values(section), comments={})
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            responses.save_section(
                rater=rater,
                section=section,
                values=_values(section, "4"),
                comments={"strength": "x"},
            )
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert counts[0] <= 14
