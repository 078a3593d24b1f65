"""HR downloads a released cycle's individual reports as one zip of PDFs (issue 16).

Rendering a few hundred PDFs takes minutes, so the archive is built by the task worker, one
report at a time, counting as it goes; the HR page shows that count until the zip is ready.
Each PDF is the report as HR reads it (the print view's content, under the anonymity rule).
"""

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessments.errors import DomainError
from assessments.models import Participant, ReportArchive
from assessments.reporting import pdf, reports
from assessments.reporting.anonymity import reports_visible
from assessments.reporting.presenting.insight import printable

State = ReportArchive.State


@transaction.atomic
def request_archive(*, cycle, by):
    if not reports_visible(cycle):
        raise DomainError(_("Reports can be downloaded once the cycle is released."))
    if not pdf.available():
        raise DomainError(pdf.unavailable_message())
    running = cycle.report_archives.filter(state__in=(State.WAITING, State.BUILDING)).first()
    if running is not None:
        return running
    archive = ReportArchive.objects.create(
        cycle=cycle, requested_by=by, total=cycle.participants.count()
    )
    transaction.on_commit(lambda: build_report_archive.enqueue(archive.pk))
    return archive


def build(archive_id):
    """Render every report of the archive's cycle and zip them; the count moves as it goes."""
    archive = ReportArchive.objects.select_related("cycle", "requested_by").get(pk=archive_id)
    if archive.state not in (State.WAITING, State.BUILDING):
        return archive
    archive.state, archive.done = State.BUILDING, 0
    archive.save(update_fields=["state", "done"])
    participants = Participant.objects.filter(cycle=archive.cycle).select_related(
        "cycle", "person", "level", "supervisor"
    )
    files = []
    try:
        for participant in participants.order_by("person__full_name", "pk"):
            report = reports.individual_report(participant)
            context = printable(report, viewer=archive.requested_by)
            files.append((pdf.filename(participant), pdf.report_pdf(context)))
            ReportArchive.objects.filter(pk=archive.pk).update(done=len(files))
    except Exception:
        ReportArchive.objects.filter(pk=archive.pk).update(
            state=State.FAILED, finished_at=timezone.now()
        )
        raise
    ReportArchive.objects.filter(pk=archive.pk).update(
        state=State.READY,
        done=len(files),
        total=len(files),
        content=pdf.zip_of(files),
        finished_at=timezone.now(),
    )
    archive.refresh_from_db()
    return archive


def latest(cycle):
    """The cycle's newest archive, without its content (the page shows the count only)."""
    return cycle.report_archives.defer("content").first()


def filename(archive):
    return f"360-reports-{slugify(archive.cycle.name)}.zip"


@task
def build_report_archive(archive_id):
    """A released cycle's reports as one zip of PDFs (HR's download)."""
    return build(archive_id).done
