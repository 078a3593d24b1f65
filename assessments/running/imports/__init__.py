"""Importing a cohort from CSV: participants, and optionally raters nominated by HR.

Reading a file is a pure function (``parse_participants``, ``parse_raters``) that returns every
row it understood and every error it found, each error with the row number the spreadsheet shows
(the header is row 1) and the column it belongs to. Writing (``import_participants``,
``import_raters``) is all-or-nothing: one bad row rejects the whole file and nothing is saved.

The files HR gets out of Excel vary, so reading is lenient where it cannot go wrong and strict
where it could: a byte-order mark and a semicolon delimiter are accepted, column names are
matched case-insensitively in any order, but an unknown column is refused (a typo such as
"supervisor mail" must not silently drop every supervisor).
"""

from assessments.running.imports.participants import (
    COLUMN_HELP,
    ImportSummary,
    ParticipantRow,
    import_participants,
    parse_participants,
)
from assessments.running.imports.participants import COLUMNS as PARTICIPANT_COLUMNS
from assessments.running.imports.raters import COLUMNS as RATER_COLUMNS
from assessments.running.imports.raters import RaterRow, import_raters, parse_raters
from assessments.running.imports.table import (
    MAX_BYTES,
    MAX_ROWS,
    ImportRejected,
    ParseResult,
    RowError,
    template_csv,
    why_not_import,
)

__all__ = [
    "COLUMN_HELP",
    "MAX_BYTES",
    "MAX_ROWS",
    "PARTICIPANT_COLUMNS",
    "RATER_COLUMNS",
    "ImportRejected",
    "ImportSummary",
    "ParseResult",
    "ParticipantRow",
    "RaterRow",
    "RowError",
    "import_participants",
    "import_raters",
    "parse_participants",
    "parse_raters",
    "template_csv",
    "why_not_import",
]
