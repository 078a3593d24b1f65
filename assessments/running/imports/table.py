"""Reading a CSV file as HR's spreadsheets save it, and the shapes every import shares.

Pure: bytes in, rows and errors out, no database. Reading is lenient where it cannot go wrong and
strict where it could: a byte-order mark, a semicolon delimiter, CRLF line ends and columns in any
order (names matched case-insensitively) are accepted, but an unknown column is refused, since a
typo such as "supervisor mail" must not silently drop every supervisor. Row numbers are the ones
the spreadsheet shows: the header is row 1, blank lines and quoted line breaks count as Excel
counts them.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from assessments.errors import DomainError
from assessments.models import Participant, User
from assessments.validators import single_line

# Documented on the import page: larger cohorts are split into several files.
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

NAME_MAX = User._meta.get_field("full_name").max_length
EMAIL_MAX = User._meta.get_field("email").max_length
ORG_UNIT_MAX = Participant._meta.get_field("org_unit").max_length


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: ``row`` as the spreadsheet numbers it (None: the whole file)."""

    row: int | None
    column: str
    message: str


@dataclass
class ParseResult:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def add(self, row, column, message):
        self.errors.append(RowError(row, column, str(message)))


class ImportRejected(DomainError):
    """The file was refused; ``errors`` lists every problem found. Nothing was saved."""

    def __init__(self, errors):
        super().__init__(
            _("The file was not imported: %(n)s problems to fix. Nothing was saved.")
            % {"n": len(errors)}
        )
        self.errors = list(errors)


def cell_key(value):
    """A cell as a key to look a value up by: case and spacing do not matter."""
    return " ".join(value.lower().split())


def check_name(result, number, column, name, missing):
    """A person's name cell: present (else ``missing``) and short enough for an account."""
    if not name:
        result.add(number, column, missing)
    elif len(name) > NAME_MAX:
        result.add(
            number, column, _("The name is longer than %(max)s characters.") % {"max": NAME_MAX}
        )


# --- reading -----------------------------------------------------------------------------


def _normalise_header(name):
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_table(data, *, columns, required):
    """(records, errors): records are (row number, {column: stripped value}).

    ``data`` is the uploaded file's bytes. File-level problems come back with ``row=None``.
    """
    result = ParseResult()
    if len(data) > MAX_BYTES:
        result.add(
            None,
            "",
            _("The file is larger than %(mb)s MB. Split the cohort into several files.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
        )
        return [], result
    if data.startswith(b"PK\x03\x04"):
        result.add(
            None,
            "",
            _(
                "This is an Excel workbook, not a CSV file. In Excel, choose File › Save As › "
                "CSV UTF-8 (Comma delimited), and upload that file."
            ),
        )
        return [], result
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        result.add(
            None,
            "",
            _(
                "This file is saved as UTF-16 (Excel's “Unicode Text”). Save it as "
                "CSV UTF-8 (Comma delimited) and upload it again."
            ),
        )
        return [], result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.add(
            None,
            "",
            _(
                "This file is not UTF-8 text. In Excel, choose File › Save As › "
                "CSV UTF-8 (Comma delimited), and upload that file."
            ),
        )
        return [], result
    if "\x00" in text:
        result.add(None, "", _("This is not a CSV file (it contains binary data)."))
        return [], result
    if not text.strip():
        result.add(None, "", _("The file is empty."))
        return [], result

    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        result.add(None, "", _("This file could not be read as CSV."))
        return [], result

    # The header is the first row that is not blank.
    header_index = next(
        (i for i, record in enumerate(records) if any(c.strip() for c in record)), None
    )
    if header_index is None:
        result.add(None, "", _("The file is empty."))
        return [], result
    header_row = header_index + 1
    header = [_normalise_header(c) for c in records[header_index]]
    for position, name in enumerate(header):
        if not name:
            if any(record[position].strip() for record in records if len(record) > position):
                result.add(
                    header_row,
                    _column_letter(position),
                    _("This column has no name. Name it, or delete the column."),
                )
        elif name not in columns:
            result.add(
                header_row,
                records[header_index][position].strip(),
                _("Unknown column. The columns are: %(columns)s.")
                % {"columns": ", ".join(columns)},
            )
        elif header.index(name) != position:
            result.add(header_row, name, _("This column appears twice."))
    for name in required:
        if name not in header:
            result.add(header_row, name, _("This column is missing from the header row."))
    if not result.ok:
        return [], result

    rows = []
    for index in range(header_index + 1, len(records)):
        # Every cell on one line: a name typed with Alt+Enter in Excel must not break an email.
        record = [single_line(cell) for cell in records[index]]
        if not any(record):
            continue  # blank lines and rows of empty cells, as Excel leaves them
        number = index + 1
        if len(record) > len(header) and any(record[len(header) :]):
            result.add(
                number,
                "",
                _(
                    "This row has %(cells)s cells but the header has %(columns)s. Is there a "
                    "comma or semicolon in a value that is not in quotes?"
                )
                % {"cells": len(record), "columns": len(header)},
            )
            continue
        values = {name: (record[i] if i < len(record) else "") for i, name in enumerate(header)}
        values.pop("", None)
        rows.append((number, values))
    if not rows and result.ok:
        result.add(None, "", _("The file has a header row but no rows below it."))
    elif len(rows) > MAX_ROWS:
        result.add(
            None,
            "",
            _("The file has %(n)s rows; the most is %(max)s. Split it into several files.")
            % {"n": len(rows), "max": MAX_ROWS},
        )
        return [], result
    return rows, result


def _column_letter(position):
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def clean_email(value):
    email = value.strip().lower()
    if len(email) > EMAIL_MAX:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def in_file_order(errors):
    """Errors by row (file-level ones first), keeping each row's errors in column order."""
    return sorted(errors, key=lambda error: -1 if error.row is None else error.row)


def check_importable(cycle):
    problem = why_not_import(cycle)
    if problem:
        raise DomainError(problem)


def why_not_import(cycle):
    if cycle.is_pulse:
        return _("A progress pulse takes its leaders and raters from its 360: nothing is imported.")
    if not cycle.accepts_changes:
        return _("Imports are only possible while the cycle is a draft or open.")
    return None


def template_csv(columns):
    """A CSV with the header row only, with a byte-order mark so that Excel reads it as UTF-8."""
    return "\ufeff" + ",".join(columns) + "\r\n"
