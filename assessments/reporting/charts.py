"""Report charts as inline SVG, drawn on the server: no JavaScript, no external resources.

Pure functions: numbers and labels in, SVG markup out. Every piece of text goes through
``format_html`` (or ``conditional_escape``), so a label can never inject markup.

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

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from assessments.answering.questionnaire import BEHAVIOUR_SCALE, PITFALL_SCALE
from assessments.reporting.anonymity import shown_mean
from assessments.reporting.presenting import numbers

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

INK = "#212529"
GRID = "#adb5bd"

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


def _mx(x):
    """``x`` as drawn: mirrored across the chart in a right-to-left language."""
    return WIDTH - x if get_language_bidi() else x


def _span(a, b):
    """(x, width) of the stretch between ``a`` and ``b`` as drawn (mirrored in RTL)."""
    left, right = sorted((_mx(a), _mx(b)))
    return left, right - left


def _n(number):
    """A coordinate: short, and never localised (SVG wants a dot)."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _join(parts):
    """Concatenate markup; plain strings among ``parts`` are escaped."""
    return mark_safe("".join(conditional_escape(part) for part in parts))  # noqa: S308


def _short(label):
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _defs(chart_id):
    """Fill patterns, one per bar kind, with ids unique to this chart."""
    return format_html(
        "<defs>"
        '<pattern id="{id}-self" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{blue}" stroke-width="2.5"/></pattern>'
        '<pattern id="{id}-supervisor" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#e7f1ff"/>'
        '<path d="M0 3H6M3 0V6" stroke="{ink}" stroke-width="1"/></pattern>'
        '<pattern id="{id}-unit" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#9ec5fe"/></pattern>'
        '<pattern id="{id}-others" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#0a3d7a"/></pattern>'
        '<pattern id="{id}-pitfall" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#dee2e6"/></pattern>'
        '<pattern id="{id}-flagged" width="5" height="5" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(-45)">'
        '<rect width="5" height="5" fill="#f8d7da"/>'
        '<line x1="0" y1="0" x2="0" y2="5" stroke="#842029" stroke-width="2.5"/></pattern>'
        "</defs>",
        id=chart_id,
        blue="#0a58ca",
        ink=INK,
    )


def _axis(top, bottom, ends):
    """Grid lines at 1…5 with their numbers, and the scale's words at both ends."""
    parts = []
    for tick in range(SCALE_MIN, SCALE_MAX + 1):
        x = _n(_mx(x_for(tick)))
        parts.append(
            format_html(
                '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{grid}"'
                ' stroke-width="1" stroke-dasharray="2 3"/>'
                '<text x="{x}" y="{label_y}" text-anchor="middle" font-size="12"'
                ' fill="{ink}">{tick}</text>',
                x=x,
                top=top - 4,
                bottom=bottom,
                grid=GRID,
                label_y=bottom + 14,
                ink=INK,
                tick=tick,
            )
        )
    low, high = ends
    parts.append(
        format_html(
            '<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{ink}"/>'
            '<text x="{left}" y="{y}" font-size="12" fill="{ink}">{low}</text>'
            '<text x="{right}" y="{y}" text-anchor="end" font-size="12" fill="{ink}">{high}</text>',
            left=_n(_mx(PLOT_LEFT)),
            right=_n(_mx(PLOT_RIGHT)),
            bottom=bottom,
            y=bottom + 30,
            ink=INK,
            low=low,
            high=high,
        )
    )
    return _join(parts)


def _reference(top, bottom, value, label):
    """A vertical line marking a threshold (e.g. "often" on the pitfall scale)."""
    x = _n(_mx(x_for(value)))
    return format_html(
        '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="#842029" stroke-width="1.5"'
        ' stroke-dasharray="6 3"/>'
        '<text x="{x}" y="{label_y}" text-anchor="middle" font-size="12" fill="#842029">'
        "{label}</text>",
        x=x,
        top=top - 6,
        bottom=bottom,
        label_y=top - 10,
        label=label,
    )


