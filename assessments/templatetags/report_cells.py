"""A report's cells and notes as their templates render them, without an include each
(``assessments/reporting/presenting/fragments.py``): ``{% report_cell c %}`` (``_cell.html``),
``{% report_cells cells %}`` (a row's, each in its ``<td>``), ``{% heat_cell c %}`` and
``{% heat_cells cells %}`` (heatmaps), ``{% report_note note %}`` (``_notes.html``)."""

from django import template

from assessments.reporting.presenting import fragments

register = template.Library()

# Each tag is the fragment's own function: the template tag adds nothing to it.
register.simple_tag(fragments.cell, name="report_cell")
register.simple_tag(fragments.heat_cell, name="heat_cell")
register.simple_tag(fragments.cells, name="report_cells")
register.simple_tag(fragments.heat_cells, name="heat_cells")
register.simple_tag(fragments.note, name="report_note")
