"""A released cycle's reports as one zip of PDFs: asked for, built by the worker, downloaded."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessments.access import hr_archive_for, hr_cycle_for
from assessments.errors import DomainError
from assessments.models import Cycle
from assessments.reporting import report_archives
from assessments.running.views.common import (
    hr_required,
)

State = Cycle.State


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_report_pdfs(request, cycle_id):
    """A released cycle's reports as one zip of PDFs, built in the background."""
    cycle = hr_cycle_for(cycle_id)
    if request.method == "POST":
        try:
            report_archives.request_archive(cycle=cycle, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("hr:cycle_report_pdfs", cycle.pk)
    archive = report_archives.latest(cycle)
    context = {
        "cycle": cycle,
        "archive": archive,
        "building": archive is not None and archive.state in ("waiting", "building"),
        "released": cycle.state == State.RELEASED,
    }
    return render(request, "assessments/hr/report_pdfs.html", context)


@hr_required
def report_archive_download(request, cycle_id, archive_id):
    cycle = hr_cycle_for(cycle_id)
    archive = hr_archive_for(cycle, archive_id)
    response = HttpResponse(bytes(archive.content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{report_archives.filename(archive)}"'
    return response
