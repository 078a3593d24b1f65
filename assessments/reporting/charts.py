"""Report charts as inline SVG, drawn on the server: no JavaScript, no external resources.

Numbers and labels in, SVG markup out. This module computes the geometry (coordinates, bars,
labels, the values in ``data-value``) as plain data; the markup is one template,
``assessments/reports/charts/bar_chart.svg.html``, rendered once per process, language and shape
of chart (how many bars, which drawn, whether a reference line) and filled for each chart
(``presenting.fragments``). Every piece of text is escaped as the template escapes it, so a label
can never inject markup.

The charts print in black and white: bars carry a dark outline and a fill pattern per kind of
column (self hatched, supervisor cross-hatched, groups light, all-except-self dark), every bar is
labelled with its name and value, and a number that may not be shown is drawn as a labelled gap
("too few answers"), not as a missing bar. Each chart is an image with a title and a text
description; the table printed beside it carries the same numbers.

In a right-to-left language (Arabic) every chart is mirrored: labels on the right, bars growing
leftwards from the scale's 1 on the right, the axis reading 1…5 from right to left, and text laid
out right to left (``direction="rtl"``). Only x coordinates change, through ``_mx``.
"""

from dataclasses import dataclass

from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from assessments.answering.questionnaire import BEHAVIOUR_SCALE, PITFALL_SCALE
from assessments.reporting.anonymity import shown_mean
from assessments.reporting.presenting import fragments, numbers

SCALE_MIN, SCALE_MAX = 1, 5

# Geometry, in SVG user units (the chart scales to its container through the viewBox).
WIDTH = 720
LABEL_RIGHT = 216  # labels end here (text-anchor end)
PLOT_LEFT, PLOT_RIGHT = 228, 548
TOP = 12
TOP_WITH_REFERENCE = 26  # room above the bars for the reference line's label
ROW = 30
BAR = 18
AXIS = 44  # room under the bars for the axis and its end labels
LABEL_CHARS = 28  # longer labels are shortened; the full text stays in the bar's <title>

TEMPLATE = "assessments/reports/charts/bar_chart.svg.html"
# The template tests whether a bar is drawn (and, by their presence, a note and a reference
# line); every other value it only prints, inside {% localize off %}. The coordinates that
# follow from the shape of the chart (how many bars, a reference line, the reading direction)
# are drawn with the shape; the ones that follow from the numbers are filled in.
_CHART = fragments.Prerendered(
    TEMPLATE,
    "chart",
    {
        "shown",
        *("height", "direction", "bar_height", "label_x", "note_x"),
        *("y", "text_y", "end_top", "end_bottom"),  # a bar's, by its place
        *("at", "number", "grid_top", "bottom", "tick_y", "left", "right", "ends_y", "span"),
        *("top", "label_y"),  # the reference line's
    },
    localized=False,
)

# Bar kinds: the fill of each, defined as a pattern in the chart's <defs>.
SELF, SUPERVISOR, UNIT, OTHERS, PITFALL, FLAGGED = (
    "self",
    "supervisor",
    "unit",
    "others",
    "pitfall",
    "flagged",
)


@dataclass(frozen=True)
class Bar:
    """One bar: ``value`` on the 1–5 scale, or None with a ``note`` saying why it is missing."""

    label: str
    value: float | None = None
    note: str = ""
    kind: str = UNIT
    flag: str = ""  # a word after the value, e.g. "often or more"


