"""Issue 18 on the page: the insight section of the individual report and its five-minute
summary (a page of its own, and the first page of the print view and of the PDF).

Display strings only: ``report_insight`` reads, ``insight`` decides, the anonymity rule decided
every number before either.
"""

from django.utils.translation import gettext as _

from assessments.reporting import group_insight, insight, report_insight
from assessments.reporting.presenting import individual as report_views
from assessments.reporting.presenting import numbers
from compass.models import Direction

STRONGEST = 2  # enablers named as strongest, and as weakest, on the summary
LARGEST_GAPS = 3


def printable(report, *, viewer):
    """The print view's content, which the PDF is too: the five-minute summary first, then the
    whole report with its insight and the change since the previous 360."""
    context = report_views.present(report, viewer=viewer)
    context.update(present_insight(report, context))
    context.update(report_views.since_previous(report, viewer=viewer))
    context["details_url"] = ""  # the summary's links point into this same document
    return context


def present_insight(report, context):
    """The insight of ``report`` as display values; marks the indicator lines of ``context``'s
    sections with their norm band and disagreement flag. One query (the leaders of a norm), or
    three when the norm is worked out (their rater counts and their item tallies), and one more
    the first time a process reads the compass directions in a language."""
    others_label = _("All except self")
    data = report_insight.build(report, others_label=others_label)
    directions = compass_directions(report.questionnaire, report.participant.cycle.edition)
    rows = [_enabler_row(report, entry, directions) for entry in data.enablers]
    by_slug = {row["slug"]: row for row in rows}
    for section in context["sections"]:
        row = by_slug[section["enabler"].slug]
        notes = [{"what": _("Enabler score"), "band": row["band"], "differ": row["differ"]}]
        for group in section["indicator_groups"]:
            for line in group["lines"]:
                band = data.item_bands.get(line["key"])
                notes.append(
                    {
                        "what": line["text"],
                        "band": str(insight.BAND_LABELS[band]) if band else "",
                        "differ": ", ".join(data.item_differ.get(line["key"], [])),
                    }
                )
        section["notes"] = [note for note in notes if note["band"] or note["differ"]]
    found = {row["agreement_key"] for row in rows}
    categories = [key for key in insight.AGREEMENT_LABELS if key in found]
    return {
        "insight": {
            "rows": rows,
            "has_ladder": any(row["ladder"] for row in rows),
            "next_level": report.next_level,
            "norm_leaders": data.norm_leaders,
            "norm_min": insight.norm_min_leaders(),
            "explanations": [
                (str(insight.AGREEMENT_LABELS[key]), str(insight.AGREEMENT_EXPLANATIONS[key]))
                for key in categories
            ],
            "advice": [row for row in rows if row["advice"]],
        },
        "summary": _summary(report, rows, data.suggestions),
    }


def compass_directions(questionnaire, edition):
    """The compass directions' names by slug in the active language, read once per process
    and language: kept with the process's shared ``questionnaire`` (in its ``fragments``),
    which is built anew when the compass changes."""
    key = ("directions", edition)
    names = questionnaire.fragments.get(key)
    if names is None:
        directions = Direction.objects.filter(edition=edition)
        names = questionnaire.fragments[key] = {d.slug: d.name for d in directions}
    return names


def _enabler_row(report, entry, directions):
    section = entry.section
    enabler = section.enabler
    level = report.participant.level
    rung_names = {
        "general": _("All leaders"),
        "own": level.name,
        "next": report.next_level.name if report.next_level else "",
    }
    placement = entry.placement
    ladder = [
        {
            "label": rung_names[key],
            "cell": report_views.cell(value),
            "reached": placement is not None
            and placement.rung is not None
            and index <= placement.rung,
        }
        for index, (key, value) in enumerate(entry.ladder)
    ]
    return {
        "enabler": enabler.name,
        "slug": enabler.slug,
        "is_grl": section.is_grl,
        "anchor": f"{'grl' if section.is_grl else 'enabler'}-{enabler.slug}",
        "others": report_views.cell(section.row.others),
        # as printed (one decimal): the summary ranks and subtracts no finer than it shows
        "others_shown": insight.shown(section.row.others),
        "position": enabler.position,
        "self": report_views.cell(section.row.self_cell),
        "gap": (
            insight.shown(section.row.self_cell) - insight.shown(section.row.others)
            if section.gap is not None
            else None
        ),
        "agreement_key": entry.agreement or "",
        "agreement": str(insight.AGREEMENT_LABELS[entry.agreement]) if entry.agreement else "",
        "band": str(insight.BAND_LABELS[entry.band]) if entry.band else "",
        "differ": ", ".join(entry.differ),
        "ladder": ladder,
        "placement": _placement_text(placement, [r["label"] for r in ladder]),
        "next_reached": bool(
            placement and placement.rung is not None and placement.rung == len(ladder) - 1
        ),
        "advice": _advice_text(enabler, entry.advice, directions),
    }


