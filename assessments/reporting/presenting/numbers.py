"""How every report prints a number: scores, signed gaps, percentages, the pitfall flag and
the heatmaps' colour bands. Pages, charts, the PDF and the CSV/XLSX exports all come here, so a
number reads the same wherever it is shown.

One precision (issue 12): a mean, a gap or a change is rounded once, by ``anonymity.shown_mean``
(one decimal, half up), and everything below — its text, its sign, its band, whether it is
flagged, the number an export writes — is decided on that rounded value, never on the raw one.
"""

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessments.reporting.anonymity import DECIMALS, shown_mean
from assessments.reporting.reports import PITFALL_FLAG

# Colour bands of the heatmaps, by the number as printed, so that the legend and the number in
# a cell never disagree. Each band is (upper bound, exclusive; None = no bound).
MEAN_BANDS = (Decimal("2.5"), Decimal("3.0"), Decimal("3.5"), Decimal("4.0"), None)
GAP_BANDS = (Decimal("-0.9"), Decimal("-0.4"), Decimal("0.5"), Decimal("1.0"), None)

# A page prints a few hundred numbers, all among the few dozen a scale of one decimal has:
# each is localised once per process and language (``floatformat`` is slow).
_printed = {}


def score(value):
    """A mean as every report shows it, localised ("4.0", "3.3"; "3,3" in French)."""
    shown = shown_mean(value)
    key = (get_language(), str(shown))  # str: equal Decimals (-0.0, 0.0) stay apart
    text = _printed.get(key)
    if text is None:
        text = _printed[key] = floatformat(shown, DECIMALS)
    return text


def score_number(value):
    """A mean or a gap for a spreadsheet: exactly as the page prints it, never more precise
    (a spreadsheet holds no number its page hides)."""
    return float(shown_mean(value))


def signed(value):
    """A difference with its sign as printed: "+1.3", "−1.3" (a true minus sign), "0.0" for
    one that prints as zero."""
    shown = shown_mean(value)
    text = score(abs(shown))
    return f"+{text}" if shown > 0 else f"\N{MINUS SIGN}{text}" if shown < 0 else text


def flagged(mean):
    """Whether a pitfall is flagged: others' mean, as printed, at "often"
    (``reports.PITFALL_FLAG``) or above — so a mean printed as "3.5" is always flagged."""
    return shown_mean(mean) >= Decimal(str(PITFALL_FLAG))


def band(value, bounds):
    """The colour band (1…) of a number as printed, among ``MEAN_BANDS`` or ``GAP_BANDS``."""
    shown = shown_mean(value)
    for number, bound in enumerate(bounds, start=1):
        if bound is None or shown < bound:
            return number
    raise AssertionError  # the last bound is None


def percent_number(share):
    """A share (0…1) as a whole percentage for an export; "" when there is none."""
    return round(share * 100) if share is not None else ""


def percent(share):
    """A share (0…1) as a whole percentage for a page ("35%"); None when there is none."""
    return _("%(percent)s%%") % {"percent": round(share * 100)} if share is not None else None


def flag_text():
    """The flag's threshold as printed, for the pages' explanations ("3.5")."""
    return score(PITFALL_FLAG)
