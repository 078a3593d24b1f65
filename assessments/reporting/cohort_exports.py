"""The cohort report (PRODUCT §5) as CSV and XLSX, for HR's own spreadsheets.

Aggregates only, exactly what the cohort page shows: response rates, the levels × enablers
heatmap, the breakdowns by org unit and by gender, the most frequent pitfalls per level. There is
no row per rater, answer or participant, and no name or email address.

The numbers come from ``group_reports.cohort_report``, already under the participant rule: a
suppressed cell has no mean, and is written as the word "suppressed" (never as a number, not
even its participant count). Org unit names come from imported files, so every text cell goes
through ``exports.neutralise``: a spreadsheet shows ``=HYPERLINK(...)`` as text, never runs it.

Pure functions: a CohortReport in, sections of rows out; then bytes.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.reporting import xlsx
from assessments.reporting.presenting import numbers
from assessments.reporting.xlsx import Withheld
from assessments.running.exports import neutralise

SHEET_TITLE_MAX = 31  # Excel's limit


@dataclass
class Section:
    title: str
    header: list
    rows: list


def _suppressed():
    return Withheld(
        _("suppressed"),
        _(
            "Suppressed: fewer participants than the anonymity threshold, or a cell from "
            "which such a one could be worked out."
        ),
    )


def _too_few():
    return Withheld(
        _("too few answers"),
        _("Too few answers: fewer raters than the anonymity threshold answered this."),
    )


def _score(score, hidden):
    if hidden or score.reason == "suppressed":
        return _suppressed()
    if score.shown:
        return numbers.score_number(score.mean)
    return _too_few() if score.reason == "too_few" else ""


def _gap(heat, hidden):
    if hidden:
        return _suppressed()
    gap = heat.gap
    if gap is None:
        return ""
    return numbers.score_number(gap)


def _heat_row(enabler, label, size, heat, hidden):
    return [
        enabler.name,
        label,
        _suppressed() if hidden else size,
        _score(heat.others, hidden),
        _score(heat.self, hidden),
        _gap(heat, hidden),
    ]


def breakdown_rows(breakdown, *, total_label=None, total_size=None):
    """One row per enabler × cell (cells without participants left out), then a total row per
    enabler when ``total_label`` is given."""
    rows = []
    for enabler, heats, everyone in breakdown.rows:
        for key, label, size in breakdown.cells:
            if size == 0:
                continue
            hidden = key in breakdown.suppressed
            rows.append(_heat_row(enabler, label, size, heats[key], hidden))
        if total_label is not None:
            hidden = not breakdown.total_shown
            rows.append(_heat_row(enabler, total_label, total_size, everyone, hidden))
    return rows


def _heat_header(dimension):
    return [
        _("Enabler"),
        dimension,
        _("Participants"),
        _("All except self: mean"),
        _("Self: mean"),
        _("Gap (self minus all except self)"),
    ]


def response_rate_rows(rates):
    labels = {"self": _("Self-assessments"), "raters": _("Raters (all except self)")}
    return [
        [
            labels[key],
            rates[key]["submitted"],
            rates[key]["invited"],
            numbers.percent_number(rates[key]["rate"]),
        ]
        for key in ("self", "raters")
    ]


def pitfall_rows(pitfalls):
    return [
        [level.name, rank, pitfall.title, pitfall.enabler.name, numbers.score_number(score.mean)]
        for level, ranked in pitfalls
        for rank, (pitfall, score) in enumerate(ranked, start=1)
    ]


def sections(report):
    """The cohort report as titled sections of rows; every text cell of the header and the rows
    is neutralised (titles are ours, and are neutralised where they are written as a cell)."""
    raw = [
        Section(
            _("Response rates"),
            [_("Who"), _("Submitted"), _("Invited"), _("Response rate (%)")],
            response_rate_rows(report.response_rates),
        ),
        Section(
            _("By level"),
            _heat_header(_("Level")),
            breakdown_rows(
                report.levels, total_label=_("All levels"), total_size=report.participants
            ),
        ),
        # No total rows below: the cohort's total is the levels' one (the org units' total
        # leaves out participants without an org unit, and would isolate them).
        Section(_("By org unit"), _heat_header(_("Org unit")), breakdown_rows(report.org_units)),
        Section(_("By gender"), _heat_header(_("Gender")), breakdown_rows(report.genders)),
        Section(
            _("Pitfalls per level"),
            [_("Level"), _("Rank"), _("Pitfall"), _("Enabler"), _("All except self: mean")],
            pitfall_rows(report.pitfalls),
        ),
    ]
    return [
        Section(
            str(s.title),
            [_text(c) for c in s.header],
            [[_text(c) for c in r] for r in s.rows],
        )
        for s in raw
    ]


def _text(value):
    """Numbers stay numbers; anything else becomes text a spreadsheet will not evaluate."""
    if isinstance(value, int | float | Withheld):
        return value
    return neutralise(str(value))


def to_csv(report):
    """UTF-8 with a byte-order mark (Excel then shows accents right); one section after the
    other, each under a title row, with an empty row between them."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for number, section in enumerate(sections(report)):
        if number:
            writer.writerow([])
        writer.writerow([neutralise(section.title)])
        writer.writerow(section.header)
        writer.writerows(section.rows)
    return buffer.getvalue().encode("utf-8")


def _sheet_title(title):
    """Our own section titles (translated), cut to what Excel accepts in a sheet name."""
    return re.sub(r"[\\[\]:*?/]", " ", title).strip("' ")[:SHEET_TITLE_MAX] or "Sheet"


def to_xlsx(report):
    """One sheet per section (see ``xlsx.add_sheet``: header, filters, widths, notes)."""
    workbook = xlsx.new_workbook()
    for section in sections(report):
        xlsx.add_sheet(
            workbook, title=_sheet_title(section.title), header=section.header, rows=section.rows
        )
    return xlsx.to_bytes(workbook, title=report.cycle.name)
