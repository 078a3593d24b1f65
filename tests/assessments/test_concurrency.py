"""Two tabs, a double click: the database keeps one submission and no duplicate answers."""

import threading

import pytest
from django.db import connection

from assessments.answering import responses
from assessments.answering.questionnaire import build_questionnaire
from assessments.models import Answer, Rater, Response
from tests.factories import RaterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency are exercised on PostgreSQL")


def _at_once(work, n=2):
    barrier = threading.Barrier(n)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _values(section, value):
    return {item.key: value for item in section.items}


def test_two_tabs_submitting_at_once_yield_one_submission(compass):
    rater = RaterFactory()
    questionnaire = build_questionnaire(rater.participant.level)
    for section in questionnaire.sections:
        responses.save_section(
            rater=rater, section=section, values=_values(section, "3"), comments={}
        )

    errors = _at_once(lambda: responses.submit_response(rater=Rater.objects.get(pk=rater.pk)), n=4)

    assert errors == []
    assert Response.objects.filter(rater=rater, submitted_at__isnull=False).count() == 1
    assert Rater.objects.get(pk=rater.pk).status == Rater.Status.SUBMITTED


def test_the_same_section_saved_twice_at_once_keeps_one_answer_per_item(compass):
    rater = RaterFactory()
    section = build_questionnaire(rater.participant.level).section(1)

    errors = _at_once(
        lambda: responses.save_section(
            rater=Rater.objects.get(pk=rater.pk),
            section=section,
            values=_values(section, "4"),
            comments={"strength": "Clear priorities."},
        ),
        n=3,
    )

    assert errors == []
    assert Response.objects.filter(rater=rater).count() == 1
    assert Answer.objects.filter(response__rater=rater).count() == len(section.items)
