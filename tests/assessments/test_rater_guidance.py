"""Issue 18, point 6: the questionnaire's start page says what makes feedback useful."""

import pytest
from django.urls import reverse

from assessments.answering.tokens import issue_token
from tests.factories import RaterFactory, make_participant

pytestmark = pytest.mark.django_db


def guidance(body):
    return body[body.index('id="guidance"') : body.index("</section>", body.index('id="guidance"'))]


def test_raters_are_told_to_rate_what_they_saw_use_the_scale_and_the_whole_period(client, compass):
    token = issue_token(RaterFactory())
    text = guidance(client.get(reverse("rater:start", args=[token])).content.decode())
    assert "What makes feedback useful" in text
    assert "not your overall impression" in text  # halo
    assert "Use the whole scale" in text
    assert "the whole period" in text
    assert "is a good answer when it is true" in text  # not observed


def test_the_self_assessment_has_its_own_version(client, compass):
    participant = make_participant()
    client.force_login(participant.person)
    body = client.get(reverse("my360:self_start", args=[participant.pk])).content.decode()
    text = guidance(body)
    assert "How to make your self-assessment useful" in text
    assert "Most leaders rate themselves a little higher than others do" in text
    assert "What makes feedback useful" not in body


def test_no_guidance_once_the_answers_are_submitted(client, compass):
    rater = RaterFactory(status="submitted")
    token = issue_token(rater)
    assert 'id="guidance"' not in client.get(reverse("rater:start", args=[token])).content.decode()
