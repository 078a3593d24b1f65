"""The participation table of a cycle as CSV and XLSX, for HR's own spreadsheets.

One row per participant with counts per group: aggregates only, never a rater or an answer.
Names and org units come from people and from imported files, so any cell that a spreadsheet
would read as a formula (starting with =, +, -, @, a tab or a carriage return) is written with a
leading apostrophe: ``=HYPERLINK(...)`` in a name arrives as text, not as a live link.
"""

import csv
import io

from django.utils.translation import gettext as _

from assessments.models import Rater, RaterGroup
from assessments.reporting import xlsx
from assessments.reporting.presenting import numbers
from assessments.running.monitoring import WATCHED_GROUPS
from assessments.validators import without_control_characters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A cell value a spreadsheet shows as typed, never evaluates; without the control
    characters an XLSX file cannot hold (text imported or typed before they were refused)."""
    if isinstance(value, str):
        value = without_control_characters(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def header():
    labels = dict(RaterGroup.choices)
    columns = [
        _("Name"),
        _("Email"),
        _("Level"),
        _("Org unit"),
        _("Supervisor"),
        _("Supervisor email"),
        _("Gender"),
        _("Self-assessment"),
        _("Nominations sent"),
    ]
    for group in WATCHED_GROUPS:
        for measure in (_("invited"), _("submitted"), _("declined")):
            columns.append(f"{labels[group]}: {measure}")
    columns.append(_("Response rate (%)"))
    return columns


def row(participant, status_labels):
    """One participant annotated by monitoring.participants_with_progress."""
    person, supervisor = participant.person, participant.supervisor
    cells = [
        person.full_name or person.email,
        person.email,
        participant.level.name,
        participant.org_unit,
        (supervisor.full_name or supervisor.email) if supervisor else "",
        supervisor.email if supervisor else "",
        participant.get_gender_display(),
        str(status_labels.get(participant.self_status, "")),
        _("yes") if participant.nominations_submitted_at else _("no"),
    ]
    for group in WATCHED_GROUPS:
        for measure in ("invited", "submitted", "declined"):
            cells.append(getattr(participant, f"{group}_{measure}"))
    rate = participant.response_rate
    cells.append(numbers.percent_number(rate))
    return [neutralise(cell) for cell in cells]


def rows(participants):
    status_labels = dict(Rater.Status.choices)
    return [row(p, status_labels) for p in participants]


def to_csv(participants):
    """UTF-8 with a byte-order mark, so that Excel shows accents right when opening it."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([neutralise(c) for c in header()])
    writer.writerows(rows(participants))
    return buffer.getvalue().encode("utf-8")


def to_xlsx(participants, *, title):
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(
        workbook,
        title=_("Participation")[:31],
        header=[neutralise(c) for c in header()],
        rows=rows(participants),
        freeze="B2",  # the name stays in view too
    )
    return xlsx.to_bytes(workbook, title=title)
