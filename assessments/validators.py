"""Text rules shared by forms, imports and exports."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 control characters and DEL, except tab, line feed and carriage return: NUL breaks
# PostgreSQL text, the others break XLSX files and mean nothing in a name or a comment.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value):
    if value and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _(
                "This text contains invisible control characters (often from pasting). "
                "Please remove them or retype the text."
            ),
            code="control_characters",
        )


def without_control_characters(value):
    return CONTROL_CHARACTERS.sub("", value)


def single_line(value):
    """One imported cell: control characters dropped, every run of whitespace (line breaks from
    Excel's Alt+Enter, tabs, non-breaking spaces) one space, none at the ends."""
    return " ".join(without_control_characters(value).split())
