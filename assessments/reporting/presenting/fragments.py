"""Small report templates rendered once per process and language, then filled (issue 20).

A report page prints hundreds of cells. Rendering a cell's template for each of them (an
``{% include %}`` per cell) cost a large part of the page; yet a cell's markup depends only on
its state and the language, and its values (a number as printed, an answer count) are text.
``Prerendered`` renders the template once per state and language with a marker in place of
each value, keeps the markup between the markers, and fills in each cell's values, escaped and
localised as the template would: the same markup, at the cost of joining a few strings. The
markup stays in the templates; nothing here writes any.
"""

import re

from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# Private-use characters: in no translation, number or label, and untouched by escaping.
_MARK = "\ue000"
_MARKED = re.compile(f"{_MARK}(\\d+){_MARK}")


class Prerendered:
    """The template ``template_name``, rendering one dict named ``variable``."""

    def __init__(self, template_name, variable):
        self.template_name = template_name
        self.variable = variable
        self._pieces = {}

    def fill(self, value, constant, filled=()):
        """``value`` rendered: its keys named in ``constant`` (e.g. its state) decide the
        markup, those named in ``filled`` are filled in."""
        shape = tuple(value.get(key) for key in constant)
        key = (get_language(), shape, filled)
        pieces = self._pieces.get(key)
        if pieces is None:
            pieces = self._pieces[key] = self._render(
                dict(zip(constant, shape, strict=True)), filled
            )
        if len(pieces) == 1:
            return pieces[0]
        out = [pieces[0]]
        for index in range(1, len(pieces), 2):
            # as a template prints a variable: localised, then escaped unless already safe
            out.append(conditional_escape(localize(value.get(filled[pieces[index]]))))
            out.append(pieces[index + 1])
        return mark_safe("".join(out))  # noqa: S308 (markup from the template, values escaped)

    def _render(self, fixed, filled):
        marked = fixed | {name: f"{_MARK}{i}{_MARK}" for i, name in enumerate(filled)}
        html = get_template(self.template_name).render({self.variable: marked})
        pieces = _MARKED.split(html)  # markup, index, markup, index, …, markup
        for index in range(1, len(pieces), 2):
            pieces[index] = int(pieces[index])
        if len(pieces) == 1:
            return [mark_safe(html)]  # noqa: S308 (the template's own output)
        return pieces


CELL = Prerendered("assessments/reports/_cell.html", "c")
HEAT_CELL = Prerendered("assessments/reports/_heat_cell.html", "c")


def cell(value):
    """A report cell (``presenting.individual.cell``) as ``_cell.html`` renders it."""
    if value.get("state") == "shown":
        return CELL.fill(value, ("state",), ("text", "n"))
    return CELL.fill(value, ("state",))


def heat_cell(value):
    """A heatmap cell (``presenting.groups``) as ``_heat_cell.html`` renders it."""
    if value.get("state") == "shown":
        return HEAT_CELL.fill(value, ("state",), ("band", "text"))
    return HEAT_CELL.fill(value, ("state",))
