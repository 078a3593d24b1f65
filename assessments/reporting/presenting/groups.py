"""The team report (supervisor) and the cohort report (HR) as display values: heatmaps of
three tables, legends, response rates and pitfalls, so the templates only loop and test.

The numbers arrive already under the participant rule (PRODUCT §5.5): a suppressed cell carries
no mean at all. This module only decides how a cell reads ("suppressed", "too few answers", a
number) and which colour band a shown number falls in (``numbers``). Never show
``Score.participants`` of a cell: for a suppressed cell it is the small count that suppression
hides.
"""

from django.utils.translation import gettext as _

from assessments.plans import action_plans
from assessments.reporting.presenting import insight as insight_views
from assessments.reporting.presenting import numbers

MEASURES = ("others", "self", "gap")  # the three tables of a heatmap

SUPPRESSED = {"state": "suppressed"}
TOO_FEW = {"state": "too_few"}
NONE = {"state": "none"}


def team_context(cycle, report):
    """A supervisor's team page in ``cycle`` (``report``: ``group_reports.team_report``)."""
    k = cycle.anonymity_threshold
    context = {
        "cycle": cycle,
        "k": k,
        "size": report.size,
        "shown": report.shown,
        "shared": [
            {"name": p.person.get_full_name(), "level": p.level.name, "pk": p.pk}
            for p in report.shared
        ],
    }
    if report.shown:
        for name, breakdown, heatmap_id in (
            ("heatmap", report.levels, "team"),
            ("grl_heatmap", report.grl_levels, "team-grl"),
        ):
            if breakdown is not None:
                context[name] = heatmap(
                    breakdown,
                    heatmap_id=heatmap_id,
                    dimension=_("Level"),
                    total_label=_("Whole team"),
                    total_size=report.size,
                )
        context.update(_legends())
        context["insight"] = insight_views.team_insight(report)
    return context


def cohort_context(cycle, report):
    """The cohort page (a fixed number of queries whatever the number of participants)."""
    context = {
        "cycle": cycle,
        "k": cycle.anonymity_threshold,
        "participants": report.participants,
        "rates": _rates(report.response_rates),
        "levels": heatmap(
            report.levels,
            heatmap_id="levels",
            dimension=_("Level"),
            total_label=_("All levels"),
            total_size=report.participants,
        ),
        # No total row: the cohort's total is the levels' one. (The org units' total leaves out
        # participants without an org unit, and its difference from the cohort's would isolate
        # them.)
        "org_units": heatmap(report.org_units, heatmap_id="org-units", dimension=_("Org unit")),
        "genders": heatmap(report.genders, heatmap_id="genders", dimension=_("Gender")),
        "grl_levels": report.grl_levels
        and heatmap(
            report.grl_levels,
            heatmap_id="grl-levels",
            dimension=_("Level"),
            total_label=_("All levels"),
            total_size=report.participants,
        ),
        "grl_genders": report.grl_genders
        and heatmap(report.grl_genders, heatmap_id="grl-genders", dimension=_("Gender")),
        "pitfalls": _pitfalls(report.pitfalls),
        "pitfall_flag": numbers.flag_text(),
        "plans": action_plans.plan_counts(cycle),
    }
    context.update(_legends())
    context["insight"] = insight_views.cohort_insight(report)
    return context


def _mean_cell(score, hidden):
    if hidden or score.reason == "suppressed":
        return SUPPRESSED
    if score.shown:
        return {
            "state": "shown",
            "text": numbers.score(score.mean),
            "band": f"mean-{numbers.band(score.mean, numbers.MEAN_BANDS)}",
        }
    return TOO_FEW if score.reason == "too_few" else NONE


def _gap_cell(heat, hidden):
    if hidden:
        return SUPPRESSED
    gap = heat.gap
    if gap is None:
        if "suppressed" in (heat.others.reason, heat.self.reason):
            return SUPPRESSED
        either_too_few = "too_few" in (heat.others.reason, heat.self.reason)
        return TOO_FEW if either_too_few else NONE
    band = numbers.band(gap, numbers.GAP_BANDS)
    return {"state": "shown", "text": numbers.signed(gap), "band": f"gap-{band}"}


