"""The compass in English, French, Spanish and Arabic, and its observable items."""

import html
import json
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments.answering.questionnaire import build_questionnaire
from assessments.answering.tokens import issue_token
from compass.models import Behaviour, Direction, Enabler, Indicator, Level, Pitfall
from tests.factories import RaterFactory, level, make_participant

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
LANGUAGES = ["en", "fr", "es", "ar"]
OTHER_LANGUAGES = ["fr", "es", "ar"]
TRANSLATED = {
    Level: ["name", "summary", "description"],
    Enabler: ["name", "description"],
    Direction: ["name", "description"],
    Behaviour: ["text"],
    Indicator: ["text", "rater_item", "self_item"],
    Pitfall: ["title", "description"],
}
COMPASS_PAGES = [
    ("compass:matrix", []),
    ("compass:enabler", ["2024", "partnerships"]),
    ("compass:enabler", ["2024", "internal-systems"]),
    ("compass:level", ["2024", "directors"]),
    ("compass:level", ["2024", "heads-of-teams"]),
    ("compass:cell", ["2024", "chiefs-of-mission", "workforce"]),
    ("compass:cell", ["2024", "all-leaders", "communication"]),
]


def _snapshot():
    return {model: sorted(model.objects.values_list()) for model in TRANSLATED}


def _visible_text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _english_sentences():
    """Every English sentence of the compass that a page may show: texts, items, pitfalls."""
    sentences = set()
    for model, fields in TRANSLATED.items():
        for row in model.objects.values(*[f"{name}_en" for name in fields]):
            for text in row.values():
                for paragraph in (text or "").split("\n\n"):
                    sentences.update(s for s in re.split(r"(?<=\.) ", paragraph) if s)
    # Names and one-word titles may be the same word in two languages ("Communication").
    return {s for s in sentences if len(s.split()) >= 3}


