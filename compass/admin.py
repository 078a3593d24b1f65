from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Behaviour, Direction, Enabler, Indicator, Level, Pitfall


@admin.register(Level)
class LevelAdmin(TranslationAdmin):
    list_display = ["name", "edition", "position", "slug"]
    list_filter = ["edition"]


@admin.register(Enabler)
class EnablerAdmin(TranslationAdmin):
    list_display = ["name", "edition", "position", "slug"]
    list_filter = ["edition"]


@admin.register(Direction)
class DirectionAdmin(TranslationAdmin):
    list_display = ["name", "edition", "position", "slug"]
    list_filter = ["edition"]


class IndicatorInline(TranslationTabularInline):
    model = Indicator
    extra = 0


@admin.register(Behaviour)
class BehaviourAdmin(TranslationAdmin):
    list_display = ["__str__", "edition"]
    list_filter = ["edition", "level", "enabler"]
    list_select_related = ["level", "enabler"]
    inlines = [IndicatorInline]


@admin.register(Pitfall)
class PitfallAdmin(TranslationAdmin):
    list_display = ["title", "level", "enabler", "edition"]
    list_filter = ["edition", "level", "enabler"]
    list_select_related = ["level", "enabler"]
    search_fields = ["title", "description"]
