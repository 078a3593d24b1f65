from django.contrib import admin

from .models import Behaviour, Direction, Enabler, Indicator, Level, Pitfall


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "position", "slug"]
    list_filter = ["edition"]


@admin.register(Enabler)
class EnablerAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "position", "slug"]
    list_filter = ["edition"]


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "position", "slug"]
    list_filter = ["edition"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Behaviour)
class BehaviourAdmin(admin.ModelAdmin):
    list_display = ["__str__", "edition"]
    list_filter = ["edition", "level", "enabler"]
    list_select_related = ["level", "enabler"]
    inlines = [IndicatorInline]


@admin.register(Pitfall)
class PitfallAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "enabler", "edition"]
    list_filter = ["edition", "level", "enabler"]
    list_select_related = ["level", "enabler"]
    search_fields = ["title", "description"]
