"""The compass's texts in every language of ``settings.LANGUAGES`` (django-modeltranslation).

Each registered field gets a column per language (``name_en``, ``name_fr``, ``name_es``,
``name_ar``); reading ``level.name`` returns the text in the active language
(``django.utils.translation.get_language()``), and English where a translation is missing.
The columns live on the same rows, so no page needs a query more than in English.
``fixtures/compass.json`` fills every language.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Behaviour, Direction, Enabler, Indicator, Level, Pitfall


@register(Level)
class LevelTranslation(TranslationOptions):
    fields = ("name", "summary", "description")


@register(Enabler)
class EnablerTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Direction)
class DirectionTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Behaviour)
class BehaviourTranslation(TranslationOptions):
    fields = ("text",)


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("text", "rater_item", "self_item")


@register(Pitfall)
class PitfallTranslation(TranslationOptions):
    fields = ("title", "description")