def _placement_text(placement, names):
    if placement is None:
        return ""
    if placement.rung is None:
        if placement.stopped_at_hidden == 0:
            return _("not judged: too few answers on the All leaders behaviours")
        return _("not yet “regularly” on the All leaders behaviours")
    text = names[placement.rung]
    if placement.stopped_at_hidden is not None:
        return _("%(level)s (the next rung has too few answers to judge)") % {"level": text}
    return text


def _advice_text(enabler, advice, directions):
    if advice is None:
        return ""
    names = [str(directions.get(slug, slug)) for slug in advice.directions]
    return _(
        "%(enabler)s: %(group)s answered “not observed” most often (%(share)s%%). Next time, "
        "open the relationship “%(direction)s” to more people: ask those who see this part of "
        "your work, or show these raters where it happens."
    ) % {
        "enabler": enabler.name,
        "group": advice.label,
        "share": numbers.percent_number(advice.share),
        "direction": " / ".join(names),
    }


def _summary(report, rows, suggestions):
    """The five-minute read: strongest and weakest enablers as others see them, the largest
    gaps, placement, and the action plan's three suggestions. The compass's enablers only: the
    gender-responsive skills are never ranked among them."""
    rows = [r for r in rows if not r["is_grl"]]
    shown = [r for r in rows if r["others_shown"] is not None]
    ranked = sorted(shown, key=lambda r: (-r["others_shown"], r["position"]))
    half = min(STRONGEST, len(ranked) // 2)
    strongest = ranked[:half]
    # the weakest are below every strongest one as printed: a tie is neither
    floor = strongest[-1]["others_shown"] if strongest else None
    weakest = (
        [r for r in reversed(ranked[half:]) if r["others_shown"] < floor][:half]
        if strongest
        else []
    )
    gaps = sorted(
        (r for r in rows if r["gap"]),
        key=lambda r: (-abs(r["gap"]), r["position"]),
    )[:LARGEST_GAPS]
    by_slug = {r["slug"]: r for r in rows}
    return {
        "strongest": strongest,
        "weakest": weakest,
        "gaps": [{**r, "signed_gap": numbers.signed(r["gap"])} for r in gaps],
        "placements": [r for r in rows if r["ladder"]],
        "suggestions": [
            {
                "enabler": s.enabler.name,
                "anchor": by_slug[s.enabler.slug]["anchor"],
                "reasons": "; ".join(str(reason) for reason in s.reasons),
            }
            for s in suggestions
        ],
    }


# --- team and cohort -----------------------------------------------------------------------


def _count_text(value):
    return str(value) if value is not None else _("hidden")


def _next_row(enabler, counts):
    shown = counts.shown
    return {
        "enabler": enabler.name,
        "reached": _count_text(counts.counts.get(group_insight.REACHED) if shown else None),
        "judged": _count_text(counts.judged if shown else None),
    }


def _agreement_row(enabler, counts):
    shown = counts.shown
    return {
        "enabler": enabler.name,
        "cells": [
            _count_text(counts.counts.get(c) if shown else None) for c in group_insight.CATEGORIES
        ],
        "judged": _count_text(counts.judged if shown else None),
    }


def team_insight(report):
    """How many team members show next-level behaviours, per enabler, as ``report``
    (``group_reports.team_report``) counted them under the participant rule for counts."""
    if report.next_level is None:
        return {"next_level": None}
    enablers = [enabler for enabler, _heats, _all in report.levels.rows]
    rows = [
        _next_row(enabler, report.next_level[enabler.pk])
        for enabler in enablers
        if report.next_level[enabler.pk].reason != "none"
    ]
    return {"next_level": rows}


def cohort_insight(report):
    """Next-level behaviours per level, and self–other agreement per level and by gender, as
    ``report`` (``group_reports.cohort_report``) counted them: the page shows the same counts
    as the exports."""
    counts = report.insight
    enablers = [enabler for enabler, _heats, _all in report.levels.rows]

    def blocks(table, dimension, row_of):
        return [
            {
                "label": label,
                "rows": None if rows is None else [row_of(e, c) for e, c in rows],
            }
            for label, rows in group_insight.cohort_blocks(counts, table, dimension, enablers)
        ]

    agreement, next_level = group_insight.AGREEMENT, group_insight.NEXT_LEVEL
    level, gender = group_insight.LEVEL, group_insight.GENDER
    return {
        "categories": [str(insight.AGREEMENT_LABELS[c]) for c in group_insight.CATEGORIES],
        "next_level": blocks(next_level, level, _next_row)
        if counts.next_level is not None
        else None,
        "agreement_levels": blocks(agreement, level, _agreement_row),
        "agreement_genders": blocks(agreement, gender, _agreement_row),
    }