def _bar(chart_id, top, index, bar):
    y = top + index * ROW + (ROW - BAR) / 2
    text_y = _n(y + BAR / 2 + 4)
    label = format_html(
        '<text x="{x}" y="{y}" text-anchor="end" font-size="13" fill="{ink}">{label}</text>',
        x=_n(_mx(LABEL_RIGHT)),
        y=text_y,
        ink=INK,
        label=_short(bar.label),
    )
    if bar.value is None:
        if bar.note:
            # A labelled gap: the number exists but may not be shown.
            body = format_html(
                '<rect class="chart-gap" x="{x}" y="{y}" width="{w}" height="{h}" fill="none"'
                ' stroke="{grid}" stroke-dasharray="4 3"/>'
                '<text x="{tx}" y="{ty}" font-size="12" font-style="italic" fill="{ink}">'
                "{note}</text>",
                x=_n(_span(PLOT_LEFT, PLOT_RIGHT)[0]),
                y=_n(y),
                w=PLOT_RIGHT - PLOT_LEFT,
                h=BAR,
                grid=INK,
                tx=_n(_mx(PLOT_LEFT + 8)),
                ty=text_y,
                ink=INK,
                note=bar.note,
            )
        else:
            body = format_html(
                '<text x="{x}" y="{y}" font-size="12" fill="{ink}">{none}</text>',
                x=_n(_mx(PLOT_LEFT + 8)),
                y=text_y,
                ink=INK,
                none=_("– no answers"),
            )
        tooltip = f"{bar.label}: {bar.note or _('no answers')}"
    else:
        # the bar, its data attribute and its label all carry the number as printed: a chart
        # never holds more precision than its table
        value = min(max(float(shown_mean(bar.value)), SCALE_MIN), SCALE_MAX)
        end = x_for(value)
        shown = numbers.score(bar.value)
        text = f"{shown} · {bar.flag}" if bar.flag else shown
        body = format_html(
            '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"'
            ' fill="url(#{id}-{kind})" stroke="{ink}" stroke-width="1"'
            ' data-value="{value}"/>'
            '<line x1="{end}" y1="{y0}" x2="{end}" y2="{y1}" stroke="{ink}" stroke-width="2.5"/>'
            '<text x="{tx}" y="{ty}" font-size="13" font-weight="bold" fill="{ink}"'
            ' stroke="#ffffff" stroke-width="3" paint-order="stroke">{text}</text>',
            x=_n(_span(PLOT_LEFT, end)[0]),
            y=_n(y),
            w=_n(end - PLOT_LEFT),
            h=BAR,
            id=chart_id,
            kind=bar.kind,
            ink=INK,
            value=shown_mean(bar.value),
            end=_n(_mx(end)),
            y0=_n(y - 2),
            y1=_n(y + BAR + 2),
            tx=_n(_mx(end + 6)),
            ty=text_y,
            text=text,
        )
        tooltip = f"{bar.label}: {text}"
    return format_html("<g><title>{}</title>{}{}</g>", tooltip, label, body)


def bar_chart(*, chart_id, title, bars, ends, reference=None):
    """A horizontal bar chart on the 1–5 scale.

    ``chart_id`` must be unique on the page (it prefixes the ids of the title and patterns);
    ``ends`` are the words at both ends of the axis; ``reference`` is an optional
    ``(value, label)`` drawn as a dashed line.
    """
    bars = list(bars)
    top = TOP_WITH_REFERENCE if reference else TOP
    bottom = top + max(len(bars), 1) * ROW
    height = bottom + AXIS
    summary = "; ".join(
        f"{bar.label}: "
        + (
            numbers.score(bar.value) + (f" ({bar.flag})" if bar.flag else "")
            if bar.value is not None
            else (bar.note or _("no answers"))
        )
        for bar in bars
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img"'
        ' viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet"'
        ' aria-labelledby="{id}-title {id}-desc" focusable="false" direction="{direction}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{summary}</desc>'
        "{defs}{axis}{reference}{bars}</svg>",
        width=WIDTH,
        height=height,
        direction="rtl" if get_language_bidi() else "ltr",
        id=chart_id,
        title=title,
        summary=summary,
        defs=_defs(chart_id),
        axis=_axis(top, bottom, ends),
        reference=_reference(top, bottom, *reference) if reference else "",
        bars=_join(_bar(chart_id, top, i, bar) for i, bar in enumerate(bars)),
    )


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
