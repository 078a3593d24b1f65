"""The gender-responsive leadership section's framework (issue 19), as kept in fixtures/."""

import json
import subprocess
import sys
from pathlib import Path

from compass.models import GRL_EDITION, is_compass_edition

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SOURCE = json.loads((FIXTURES / "grl" / "texts.json").read_text(encoding="utf-8"))
LANGUAGES = ("en", "fr", "es", "ar")
SEED_SKILLS = [
    "Lead by example",
    "Set priorities and targets",
    "Communicate clearly and convincingly",
    "Manage staff, resources and activities",
    "Hold self and others to account",
]


def test_the_fixture_is_built_from_its_texts():
    check = subprocess.run(
        [sys.executable, str(FIXTURES / "build_grl.py"), "--check"], capture_output=True
    )
    assert check.returncode == 0, check.stdout.decode()


def test_five_core_skills_of_the_seed_with_two_or_three_items_each():
    assert SOURCE["edition"] == GRL_EDITION
    assert [skill["name"]["en"] for skill in SOURCE["skills"]] == SEED_SKILLS
    assert all(2 <= len(skill["items"]) <= 3 for skill in SOURCE["skills"])


def test_every_text_is_in_four_languages_and_translated_not_copied():
    texts = [SOURCE["framework"], SOURCE["level"]["summary"]]
    for skill in SOURCE["skills"]:
        texts += [skill["name"], skill["description"]]
        for item in skill["items"]:
            texts += [item["text"], item["rater"], item["self"]]
    for text in texts:
        assert set(text) == set(LANGUAGES), text["en"]
        for code in ("fr", "es", "ar"):
            assert text[code].strip() and text[code] != text["en"], (code, text["en"])


def test_items_are_observable_third_person_for_raters_and_first_person_for_the_leader():
    for skill in SOURCE["skills"]:
        for item in skill["items"]:
            rater, self_item = item["rater"]["en"], item["self"]["en"]
            assert self_item.startswith("I "), self_item
            assert not rater.startswith("I ") and rater.split()[0].endswith("s"), rater
            for code in ("fr", "es", "ar"):
                assert item["rater"][code] != item["self"][code], (code, rater)


def test_the_section_is_not_a_compass_edition():
    assert not is_compass_edition(GRL_EDITION)
    assert is_compass_edition("2024")
