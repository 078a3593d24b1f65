"""The individual report as a PDF, rendered on the server with WeasyPrint.

The PDF is the print view's own content (``_header.html``, the five-minute summary as its first
page, and ``_report.html``, insight included, over the same ``presenting.insight.printable``
context), so whatever the anonymity rule lets the report show, and only that, is in it.
``static/css/report_pdf.css`` packs it for A4: small type, two charts side by side where they
fit, headings kept with what follows them (never alone at a page foot).

WeasyPrint needs Debian's Pango libraries (the Makefile's ``system-packages`` installs them);
without them ``available()`` is False and the download says so instead of failing.
"""

import io
import zipfile

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

# Not Bootstrap: WeasyPrint takes seconds to apply it; the base sheet holds what the report uses.
STYLESHEETS = ("css/report_pdf_base.css", "css/report.css", "css/report_pdf.css")
CONTENT_TYPE = "application/pdf"


def available():
    """Whether WeasyPrint and the system libraries it loads are installed."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


_PARSED = {}


def _stylesheets():
    """Parsed once per process (the files change only with a deployment)."""
    from weasyprint import CSS

    if "sheets" not in _PARSED:
        _PARSED["sheets"] = [CSS(filename=finders.find(path)) for path in STYLESHEETS]
    return _PARSED["sheets"]


def render_document(context):
    """The laid-out WeasyPrint document (pages and boxes): tests read its pages."""
    from weasyprint import HTML

    html = render_to_string("assessments/reports/individual_pdf.html", context)
    return HTML(string=html).render(stylesheets=_stylesheets())


def report_pdf(context):
    return render_document(context).write_pdf()


def filename(participant):
    name = slugify(participant.person.get_full_name() or participant.person.email)
    return f"360-report-{slugify(participant.cycle.name)}-{name}.pdf"


def zip_of(named_pdfs):
    """A zip archive of (file name, PDF bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in named_pdfs:
            archive.writestr(name, data)
    return buffer.getvalue()


def unavailable_message():
    return _(
        "PDF downloads need WeasyPrint and the Pango libraries on the server "
        "(make system-packages installs them). Use the printable version meanwhile."
    )
