"""The cohort report (PRODUCT §5) as CSV and XLSX, for HR's own spreadsheets.

Aggregates only, exactly what the cohort page shows: response rates, the levels × enablers
heatmap, the breakdowns by org unit and by gender, the most frequent pitfalls per level, the
insight's counts (self–other agreement per level and by gender, next-level behaviours per level
where the cycle asks them; issue 18) and the gender-responsive leadership skills' rows where the
cycle has them. There is no row per rater, answer or participant, and no name or email address.

The numbers come from ``group_reports.cohort_report``, already under the participant rule: a
suppressed cell has no mean, and is written as the word "suppressed" (never as a number, not
even its participant count); a count the rule hides reads "hidden", as on the page. Means have
the page's one decimal. Org unit names come from imported files, so every text cell goes
through ``exports.neutralise``: a spreadsheet shows ``=HYPERLINK(...)`` as text, never runs it.

Pure functions: a CohortReport in, sections of rows out; then bytes.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.reporting import group_insight, insight, xlsx
from assessments.reporting.anonymity import Counts
from assessments.reporting.presenting import numbers
from assessments.reporting.xlsx import Withheld
from assessments.running.exports import neutralise

SHEET_TITLE_MAX = 31  # Excel's limit
_SUPPRESSED_CELL = Counts(reason="suppressed")


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


def _hidden():
    return Withheld(
        _("hidden"),
        _(
            "Hidden: fewer leaders than the anonymity threshold, or a count from which, with the "
            "other counts, such a one or what fewer leaders' reports say could be worked out."
        ),
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


def _heat_header(dimension, first=None):
    return [
        first or _("Enabler"),
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


def _count_value(counts, value):
    if counts.reason == "suppressed":
        return _suppressed()
    return _hidden() if value is None or not counts.shown else value


def count_rows(report, table, dimension):
    """One row per cell × enabler of an insight table, as the page shows it (the same cells
    hidden): the counts per category, then the number of leaders judged."""
    enablers = [enabler for enabler, _heats, _all in report.levels.rows]
    categories = (
        group_insight.CATEGORIES if table == group_insight.AGREEMENT else (group_insight.REACHED,)
    )
    rows = []
    blocks = group_insight.cohort_blocks(report.insight, table, dimension, enablers)
    for label, entries in blocks:
        if entries is None:  # fewer than k leaders in the cell: every enabler's row says so
            entries = [(enabler, _SUPPRESSED_CELL) for enabler in enablers]
        for enabler, counts in entries:
            values = [counts.counts.get(c) for c in categories]
            rows.append(
                [
                    enabler.name,
                    label,
                    *[_count_value(counts, v) for v in values],
                    _count_value(counts, counts.judged),
                ]
            )
    return rows


def _count_header(table, dimension):
    if table == group_insight.AGREEMENT:
        columns = [insight.AGREEMENT_LABELS[c] for c in group_insight.CATEGORIES]
    else:
        columns = [_("Show next-level behaviours")]
    return [_("Enabler"), dimension, *columns, _("Leaders judged")]


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
    agreement, next_level = group_insight.AGREEMENT, group_insight.NEXT_LEVEL
    level, gender = group_insight.LEVEL, group_insight.GENDER
    raw += [
        Section(
            _("Agreement per level"),
            _count_header(agreement, _("Level")),
            count_rows(report, agreement, level),
        ),
        Section(
            _("Agreement by gender"),
            _count_header(agreement, _("Gender")),
            count_rows(report, agreement, gender),
        ),
    ]
    if report.insight.next_level is not None:
        raw.append(
            Section(
                _("Next-level behaviours per level"),
                _count_header(next_level, _("Level")),
                count_rows(report, next_level, level),
            )
        )
    if report.grl_levels is not None:
        skill = _("Skill")
        raw += [
            Section(
                _("Gender-responsive by level"),
                _heat_header(_("Level"), skill),
                breakdown_rows(
                    report.grl_levels, total_label=_("All levels"), total_size=report.participants
                ),
            ),
            Section(
                _("Gender-responsive by gender"),
                _heat_header(_("Gender"), skill),
                breakdown_rows(report.grl_genders),
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
