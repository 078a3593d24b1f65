"""The complete 2024 compass as shipped in fixtures/compass.json."""

import re

import pytest
from django.core.management import call_command

from compass.models import Behaviour, Direction, Enabler, Indicator, Level, Pitfall

pytestmark = pytest.mark.django_db

ALL_MODELS = [Level, Enabler, Direction, Behaviour, Indicator, Pitfall]


def _snapshot():
    return {model: sorted(model.objects.values_list()) for model in ALL_MODELS}


def _collapse(text):
    return re.sub(r"\s+", " ", text).strip()


def test_compass_has_the_counts_of_the_2024_edition(compass):
    assert list(Level.objects.values_list("name", flat=True)) == [
        "All leaders",
        "Heads of Teams",
        "Chiefs of Mission & Heads of Office",
        "Directors",
        "Executive Office",
    ]
    assert list(Enabler.objects.values_list("name", flat=True)) == [
        "Workforce",
        "Partnerships",
        "Funding",
        "Data & Evidence",
        "Learning & Innovation",
        "Communication",
        "Internal Systems",
    ]
    assert Direction.objects.count() == 5
    assert Behaviour.objects.count() == 35
    assert Pitfall.objects.count() == 84
    for model in ALL_MODELS:
        assert set(model.objects.values_list("edition", flat=True)) == {"2024"}


def test_every_cell_has_a_behaviour_with_indicators_and_three_pitfalls_below_all_leaders(compass):
    for level in Level.objects.all():
        for enabler in Enabler.objects.all():
            behaviour = Behaviour.objects.get(level=level, enabler=enabler)
            assert behaviour.text.strip(), f"{level} × {enabler} has no text"
            assert behaviour.indicators.exists(), f"{level} × {enabler} has no indicators"
            pitfalls = Pitfall.objects.filter(level=level, enabler=enabler)
            expected = 0 if level.is_all_leaders else 3
            assert pitfalls.count() == expected, f"{level} × {enabler}"
            assert all(p.title.strip() and p.description.strip() for p in pitfalls)


def test_indicators_in_order_spell_out_their_behaviour_verbatim(compass):
    for behaviour in Behaviour.objects.prefetch_related("indicators"):
        joined = " ".join(
            i.text for i in sorted(behaviour.indicators.all(), key=lambda i: i.position)
        )
        assert _collapse(joined) == _collapse(behaviour.text), str(behaviour)


def test_texts_carry_no_pdf_glitches(compass):
    texts = list(Behaviour.objects.values_list("text", flat=True))
    texts += list(Pitfall.objects.values_list("title", flat=True))
    texts += list(Pitfall.objects.values_list("description", flat=True))
    for text in texts:
        assert "FVIDENCE" not in text
        assert "  " not in text
        assert not re.search(r"[a-z]\.[A-Z][a-z]", text), text
        assert text == text.strip()


def test_recurring_pitfall_titles_are_kept_apart_by_their_cell(compass):
    misalignments = Pitfall.objects.filter(title="Strategic Misalignment")
    assert misalignments.count() == 2
    assert len({(p.level_id, p.enabler_id) for p in misalignments}) == 2


def test_loading_the_compass_twice_changes_nothing(compass):
    before = _snapshot()
    call_command("loaddata", "compass", verbosity=0)
    assert _snapshot() == before
