"""The individual report as a server-rendered PDF (WeasyPrint): a typical demo report fits in
ten A4 pages, no heading is left alone at the foot of a page, and the PDF is the print view's
content (what the anonymity rule lets the report show)."""

import pytest
from django.db import transaction
from django.urls import reverse

from assessments.models import Participant
from assessments.reporting import pdf, reports
from assessments.reporting.presenting.insight import printable
from devtools import demo

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not pdf.available(),
        reason="WeasyPrint or Debian's Pango libraries are missing: `make system-packages` "
        "installs libpango-1.0-0 and libpangoft2-1.0-0 (as root)",
    ),
]

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@pytest.fixture(scope="module")
def released(django_db_setup, django_db_blocker):
    """The demo data (its released cycle is a typical report), once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.seed()
        yield
        transaction.set_rollback(True)


def context_for(participant):
    return printable(reports.individual_report(participant), viewer=participant.person)


def lone_headings(document):
    """(page number, heading text) for every page whose last block is a heading."""
    from weasyprint.formatting_structure import boxes

    found = []
    for number, page in enumerate(document.pages, start=1):
        blocks = [
            box
            for box in page._page_box.descendants()
            if isinstance(box, boxes.BlockBox | boxes.TableRowBox | boxes.LineBox)
            and not isinstance(box, boxes.MarginBox)
            and getattr(box, "element_tag", None) not in (None, "html", "body")
        ]
        # The last block laid out on the page, and the element it belongs to.
        content = [box for box in blocks if not isinstance(box, boxes.LineBox)]
        if content and content[-1].element_tag in HEADINGS:
            found.append((number, content[-1].element_tag))
    return found


def test_a_typical_demo_report_fits_ten_a4_pages_with_no_heading_alone_at_a_foot(released):
    participants = Participant.objects.filter(cycle__name=demo.RELEASED_CYCLE_NAME).select_related(
        "person", "cycle", "level"
    )
    leader = participants.get(person__email=demo.LEADER_EMAIL)
    document = pdf.render_document(context_for(leader))
    assert len(document.pages) <= 10
    width, height = document.pages[0].width, document.pages[0].height
    assert (round(width * 25.4 / 96), round(height * 25.4 / 96)) == (210, 297)  # A4, in mm
    assert lone_headings(document) == []


def test_leader_downloads_the_pdf_of_their_report(released, client):
    leader = Participant.objects.select_related("person").get(
        cycle__name=demo.RELEASED_CYCLE_NAME, person__email=demo.LEADER_EMAIL
    )
    client.force_login(leader.person)
    page = client.get(reverse("reports:individual", args=[leader.pk])).content.decode()
    url = reverse("reports:individual_pdf", args=[leader.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="360-report-')
    assert response.content.startswith(b"%PDF-")


def test_the_pdf_holds_the_print_views_content(released):
    leader = Participant.objects.select_related("person", "cycle", "level").get(
        cycle__name=demo.RELEASED_CYCLE_NAME, person__email=demo.LEADER_EMAIL
    )
    from django.template.loader import render_to_string

    context = context_for(leader)
    html = render_to_string("assessments/reports/individual_pdf.html", context)
    printed = render_to_string("assessments/reports/_report.html", context)
    assert printed.strip() in html


def page_text(page):
    from weasyprint.formatting_structure import boxes

    return " ".join(
        box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox)
    )


def test_the_pdf_opens_on_the_five_minute_summary_and_carries_the_insight(released):
    """Issue 18: the summary is the PDF's first page, as in the print view, and the insight
    (with how it is worked out, and whom to ask) is in it."""
    leader = Participant.objects.select_related("person", "cycle", "level").get(
        cycle__name=demo.RELEASED_CYCLE_NAME, person__email=demo.LEADER_EMAIL
    )
    document = pdf.render_document(context_for(leader))
    first = page_text(document.pages[0])
    assert "Your 360 in five minutes" in first
    assert "Strongest as others see you" in first
    assert "1. Who answered" not in first  # the report starts on the next page
    assert "1. Who answered" in page_text(document.pages[1])
    text = " ".join(page_text(page) for page in document.pages)
    assert "What others see compared with you and with other leaders" in text
    assert "How these are worked out" in text


def test_hr_builds_a_zip_of_every_report_in_the_background_and_sees_progress(
    released, client, hr_admin, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    from assessments.models import Cycle, ReportArchive

    cycle = Cycle.objects.get(name=demo.RELEASED_CYCLE_NAME)
    # A small cohort keeps the test quick: the released demo cycle minus all but two.
    keep = list(cycle.participants.order_by("person__full_name").values_list("pk", flat=True)[:2])
    cycle.participants.exclude(pk__in=keep).delete()
    client.force_login(hr_admin)
    url = reverse("hr:cycle_report_pdfs", args=[cycle.pk])
    assert "Build the zip of PDFs" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url)
    archive = ReportArchive.objects.get(cycle=cycle)
    page = client.get(url).content.decode()
    assert "Building: 0 of 2 reports" in page
    assert 'http-equiv="refresh"' in page  # the page follows the progress by itself
    for callback in callbacks:  # the worker runs the task
        callback()
    archive.refresh_from_db()
    assert (archive.state, archive.done, archive.total) == ("ready", 2, 2)
    page = client.get(url).content.decode()
    download = reverse("hr:report_archive_download", args=[cycle.pk, archive.pk])
    assert download in page and 'http-equiv="refresh"' not in page
    response = client.get(download)
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)


def test_no_archive_before_release(client, hr_admin, compass):
    from assessments.models import Cycle, ReportArchive
    from tests.factories import CycleFactory

    cycle = CycleFactory(state=Cycle.State.CLOSED)
    client.force_login(hr_admin)
    response = client.post(reverse("hr:cycle_report_pdfs", args=[cycle.pk]), follow=True)
    assert "once the cycle is released" in response.content.decode()
    assert not ReportArchive.objects.exists()
