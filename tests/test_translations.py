"""The catalogues in locale/: complete, not fuzzy, in step with the code, and used.

A message that is untranslated or fuzzy in French, Spanish or Arabic fails here, and so does a
catalogue that misses a string of the code or keeps one the code no longer has: refresh them with
``make messages`` and translate what it brings in.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["fr", "es", "ar"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%\([a-z_]+\)\.\d+f|\{\{?\s*[a-z_.]+\s*\}?\}")


def catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def live(po):
    return [entry for entry in po if not entry.obsolete]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)
    untranslated = [e.msgid for e in live(po) if not e.translated()]
    fuzzy = [e.msgid for e in live(po) if "fuzzy" in e.flags]
    assert len(live(po)) > 900
    assert untranslated == [], f"{language}: untranslated"
    assert fuzzy == [], f"{language}: fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder_and_are_not_copies(language):
    po = catalogue(language)
    wrong, copies = [], []
    for entry in live(po):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry.msgid, text))
        # A sentence left in English is a copy, not a translation (a lone word such as
        # "Menu", "Action" or "Conversation" may be the same in French or Spanish).
        if language == "ar" or len(entry.msgid.split()) > 2:
            copies += [entry.msgid for text in translations if text == entry.msgid]
    assert wrong == [], f"{language}: placeholders differ"
    assert copies == [], f"{language}: left in English"


def _msgids(po):
    return {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in live(po)}


def _makemessages_flags():
    """The flags ``make messages`` uses: one place (the Makefile) says them."""
    text = (ROOT / "Makefile").read_text()
    block = re.search(r"^MESSAGES_FLAGS := (.*?)(?<!\\)\n", text, re.S | re.M).group(1)
    return [flag.strip("'") for flag in block.replace("\\\n", " ").split()]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make gettext)")
def test_the_catalogues_are_in_step_with_the_code(tmp_path):
    """Run makemessages over a copy of the code and compare its msgids with the catalogues'."""
    copy = tmp_path / "project"
    skip = shutil.ignore_patterns(
        ".*",
        "__pycache__",
        "locale",
        "tests",
        "static",
        "staticfiles",
        "bench",
        "screenshots",
        "*.sqlite3",
        "node_modules",
        "test-artifacts",
    )
    shutil.copytree(ROOT, copy, ignore=skip)
    (copy / "locale").mkdir()
    command = [sys.executable, "manage.py", "makemessages", "-l", "fr", *_makemessages_flags()]
    subprocess.run(command, cwd=copy, check=True, capture_output=True)
    fresh = _msgids(polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")))
    for language in LANGUAGES:
        ours = _msgids(catalogue(language))
        new = sorted(m[1] for m in fresh - ours)
        gone = sorted(m[1] for m in ours - fresh)
        assert new == [], f"{language}: strings in the code missing from the catalogue"
        assert gone == [], f"{language}: strings the code no longer has (make messages)"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Se déconnecter"), ("es", "Cerrar sesión"), ("ar", "تسجيل الخروج")],
)
def test_the_compiled_catalogues_are_what_django_reads(language, expected):
    with translation.override(language):
        assert translation.gettext("Sign out") == expected
