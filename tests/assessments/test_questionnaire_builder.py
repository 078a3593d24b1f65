import pytest

from assessments.answering.questionnaire import build_questionnaire
from compass.models import Indicator, Pitfall
from tests.factories import level

pytestmark = pytest.mark.django_db


def test_questionnaire_has_one_section_per_enabler_in_compass_order(compass):
    questionnaire = build_questionnaire(level("directors"))
    names = [section.enabler.name for section in questionnaire.sections]
    assert names[0] == "Workforce"
    assert names[-1] == "Internal Systems"
    assert [s.number for s in questionnaire.sections] == [1, 2, 3, 4, 5, 6, 7]


def test_each_section_holds_all_leaders_and_level_indicators_and_three_pitfalls(compass):
    directors = level("directors")
    questionnaire = build_questionnaire(directors)
    for section in questionnaire.sections:
        general = Indicator.objects.filter(
            behaviour__level__slug="all-leaders", behaviour__enabler=section.enabler
        )
        own = Indicator.objects.filter(
            behaviour__level=directors, behaviour__enabler=section.enabler
        )
        # Raters rate each indicator's observable item, with the compass sentence as context.
        assert [(i.text, i.self_text, i.context) for i in section.general_items] == [
            (i.rater_item, i.self_item, i.text) for i in general.order_by("position")
        ]
        assert [(i.text, i.self_text, i.context) for i in section.level_items] == [
            (i.rater_item, i.self_item, i.text) for i in own.order_by("position")
        ]
        assert [i.title for i in section.pitfall_items] == list(
            Pitfall.objects.filter(level=directors, enabler=section.enabler)
            .order_by("position")
            .values_list("title", flat=True)
        )
        assert all(item.is_pitfall for item in section.pitfall_items)


def test_levels_get_different_items_but_share_all_leaders(compass):
    heads = build_questionnaire(level("heads-of-teams"))
    executives = build_questionnaire(level("executive-office"))
    assert heads.sections[0].general_items == executives.sections[0].general_items
    assert heads.sections[0].level_items != executives.sections[0].level_items
    assert len(set(heads.item_keys)) == len(heads.item_keys)


def test_all_leaders_level_has_no_pitfalls(compass):
    questionnaire = build_questionnaire(level("all-leaders"))
    assert all(not section.pitfall_items for section in questionnaire.sections)
    assert all(not section.level_items for section in questionnaire.sections)


@pytest.mark.parametrize("slug", ["heads-of-teams", "executive-office"])
def test_building_takes_three_queries_whatever_the_level(compass, django_assert_num_queries, slug):
    lvl = level(slug)
    with django_assert_num_queries(3):
        build_questionnaire(lvl)
