"""One writer for every XLSX export, so that each reads like a sheet HR would build by hand:
a bold header row that stays in view, filters on it, columns as wide as what they hold,
numbers stored as numbers, and withheld cells left empty with a note saying why.

Exports build rows of plain values; a cell the anonymity rule withholds is a ``Withheld`` —
text in CSV ("suppressed"), an empty cell with a comment in XLSX, never a number.
"""

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from assessments.validators import without_control_characters

MIN_WIDTH, MAX_WIDTH = 8, 60
NOTE_AUTHOR = "Leadership Compass 360"


class Withheld(str):
    """A cell with no number to show: the text is what CSV writes, ``note`` why (XLSX)."""

    def __new__(cls, text, note=""):
        value = super().__new__(cls, text)
        value.note = str(note) or str(text)
        return value


def _width(value):
    if value is None or isinstance(value, Withheld):
        return 0
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def add_sheet(workbook, *, title, header, rows, freeze="A2"):
    """A sheet of ``header`` and ``rows`` (text already neutralised by the caller)."""
    sheet = workbook.create_sheet(title=title)
    sheet.append([str(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [min(max(_width(h), MIN_WIDTH), 30) for h in header]
    for values in rows:
        sheet.append([None if isinstance(v, Withheld) else v for v in values])
        for index, (cell, value) in enumerate(zip(sheet[sheet.max_row], values, strict=False)):
            if isinstance(value, Withheld):
                cell.comment = Comment(value.note, NOTE_AUTHOR, width=300, height=80)
            elif isinstance(value, str):
                # openpyxl reads any string starting with "=" as a formula; a string cell
                # must stay a string.
                cell.data_type = "s"
            elif isinstance(value, float):
                cell.number_format = "0.0"  # one precision everywhere (anonymity.shown_mean)
            if index < len(widths):
                widths[index] = max(widths[index], _width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    if freeze:
        sheet.freeze_panes = freeze
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"
    return sheet


def new_workbook():
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def to_bytes(workbook, *, title=""):
    # A control character in a cycle's name would make the file unreadable to Excel.
    workbook.properties.title = without_control_characters(str(title))[:255]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