def _in_language(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = code
    return client


def test_loading_the_compass_twice_changes_nothing_in_any_language(compass):
    before = _snapshot()
    call_command("loaddata", "compass", verbosity=0)
    after = _snapshot()
    assert after == before
    assert Indicator.objects.count() == 125
    assert Indicator.objects.filter(text_fr__isnull=False, text_ar__isnull=False).count() == 125


@pytest.mark.parametrize("model", list(TRANSLATED), ids=lambda m: m.__name__)
def test_every_compass_text_has_french_spanish_and_arabic(compass, model):
    for row in model.objects.values(
        "pk", *[f"{f}_{c}" for f in TRANSLATED[model] for c in LANGUAGES]
    ):
        for name in TRANSLATED[model]:
            english = row[f"{name}_en"]
            assert english and english.strip(), f"{model.__name__} {row['pk']} {name}_en"
            for code in OTHER_LANGUAGES:
                text = row[f"{name}_{code}"]
                assert text and text.strip(), f"{model.__name__} {row['pk']} {name}_{code}"
                if len(english.split()) >= 3:
                    assert text != english, f"{model.__name__} {row['pk']} {name}_{code} is English"


def test_arabic_texts_are_written_in_arabic_script(compass):
    for text in Indicator.objects.values_list("text_ar", "rater_item_ar", "self_item_ar"):
        for value in text:
            letters = [c for c in value if c.isalpha()]
            arabic = [c for c in letters if "\u0600" <= c <= "\u06ff"]
            assert len(arabic) > 0.9 * len(letters), value


def test_every_indicator_has_a_rater_item_and_a_self_item_in_four_languages(compass):
    for indicator in Indicator.objects.all():
        for code in LANGUAGES:
            rater = getattr(indicator, f"rater_item_{code}")
            self_ = getattr(indicator, f"self_item_{code}")
            assert rater and self_ and rater != self_, (indicator.natural_key(), code)
        assert indicator.self_item_en.startswith(("I ", "After ")), indicator.self_item_en
        assert indicator.self_item_es != indicator.rater_item_es


def test_reading_a_compass_text_follows_the_active_language_with_english_fallback(compass):
    directors = level("directors")
    assert directors.name == "Directors"
    with translation.override("fr"):
        assert level("directors").name == "Directeurs et directrices"
        assert Enabler.objects.get(slug="partnerships").name == "Partenariats"
    with translation.override("es"):
        assert level("chiefs-of-mission").name == "Jefes/as de Misión y Jefes/as de Oficina"
    with translation.override("ar"):
        assert level("chiefs-of-mission").name == "رؤساء البعثات ورؤساء المكاتب"
        Level.objects.filter(slug="directors").update(name_ar=None)
        assert level("directors").name == "Directors"


def test_items_reword_the_sentences_that_are_no_observable_behaviour(compass):
    with open(FIXTURES / "translations" / "en.json", encoding="utf-8") as handle:
        reworded = json.load(handle)["not_observable"]
    assert len(reworded) >= 3
    for key, words in reworded.items():
        level_slug, enabler_slug, position = key.split("/")
        indicator = Indicator.objects.get_by_natural_key(
            "2024", level_slug, enabler_slug, int(position)
        )
        assert words in indicator.text_en
        for item in (indicator.rater_item_en, indicator.self_item_en):
            assert words.lower() not in item.lower()
        for code in LANGUAGES:
            text = getattr(indicator, f"text_{code}")
            assert getattr(indicator, f"rater_item_{code}") != text
            assert getattr(indicator, f"self_item_{code}") != text
    examples = {
        "all-leaders/data-evidence/1": "Leadership in this area requires a commitment to",
        "all-leaders/communication/2": "From time to time this may also include",
        "directors/workforce/3": "This leadership level is key in nurturing future leaders",
    }
    for key, words in examples.items():
        assert key in reworded
        level_slug, enabler_slug, position = key.split("/")
        indicator = Indicator.objects.get_by_natural_key(
            "2024", level_slug, enabler_slug, int(position)
        )
        assert indicator.text.startswith(words)
        assert not indicator.rater_item.startswith(words[:20])


def test_the_fixture_is_built_from_the_translation_sources():
    sys.path.insert(0, str(FIXTURES))
    try:
        import build_compass
    finally:
        sys.path.remove(str(FIXTURES))
    files = build_compass.outputs()
    stale = [p.name for p, text in files.items() if p.read_text(encoding="utf-8") != text]
    assert stale == [], "run: python fixtures/build_compass.py"


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
@pytest.mark.parametrize(("name", "args"), COMPASS_PAGES)
def test_compass_pages_show_no_english_compass_sentence(
    client, compass, code, name, args, outsider
):
    english = _english_sentences()
    client.force_login(outsider)
    page = _visible_text(_in_language(client, code).get(reverse(name, args=args)))
    assert [s for s in english if s in page] == []
    shown_level = args[1] if name == "compass:cell" else "all-leaders"
    with translation.override(code):
        assert Level.objects.get(slug=shown_level).name in page


def test_the_compass_pages_read_the_active_language_in_the_same_number_of_queries(
    client, compass, outsider
):
    client.force_login(outsider)
    counts = {}
    for code in LANGUAGES:
        with CaptureQueriesContext(connection) as queries:
            response = _in_language(client, code).get(
                reverse("compass:enabler", args=["2024", "funding"])
            )
        assert response.status_code == 200
        counts[code] = len(queries)
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_raters_answer_the_whole_questionnaire_without_an_english_compass_sentence(
    client, compass, code
):
    participant = make_participant(level_slug="chiefs-of-mission")
    token = issue_token(RaterFactory(participant=participant))
    english = _english_sentences()
    _in_language(client, code)
    with translation.override(code):
        questionnaire = build_questionnaire(participant.level)
    for section in questionnaire.sections:
        page = _visible_text(client.get(reverse("rater:section", args=[token, section.number])))
        assert [s for s in english if s in page] == []
        for item in section.general_items + section.level_items:
            assert item.text in page  # the rater item in the reader's language
            assert item.context in page  # the compass sentence beside it
            assert item.self_text not in page
        for item in section.pitfall_items:
            assert item.title in page and item.text in page


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_the_self_assessment_rates_first_person_items_in_the_leaders_language(
    client, compass, code
):
    participant = make_participant(level_slug="heads-of-teams")
    client.force_login(participant.person)
    _in_language(client, code)
    english = _english_sentences()
    with translation.override(code):
        section = build_questionnaire(participant.level).sections[0]
    page = _visible_text(
        client.get(reverse("my360:self_section", args=[participant.pk, section.number]))
    )
    assert [s for s in english if s in page] == []
    for item in section.general_items + section.level_items:
        assert item.self_text in page
        assert item.text not in page
