"""The leader's self-assessment: the same questionnaire, signed in, in the first person."""

import pytest
from django.urls import reverse

from assessments.models import Cycle, Rater
from tests.assessments.helpers import answer_everything
from tests.factories import self_rater

pytestmark = pytest.mark.django_db


def url(name, participant, *args):
    return reverse(f"my360:self_{name}", args=[participant.pk, *args])


def test_self_assessment_speaks_in_the_first_person(client, participant):
    client.force_login(participant.person)
    body = client.get(url("section", participant, 1)).content.decode()
    assert "How consistently do I do this?" in body
    assert "What do I do well here?" in body
    assert "How consistently does" not in body


def test_raters_are_asked_in_the_third_person_with_the_leaders_name(client, participant):
    from assessments.answering.tokens import issue_token
    from tests.factories import RaterFactory

    rater = RaterFactory(participant=participant)
    token = issue_token(rater)
    body = client.get(reverse("rater:section", args=[token, 1])).content.decode()
    assert f"How consistently does <bdi>{participant.person.get_full_name()}</bdi> do this?" in body


def test_the_leader_completes_and_submits_the_self_assessment(client, participant):
    client.force_login(participant.person)
    answer_everything(client, lambda n: url("section", participant, n), participant.level, "5")
    response = client.post(url("review", participant))
    assert response.url == url("thanks", participant)
    assert self_rater(participant).status == Rater.Status.SUBMITTED


def test_nobody_else_can_open_a_leaders_self_assessment(client, participant, outsider):
    client.force_login(outsider)
    for page in ["start", "review"]:
        assert client.get(url(page, participant)).status_code == 404
    assert client.get(url("section", participant, 1)).status_code == 404
    client.force_login(participant.supervisor)
    assert client.get(url("start", participant)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, participant):
    response = client.get(url("start", participant))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_self_assessment_before_opening_and_after_closing_explains_why(client, participant):
    client.force_login(participant.person)
    Cycle.objects.update(state=Cycle.State.DRAFT)
    assert "has not opened yet" in client.get(url("start", participant)).content.decode()
    Cycle.objects.update(state=Cycle.State.CLOSED)
    assert "has closed" in client.get(url("section", participant, 1)).content.decode()


def test_a_leader_cannot_decline_the_self_assessment_by_link(client, participant):
    from assessments.answering.tokens import issue_token

    token = issue_token(self_rater(participant))
    assert client.get(reverse("rater:decline", args=[token])).status_code == 404
