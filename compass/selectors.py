"""Reads of the compass that pages share, each in a fixed number of queries."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import (
    CURRENT_EDITION,
    GRL_EDITION_PREFIX,
    Behaviour,
    Enabler,
    Indicator,
    Level,
    Pitfall,
)


def latest_edition():
    """The newest edition of the compass (the gender-responsive section's editions aside)."""
    edition = (
        Level.objects.exclude(edition__startswith=GRL_EDITION_PREFIX)
        .order_by("-edition")
        .values_list("edition", flat=True)
        .first()
    )
    return edition or CURRENT_EDITION


def _behaviours(edition):
    return (
        Behaviour.objects.filter(edition=edition)
        .select_related("level", "enabler")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("position")))
    )


def compass_matrix(edition):
    """Levels as rows, enablers as columns, each cell its behaviour (3 queries)."""
    levels = list(Level.objects.filter(edition=edition))
    if not levels:
        raise Http404("No compass of that edition.")
    enablers = list(Enabler.objects.filter(edition=edition))
    behaviours = (
        Behaviour.objects.filter(edition=edition)
        .select_related("level", "enabler")
        .annotate(indicator_count=Count("indicators"))
    )
    cells = {(b.level_id, b.enabler_id): b for b in behaviours}
    rows = [(level, [cells.get((level.pk, e.pk)) for e in enablers]) for level in levels]
    return {"edition": edition, "levels": levels, "enablers": enablers, "rows": rows}


def _pitfalls_by_cell(pitfalls):
    grouped = {}
    for pitfall in pitfalls:
        grouped.setdefault((pitfall.level_id, pitfall.enabler_id), []).append(pitfall)
    return grouped


def _line(edition, model, slug, order_by):
    """One level or one enabler of the compass: its behaviours in order, each with the pitfalls
    of its cell, and the other entries of its kind for the page's navigation."""
    entry = get_object_or_404(model, edition=edition, slug=slug)
    on_line = {model._meta.model_name: entry}
    behaviours = _behaviours(edition).filter(**on_line).order_by(order_by)
    pitfalls = _pitfalls_by_cell(Pitfall.objects.filter(**on_line))
    cells = [(b, pitfalls.get((b.level_id, b.enabler_id), [])) for b in behaviours]
    return entry, cells, model.objects.filter(edition=edition)


def enabler_growth(edition, slug):
    """One enabler from All leaders up to the Executive Office, with each level's pitfalls."""
    enabler, steps, enablers = _line(edition, Enabler, slug, "level__position")
    return {"edition": edition, "enabler": enabler, "steps": steps, "enablers": enablers}


def level_profile(edition, slug):
    """Everything expected at one level, enabler by enabler, with its pitfalls."""
    level, sections, levels = _line(edition, Level, slug, "enabler__position")
    return {"edition": edition, "level": level, "sections": sections, "levels": levels}


def compass_cell(edition, level_slug, enabler_slug):
    """One level × enabler: the behaviour, its indicators, its pitfalls."""
    behaviour = get_object_or_404(
        _behaviours(edition), level__slug=level_slug, enabler__slug=enabler_slug
    )
    pitfalls = Pitfall.objects.filter(level=behaviour.level, enabler=behaviour.enabler)
    return {"edition": edition, "behaviour": behaviour, "pitfalls": pitfalls}
