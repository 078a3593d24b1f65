"""A rater's section page is filled from a copy rendered once per process and page shape: it
must be the very page the template renders, every value of this rater escaped the same way."""

import re

import pytest
from django.urls import reverse

from assessments.answering.questionnaire import build_questionnaire
from assessments.answering.tokens import issue_token
from assessments.answering.views import fragments
from tests.assessments.helpers import section_post
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _rater(name, cycle_name, language):
    person = UserFactory(full_name=name)
    participant = make_participant(CycleFactory(name=cycle_name), person=person)
    rater = RaterFactory(participant=participant, language=language)
    return rater, issue_token(rater)


def _page(client, token, number):
    html = client.get(reverse("rater:section", args=[token, number])).content.decode()
    return CSRF.sub("csrf", html)  # a new masked token on every page, as before


def _full_render(client, token, number, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(fragments, "section_page", lambda *args: None)
        return _page(client, token, number)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_filled_copy_is_the_rendered_page(client, compass, monkeypatch, language):
    first, first_token = _rater("Amina Yusuf", "Cohort A", language)
    _page(client, first_token, 2)  # makes the copy with the first rater's page
    rater, token = _rater('<b>Zoë</b> & "O\'Neil"', 'R&D <cohort> "2026"', language)
    section = build_questionnaire(rater.participant.level).section(2)
    client.post(
        reverse("rater:section", args=[token, 2]),
        section_post(section, "3", comment_strength="<script>alert('x')</script> & more"),
    )
    filled = _page(client, token, 2)
    assert filled == _full_render(client, token, 2, monkeypatch)
    assert "&lt;b&gt;Zoë&lt;/b&gt; &amp; &quot;O&#x27;Neil&quot;" in filled
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in filled
    assert "Amina Yusuf" not in filled and "Cohort A" not in filled
    assert first_token not in filled and token in filled
    assert " checked" in filled


@pytest.mark.parametrize("number", [1, 4])
def test_first_and_last_sections(client, compass, monkeypatch, number):
    count = len(build_questionnaire(make_participant().level).sections)
    number = count if number != 1 else 1
    rater, token = _rater("Sam Lee", "Cohort B", "en")
    _page(client, token, number)
    made = []
    parts = fragments._page_parts
    monkeypatch.setattr(fragments, "_page_parts", lambda *args: made.append(1) or parts(*args))
    filled = _page(client, token, number)
    assert not made  # filled from the copy the first page made
    assert filled == _full_render(client, token, number, monkeypatch)


def test_each_language_has_its_own_copy(client, compass):
    english, english_token = _rater("Sam Lee", "Cohort C", "en")
    arabic, arabic_token = _rater("Sam Lee", "Cohort C", "ar")
    assert 'lang="en" dir="ltr"' in _page(client, english_token, 1)
    assert 'lang="ar" dir="rtl"' in _page(client, arabic_token, 1)
    assert 'lang="en" dir="ltr"' in _page(client, english_token, 1)


def test_the_same_headers(client, compass, monkeypatch):
    rater, token = _rater("Sam Lee", "Cohort D", "en")
    page = reverse("rater:section", args=[token, 1])
    client.get(page)
    filled = client.get(page)
    with monkeypatch.context() as patch:
        patch.setattr(fragments, "section_page", lambda *args: None)
        rendered = client.get(page)
    assert dict(filled.headers) == dict(rendered.headers)
