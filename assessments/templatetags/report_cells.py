"""A report's cells and notes as their templates render them, without an include each
(``assessments/reporting/presenting/fragments.py``): ``{% report_cell c %}`` (``_cell.html``),
``{% report_cells cells %}`` (a row's, each in its ``<td>``), ``{% heat_cell c %}`` and
``{% heat_cells cells %}`` (heatmaps), ``{% report_note note %}`` (``_notes.html``)."""

from django import template

from assessments.reporting.presenting import fragments

register = template.Library()


@register.simple_tag
def report_cell(c):
    return fragments.cell(c)


@register.simple_tag
def heat_cell(c):
    return fragments.heat_cell(c)


@register.simple_tag
def report_cells(cells):
    return fragments.cells(cells)


@register.simple_tag
def heat_cells(cells):
    return fragments.heat_cells(cells)


@register.simple_tag
def report_note(note):
    return fragments.note(note)
