"""``{% report_cell c %}`` and ``{% heat_cell c %}``: a report's cells as ``_cell.html`` and
``_heat_cell.html`` render them, without an include per cell
(``assessments/reporting/presenting/fragments.py``)."""

from django import template

from assessments.reporting.presenting import fragments

register = template.Library()


@register.simple_tag
def report_cell(c):
    return fragments.cell(c)


@register.simple_tag
def heat_cell(c):
    return fragments.heat_cell(c)
