"""Shared helpers for tests: nominating, answering questionnaires, posting forms."""

import datetime

from django.utils import timezone

from assessments.answering import nominations
from assessments.answering.questionnaire import build_questionnaire, questionnaire_for
from assessments.models import Cycle, RaterGroup
from assessments.reporting import tallies
from tests.factories import RaterFactory, make_participant, self_rater


def nominate(participant, n, group=RaterGroup.PEER, prefix="peer"):
    """``n`` raters nominated by ``participant`` through the rule, named "Peer 0", "Peer 1"…"""
    return [
        nominations.nominate_rater(
            participant=participant,
            name=f"{prefix.title()} {i}",
            email=f"{prefix}{i}@example.org",
            group=group,
        )
        for i in range(n)
    ]


def rated_leader(
    cycle, supervisor, *, org_unit, own="4", peers="333", gender="", level_slug="heads-of-teams"
):
    """A participant with a submitted self-assessment (``own`` on every item) and one peer per
    score in ``peers``; every answer of a rater is the same score, so means are easy to work
    out by hand."""
    participant = make_participant(
        cycle, supervisor=supervisor, org_unit=org_unit, gender=gender, level_slug=level_slug
    )
    fast_submit(self_rater(participant), own)
    for score in peers:
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), score)
    return participant


def release(cycle):
    """``cycle`` released with its figures frozen, as ``release_cycle`` leaves it (without the
    transition's checks and emails)."""
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED)
    tallies.freeze(cycle)
    cycle.refresh_from_db()


def cycle_data(**fields):
    """What HR's cycle form posts: a valid new cycle, with ``fields`` changed or added."""
    today = timezone.localdate()
    return {
        "name": "Leaders 2026",
        "edition": "2024",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=21)).isoformat(),
        "anonymity_threshold": 3,
        "min_peers": 3,
        "max_peers": 8,
        "min_direct_reports": 3,
        "max_direct_reports": 8,
        "min_partners": 0,
        "max_partners": 5,
        **fields,
    }


def section_post(section, value="3", **extra):
    data = {item.key: value for item in section.items}
    data.update(extra)
    return data


def answer_everything(client, url_for_section, level, value="4"):
    questionnaire = build_questionnaire(level)
    for section in questionnaire.sections:
        response = client.post(url_for_section(section.number), section_post(section, value))
        assert response.status_code == 302, response.content[:500]
    return questionnaire


def submit_all(rater, value="3", override=None, comments=None, submit=True):
    """Answer every item of ``rater``'s questionnaire through the real rules, then submit.

    ``value`` is a score for every item, or a function of the item; ``override`` maps item keys
    to values; ``comments`` maps enabler positions (1–7) to {"strength"/"improvement": text}.
    """
    from assessments.answering import responses

    questionnaire = questionnaire_for(rater.participant)
    for section in questionnaire.sections:
        values = {item.key: (value(item) if callable(value) else value) for item in section.items}
        values.update({k: v for k, v in (override or {}).items() if k in values})
        responses.save_section(
            rater=rater,
            section=section,
            values=values,
            comments=(comments or {}).get(section.number, {}),
        )
    if submit:
        responses.submit_response(rater=rater)
    return questionnaire


_questionnaires = {}


def fast_submit(rater, value="3", override=None):
    """A submitted response with every item answered, inserted in bulk.

    For report tests that need many raters; the submission rules themselves are tested through
    ``submit_all`` and the views.
    """
    from django.utils import timezone

    from assessments.models import Answer, Rater, Response

    participant = rater.participant
    if participant.cycle.grl_edition:
        # The section is loaded per test (its ids change on PostgreSQL): never kept.
        questionnaire = questionnaire_for(participant)
    else:
        key = (participant.level_id, participant.cycle.next_level_part)
        if key not in _questionnaires:
            _questionnaires[key] = questionnaire_for(participant)
        questionnaire = _questionnaires[key]
    response = Response.objects.create(rater=rater, submitted_at=timezone.now())
    answers = []
    for item in questionnaire.items:
        given = (override or {}).get(item.key, value(item) if callable(value) else value)
        answers.append(
            Answer(
                response=response,
                indicator_id=item.indicator_id,
                pitfall_id=item.pitfall_id,
                score=None if given == "na" else int(given),
            )
        )
    Answer.objects.bulk_create(answers)
    Rater.objects.filter(pk=rater.pk).update(status=Rater.Status.SUBMITTED)
    return response