def x_for(value):
    """The x coordinate of ``value`` on the 1–5 axis."""
    span = PLOT_RIGHT - PLOT_LEFT
    return PLOT_LEFT + (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * span


def _mx(x, rtl):
    """``x`` as drawn: mirrored across the chart in a right-to-left language (``rtl``)."""
    return WIDTH - x if rtl else x


def _span(a, b, rtl):
    """(x, width) of the stretch between ``a`` and ``b`` as drawn (mirrored in RTL)."""
    left, right = sorted((_mx(a, rtl), _mx(b, rtl)))
    return left, right - left


def _n(number):
    """A coordinate: short, and never localised (SVG wants a dot)."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _short(label):
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _axis(top, bottom, ends, rtl):
    """Grid lines at 1…5 with their numbers, and the scale's words at both ends."""
    low, high = ends
    return {
        "ticks": [
            {"at": _n(_mx(x_for(tick), rtl)), "number": tick}
            for tick in range(SCALE_MIN, SCALE_MAX + 1)
        ],
        "grid_top": top - 4,
        "bottom": bottom,
        "tick_y": bottom + 14,
        "left": _n(_mx(PLOT_LEFT, rtl)),
        "right": _n(_mx(PLOT_RIGHT, rtl)),
        "ends_y": bottom + 30,
        "low": low,
        "high": high,
    }


def _reference(top, bottom, value, label, rtl):
    """A vertical line marking a threshold (e.g. "often" on the pitfall scale)."""
    return {
        "at": _n(_mx(x_for(value), rtl)),
        "top": top - 6,
        "bottom": bottom,
        "label_y": top - 10,
        "label": label,
    }


def _bar(top, index, bar, rtl):
    """Where one bar and its labels stand, and what they say."""
    y = top + index * ROW + (ROW - BAR) / 2
    drawn = {"label": _short(bar.label), "y": _n(y), "text_y": _n(y + BAR / 2 + 4)}
    if bar.value is None:
        # a labelled gap when the number exists but may not be shown, else "no answers"
        return drawn | {"note": bar.note, "tooltip": f"{bar.label}: {bar.note or _('no answers')}"}
    # the bar, its data attribute and its label all carry the number as printed: a chart
    # never holds more precision than its table
    value = min(max(float(shown_mean(bar.value)), SCALE_MIN), SCALE_MAX)
    end = x_for(value)
    shown = numbers.score(bar.value)
    text = f"{shown} · {bar.flag}" if bar.flag else shown
    return drawn | {
        "shown": True,
        "kind": bar.kind,
        "value": str(shown_mean(bar.value)),
        "x": _n(_span(PLOT_LEFT, end, rtl)[0]),
        "width": _n(end - PLOT_LEFT),
        "end": _n(_mx(end, rtl)),
        "end_top": _n(y - 2),
        "end_bottom": _n(y + BAR + 2),
        "text_x": _n(_mx(end + 6, rtl)),
        "text": text,
        "tooltip": f"{bar.label}: {text}",
    }


def _description(bars):
    """The chart's text description: every bar's name and number, or why it has none."""
    return "; ".join(
        f"{bar.label}: "
        + (
            numbers.score(bar.value) + (f" ({bar.flag})" if bar.flag else "")
            if bar.value is not None
            else (bar.note or _("no answers"))
        )
        for bar in bars
    )


def bar_chart(*, chart_id, title, bars, ends, reference=None):
    """A horizontal bar chart on the 1–5 scale.

    ``chart_id`` must be unique on the page (it prefixes the ids of the title and patterns);
    ``ends`` are the words at both ends of the axis; ``reference`` is an optional
    ``(value, label)`` drawn as a dashed line.
    """
    chart = chart_data(chart_id=chart_id, title=title, bars=bars, ends=ends, reference=reference)
    # The template escapes every label; its own whitespace is not part of the chart.
    return mark_safe(_CHART.render(chart).strip())  # noqa: S308


def chart_data(*, chart_id, title, bars, ends, reference=None):
    """What ``bar_chart`` draws, as the template's one value ``chart`` (one key, so that the
    chart's names never shadow a page's in a test's ``response.context``)."""
    bars = list(bars)
    top = TOP_WITH_REFERENCE if reference else TOP
    bottom = top + max(len(bars), 1) * ROW
    rtl = get_language_bidi()
    gap_x, gap_width = _span(PLOT_LEFT, PLOT_RIGHT, rtl)
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": bottom + AXIS,
        "direction": "rtl" if rtl else "ltr",
        "title": title,
        "description": _description(bars),
        "axis": _axis(top, bottom, ends, rtl),
        "reference": _reference(top, bottom, *reference, rtl) if reference else None,
        "bars": [_bar(top, index, bar, rtl) for index, bar in enumerate(bars)],
        "bar_height": BAR,
        "label_x": _n(_mx(LABEL_RIGHT, rtl)),
        "note_x": _n(_mx(PLOT_LEFT + 8, rtl)),
        "gap": {"left": _n(gap_x), "span": _n(gap_width)},
        "no_answers": _("– no answers"),
    }


def score_chart(*, chart_id, title, bars):
    """Behaviour scores: 1 not yet demonstrated … 5 role model."""
    return bar_chart(
        chart_id=chart_id,
        title=title,
        bars=bars,
        ends=(BEHAVIOUR_SCALE[0][1], BEHAVIOUR_SCALE[-1][1]),
    )


def pitfall_chart(*, chart_id, title, bars, flag_at):
    """How often pitfalls show: 1 never … 5 almost always; lower is better. A dashed line marks
    ``flag_at`` ("often")."""
    return bar_chart(
        chart_id=chart_id,
        title=title,
        bars=bars,
        ends=(PITFALL_SCALE[0][1], PITFALL_SCALE[-1][1]),
        reference=(flag_at, _("often")),
    )
