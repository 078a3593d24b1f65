"""Rater pages share one questionnaire per process, language and compass version."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from assessments.answering import questionnaire as q
from assessments.answering.tokens import issue_token
from compass.models import Indicator, Level
from tests.assessments.helpers import section_post
from tests.factories import RaterFactory, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def level(compass):
    return Level.objects.get(slug="heads-of-teams")


def test_built_once_per_level_and_language(level, django_assert_num_queries):
    first = q.shared_questionnaire(level.pk)
    with django_assert_num_queries(0):
        assert q.shared_questionnaire(level.pk) is first
    assert first.item_keys == q.build_questionnaire(level).item_keys
    with translation.override("fr"):
        french = q.shared_questionnaire(level.pk)
    assert french is not first
    assert q.shared_questionnaire(Level.objects.get(slug="directors").pk) is not first


def test_a_change_to_the_compass_is_on_the_next_page(client, level):
    rater = RaterFactory(participant=make_participant(level_slug="heads-of-teams"))
    token = issue_token(rater)
    page = reverse("rater:section", args=[token, 1])
    client.get(page)
    first = q.shared_questionnaire(level.pk).sections[0].general_items[0]
    indicator = Indicator.objects.get(pk=first.indicator_id)
    indicator.text = "Sets a clear direction, reworded."
    indicator.save()
    assert "Sets a clear direction, reworded." in client.get(page).content.decode()


def test_reloading_the_compass_tells_other_processes(
    level, settings, django_capture_on_commit_callbacks
):
    settings.COMPASS_VERSION_CHECK_SECONDS = 0  # check the shared version on every page
    before = q.shared_questionnaire(level.pk)
    assert q.shared_questionnaire(level.pk) is before
    version = cache.get(q.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("loaddata", "compass", verbosity=0)
    assert len(callbacks) == 1  # one new version for the whole load
    assert cache.get(q.VERSION_KEY) != version
    # another process changed the compass: this one notices and rebuilds
    rebuilt = q.shared_questionnaire(level.pk)
    assert rebuilt is not before
    cache.set(q.VERSION_KEY, "set-by-another-process")
    assert q.shared_questionnaire(level.pk) is not rebuilt


def test_saved_answers_are_checked_in_the_shared_choices(client, level):
    rater = RaterFactory(participant=make_participant(level_slug="heads-of-teams"))
    token = issue_token(rater)
    section = q.shared_questionnaire(level.pk).section(1)
    first, second = section.general_items[:2]
    url = reverse("rater:section", args=[token, 1])
    client.post(url, {first.key: "4", second.key: q.NOT_OBSERVED, "go": "stay"})
    body = client.get(url).content.decode()
    checked = re.findall(r'name="([ip]\d+)" id="[^"]+" value="([^"]+)" checked', body)
    assert checked == [(first.key, "4"), (second.key, q.NOT_OBSERVED)]
    # another rater of the same level sees the same choices, none of them checked
    other = issue_token(RaterFactory(participant=rater.participant))
    body = client.get(reverse("rater:section", args=[other, 1])).content.decode()
    assert " checked" not in body
    assert body.count('type="radio"') == 6 * len(section.items)


def test_upserts_replace_answers_and_keep_other_sections(client, level):
    rater = RaterFactory(participant=make_participant(level_slug="heads-of-teams"))
    token = issue_token(rater)
    questionnaire = q.shared_questionnaire(level.pk)
    for number in (1, 2):
        url = reverse("rater:section", args=[token, number])
        client.post(url, section_post(questionnaire.section(number), "2", go="stay"))
    url = reverse("rater:section", args=[token, 1])
    client.post(url, section_post(questionnaire.section(1), "5", go="stay"))
    answers = rater.response.answers.all()
    assert answers.count() == len(questionnaire.section(1).items) + len(
        questionnaire.section(2).items
    )
    assert answers.filter(score=5).count() == len(questionnaire.section(1).items)
    assert answers.filter(score=2).count() == len(questionnaire.section(2).items)