def _cells(heat, hidden):
    return {
        "others": _mean_cell(heat.others, hidden),
        "self": _mean_cell(heat.self, hidden),
        "gap": _gap_cell(heat, hidden),
    }


def heatmap(breakdown, *, heatmap_id, dimension, total_label=None, total_size=None):
    """One breakdown as three tables (all except self, self, gap): a row per cell of the
    breakdown (a level, an org unit…), a column per enabler, and a total row if asked for.

    Empty cells (no participants) are left out; they reveal nothing and only widen the page.
    """
    lines = _lines(breakdown, total_label, total_size)
    by_line = [
        [
            _cells(everyone if line.get("total") else heats[line["key"]], line["hidden"])
            for _enabler, heats, everyone in breakdown.rows
        ]
        for line in lines
    ]
    return {
        "id": heatmap_id,
        "dimension": dimension,
        "enablers": [enabler.name for enabler, _heats, _everyone in breakdown.rows],
        "tables": [_table(heatmap_id, measure, lines, by_line) for measure in MEASURES],
        "has_lines": any(not line.get("total") for line in lines),
        "has_suppressed": any(line["hidden"] for line in lines),
    }


def _lines(breakdown, total_label, total_size):
    lines = [
        {"label": label, "size": size, "hidden": key in breakdown.suppressed, "key": key}
        for key, label, size in breakdown.cells
        if size != 0
    ]
    if total_label is not None:
        lines.append(
            {
                "label": total_label,
                "size": total_size if breakdown.total_shown else None,
                "hidden": not breakdown.total_shown,
                "key": None,
                "total": True,
            }
        )
    return lines


def _table(heatmap_id, measure, lines, by_line):
    captions = {
        "others": _("All raters except self: mean per enabler, 1 to 5"),
        "self": _("Self-assessment: mean per enabler, 1 to 5"),
        "gap": _("Gap: self minus all raters except self"),
    }
    return {
        "id": f"{heatmap_id}-{measure}",
        "caption": captions[measure],
        "legend": "gap" if measure == "gap" else "mean",
        "rows": [
            {
                "label": line["label"],
                "size": line["size"],
                "hidden": line["hidden"],
                "total": line.get("total", False),
                "cells": [cells[measure] for cells in row_cells],
            }
            for line, row_cells in zip(lines, by_line, strict=True)
        ],
    }


def _legends():
    f, signed = numbers.score, numbers.signed
    mean = [
        _("below %(v)s") % {"v": f(2.5)},
        _("%(a)s to %(b)s") % {"a": f(2.5), "b": f(2.9)},
        _("%(a)s to %(b)s") % {"a": f(3.0), "b": f(3.4)},
        _("%(a)s to %(b)s") % {"a": f(3.5), "b": f(3.9)},
        _("%(v)s and above") % {"v": f(4.0)},
    ]
    gap = [
        _("%(v)s or lower: others rate higher than self") % {"v": signed(-1.0)},
        _("%(a)s to %(b)s") % {"a": signed(-0.9), "b": signed(-0.5)},
        _("%(a)s to %(b)s") % {"a": signed(-0.4), "b": signed(0.4)},
        _("%(a)s to %(b)s") % {"a": signed(0.5), "b": signed(0.9)},
        _("%(v)s or higher: self rates higher than others") % {"v": signed(1.0)},
    ]
    return {
        "mean_legend": [{"band": f"mean-{i}", "label": t} for i, t in enumerate(mean, 1)],
        "gap_legend": [{"band": f"gap-{i}", "label": t} for i, t in enumerate(gap, 1)],
    }


def _rates(rates):
    labels = {"self": _("Self-assessments"), "raters": _("Raters (all except self)")}
    return [
        {
            "label": labels[key],
            "submitted": rates[key]["submitted"],
            "invited": rates[key]["invited"],
            "rate": numbers.percent(rates[key]["rate"]),
        }
        for key in ("self", "raters")
    ]


def _pitfalls(levels):
    return [
        {
            "level": level.name,
            "pitfalls": [
                {
                    "title": pitfall.title,
                    "enabler": pitfall.enabler.name,
                    "others": numbers.score(score.mean),
                    "flagged": numbers.flagged(score.mean),
                }
                for pitfall, score in ranked
            ],
        }
        for level, ranked in levels
    ]
