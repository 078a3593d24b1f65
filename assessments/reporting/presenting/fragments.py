"""Report templates rendered once per process, language and shape, then filled (issue 20).

A report page prints hundreds of cells and a chart per enabler. Rendering a cell's template for
each cell (an ``{% include %}`` per cell) and a chart's for each chart cost most of the page;
yet their markup depends only on their shape (a cell's state, which bars of a chart are drawn)
and the language, and their values (a number as printed, a label, a coordinate) are text.
``Prerendered`` renders the template once per shape and language with a marker in place of
each value, keeps the markup between the markers, and fills in each use's values, escaped (and
localised) as the template would: the same markup, at the cost of joining strings. The markup
stays in the templates; nothing here writes any (as ``compass_site/templatetags/bidi.py``).

What a template may do with a filled value: print it, or test that it is there (an empty or
false value is never filled: it is part of the shape) — no filter, no comparison. The keys it
compares are ``structural``: they, every empty or false value, and the length of every list
are the shape, and are rendered as they are. The tests check each template against its filled
form. Edits to the templates take effect when the process restarts.
"""

import re

from django.conf import settings
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# Private-use characters: in no translation, number or label, and untouched by escaping.
_MARK = "\ue000"
_MARKED = re.compile(f"{_MARK}(\\d+){_MARK}")
SHAPES_KEPT = 2048  # per template: shapes times languages


class Prerendered:
    """The template ``template_name``, rendering one value (a dict, its lists and dicts)
    named ``variable``; values printed inside ``{% localize off %}`` ask ``localized=False``."""

    def __init__(self, template_name, variable, structural, *, localized=True, trim=False):
        self.template_name = template_name
        self.variable = variable
        self.structural = frozenset(structural)
        self.localized = localized
        self.trim = trim  # leave out the newline that ends the template's file
        self._pieces = {}

    def render(self, value):
        values, shape = [], []
        self._walk(value, values, shape)
        key = (get_language(), tuple(shape))
        pieces = self._pieces.get(key)
        if pieces is None:
            if len(self._pieces) >= SHAPES_KEPT:  # a bound, never reached by real pages
                self._pieces.clear()
            pieces = self._pieces[key] = self._split(self._mark(value, [], [], False))
        use_l10n = None if self.localized else False
        # a whole number prints as it is unless thousands are grouped (Django's numberformat)
        grouped = use_l10n is None and settings.USE_THOUSAND_SEPARATOR
        out = [pieces[0]]
        for index in range(1, len(pieces), 2):
            # as a template prints a variable: localised, then escaped unless it is safe
            # (plain text with nothing to escape, most values here, is taken as it is)
            item = values[pieces[index]]
            if type(item) is str:
                if _ESCAPED.search(item):
                    item = conditional_escape(item)
            elif type(item) is int and not grouped:
                item = str(item)
            else:
                item = conditional_escape(localize(item, use_l10n=use_l10n))
            out.append(item)
            out.append(pieces[index + 1])
        return mark_safe("".join(out))  # noqa: S308 (markup from the template, values escaped)

    def _walk(self, value, values, shape):
        """What ``_mark`` appends to ``values`` and ``shape``, without the marked copy."""
        if isinstance(value, dict):
            shape.append(tuple(value))
            for key, item in value.items():
                if isinstance(item, dict | list | tuple):
                    self._walk(item, values, shape)
                elif not item or item is True or key in self.structural:
                    shape.append(item)
                else:
                    shape.append(None)
                    values.append(item)
        elif isinstance(value, list | tuple):
            shape.append(("[", len(value)))  # never equal to a value or a dict's keys
            for item in value:
                if isinstance(item, dict | list | tuple):
                    self._walk(item, values, shape)
                elif not item or item is True:
                    shape.append(item)
                else:
                    shape.append(None)
                    values.append(item)
        elif not value or value is True:
            shape.append(value)
        else:
            shape.append(None)
            values.append(value)

    def _mark(self, value, values, shape, structural):
        """``value`` with a marker for each value to fill (appended to ``values``); what the
        markup depends on is appended to ``shape``."""
        if isinstance(value, dict):
            shape.append(("{", tuple(value)))
            return {
                key: self._mark(item, values, shape, key in self.structural)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            shape.append(("[", len(value)))
            return [self._mark(item, values, shape, False) for item in value]
        if structural or not value or value is True:
            shape.append(value)
            return value
        shape.append(None)
        values.append(value)
        return _MARKERS[len(values) - 1] if len(values) <= len(_MARKERS) else _marker(len(values))

    def _split(self, marked):
        html = get_template(self.template_name).render({self.variable: marked})
        if self.trim:
            html = html.removesuffix("\n")
        pieces = _MARKED.split(html)  # markup, index, markup, index, …, markup
        for index in range(1, len(pieces), 2):
            pieces[index] = int(pieces[index])
        return pieces


def _marker(number):
    """The marker of the ``number``-th value (from 1)."""
    return f"{_MARK}{number - 1}{_MARK}"


_ESCAPED = re.compile("[&<>\"']")  # what ``django.utils.html.escape`` replaces
_MARKERS = [_marker(number) for number in range(1, 257)]


CELL = Prerendered("assessments/reports/_cell.html", "c", {"state"})
CELLS = Prerendered("assessments/reports/_cells.html", "cells", {"state"}, trim=True)
HEAT_CELL = Prerendered("assessments/reports/_heat_cell.html", "c", {"state"})
HEAT_CELLS = Prerendered("assessments/reports/_heat_cells.html", "cells", {"state"}, trim=True)
NOTE = Prerendered("assessments/reports/_notes.html", "note", ())


def cell(value):
    """A report cell (``presenting.individual.cell``) as ``_cell.html`` renders it."""
    return CELL.render(value)


def cells(values):
    """A row's report cells, each in its table cell (``_cells.html``)."""
    return CELLS.render(values)


def heat_cell(value):
    """A heatmap cell (``presenting.groups``) as ``_heat_cell.html`` renders it."""
    return HEAT_CELL.render(value)


def heat_cells(values):
    """A heatmap row's cells (``_heat_cells.html``)."""
    return HEAT_CELLS.render(values)


def note(value):
    """An indicator's notes (``presenting.insight``): its norm band and whether views differ,
    as ``_notes.html`` renders them."""
    return NOTE.render(value)
