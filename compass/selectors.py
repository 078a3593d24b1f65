"""Reads of the compass that pages share, each in a fixed number of queries."""

from django.db.models import Count, Prefetch
from django.http import Http404

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


def enabler_growth(edition, slug):
    """One enabler from All leaders up to the Executive Office, with each level's pitfalls."""
    try:
        enabler = Enabler.objects.get(edition=edition, slug=slug)
    except Enabler.DoesNotExist:
        raise Http404("No such enabler.") from None
    behaviours = _behaviours(edition).filter(enabler=enabler).order_by("level__position")
    pitfalls = _pitfalls_by_cell(Pitfall.objects.filter(enabler=enabler))
    steps = [(b, pitfalls.get((b.level_id, enabler.pk), [])) for b in behaviours]
    return {
        "edition": edition,
        "enabler": enabler,
        "steps": steps,
        "enablers": Enabler.objects.filter(edition=edition),
    }


def level_profile(edition, slug):
    """Everything expected at one level, enabler by enabler, with its pitfalls."""
    try:
        level = Level.objects.get(edition=edition, slug=slug)
    except Level.DoesNotExist:
        raise Http404("No such level.") from None
    behaviours = _behaviours(edition).filter(level=level).order_by("enabler__position")
    pitfalls = _pitfalls_by_cell(Pitfall.objects.filter(level=level))
    sections = [(b, pitfalls.get((level.pk, b.enabler_id), [])) for b in behaviours]
    return {
        "edition": edition,
        "level": level,
        "sections": sections,
        "levels": Level.objects.filter(edition=edition),
    }


def compass_cell(edition, level_slug, enabler_slug):
    """One level × enabler: the behaviour, its indicators, its pitfalls."""
    try:
        behaviour = _behaviours(edition).get(level__slug=level_slug, enabler__slug=enabler_slug)
    except Behaviour.DoesNotExist:
        raise Http404("No such cell.") from None
    pitfalls = Pitfall.objects.filter(level=behaviour.level, enabler=behaviour.enabler)
    return {"edition": edition, "behaviour": behaviour, "pitfalls": pitfalls}
