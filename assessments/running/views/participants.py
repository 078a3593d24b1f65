"""HR's pages about a cycle's people: a participant's page, the CSV imports (and their
templates), the participation export."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments.access import hr_cycle_for, hr_participant_for
from assessments.answering import cards, invitations
from assessments.errors import DomainError
from assessments.models import Cycle
from assessments.running import exports, hr_actions, imports, monitoring
from assessments.running.forms import (
    CardRaterForm,
    ImportForm,
)
from assessments.running.views.common import (
    failed_post_status,
    hr_required,
    not_now,
)
from compass.models import Level

State = Cycle.State


@hr_required
def participant_detail(request, cycle_id, participant_id):
    cycle = hr_cycle_for(cycle_id)
    participant = hr_participant_for(cycle, participant_id)
    raters = monitoring.raters_of(participant)
    rows = [
        {
            "rater": rater,
            "response": getattr(rater, "response", None),
            "can_resend": invitations.link_ready(rater) is None,
            "can_replace": hr_actions.why_not_replace(rater) is None,
            "can_remove": hr_actions.why_not_remove(rater) is None,
            "has_card": not rater.has_email and cards.card_problem(rater) is None,
        }
        for rater in raters
    ]
    return render(
        request,
        "assessments/hr/participant_detail.html",
        {
            "cycle": cycle,
            "participant": participant,
            "rows": rows,
            # Nobody is added to a progress pulse: its raters were chosen when it started.
            "card_form": CardRaterForm() if cycle.accepts_changes and not cycle.is_pulse else None,
        },
    )


# --- imports -------------------------------------------------------------------------------


def _run_import(request, form, cycle, run):
    """Post the file, run the import: errors of the whole file go on the form, errors of a row
    into the table it returns; (the import's outcome or None, the row errors)."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    try:
        return run(cycle=cycle, data=form.read(), by=request.user), []
    except imports.ImportRejected as rejected:
        row_errors = [error for error in rejected.errors if error.row is not None]
        for error in rejected.errors:
            if error.row is None:
                form.add_error("file", error.message)
        if row_errors:
            messages.error(request, rejected.message)
        return None, row_errors
    except DomainError as error:
        form.add_error("file", error.message)
        return None, []


def _import_view(request, cycle, *, run, template, success, **context):
    if problem := imports.why_not_import(cycle):
        return not_now(request, cycle, problem)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome, row_errors = _run_import(request, form, cycle, run)
    if outcome is not None:
        messages.success(request, success(outcome))
        return redirect("hr:cycle_detail", cycle.pk)
    context |= {
        "cycle": cycle,
        "form": form,
        "row_errors": row_errors,
        "max_rows": imports.MAX_ROWS,
        "max_mb": imports.MAX_BYTES // (1024 * 1024),
    }
    return render(request, template, context, status=failed_post_status(request))


@hr_required
@require_http_methods(["GET", "POST"])
def import_participants(request, cycle_id):
    def success(summary):
        message = _(
            "Import done: %(added)s participants added, %(updated)s updated, %(unchanged)s "
            "unchanged; %(accounts)s new accounts."
        ) % {
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "accounts": summary.accounts_created,
        }
        if summary.without_supervisor:
            message += " " + _(
                "%(n)s participants have no supervisor: check that they are at the top of "
                "the hierarchy."
            ) % {"n": summary.without_supervisor}
        return message

    cycle = hr_cycle_for(cycle_id)
    return _import_view(
        request,
        cycle,
        run=imports.import_participants,
        template="assessments/hr/import_participants.html",
        success=success,
        columns=[(name, imports.COLUMN_HELP[name]) for name in imports.PARTICIPANT_COLUMNS],
        levels=Level.objects.filter(edition=cycle.edition),
    )


@hr_required
@require_http_methods(["GET", "POST"])
def import_raters(request, cycle_id):
    return _import_view(
        request,
        hr_cycle_for(cycle_id),
        run=imports.import_raters,
        template="assessments/hr/import_raters.html",
        success=lambda added: _("Import done: %(n)s raters nominated.") % {"n": added},
    )


def _csv_download(content, filename):
    response = HttpResponse(content, content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@hr_required
def participants_template(request):
    return _csv_download(
        imports.template_csv(imports.PARTICIPANT_COLUMNS), "participants_template.csv"
    )


@hr_required
def raters_template(request):
    return _csv_download(imports.template_csv(imports.RATER_COLUMNS), "raters_template.csv")


# --- exports -------------------------------------------------------------------------------


@hr_required
def export_participation(request, cycle_id):
    cycle = hr_cycle_for(cycle_id)
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404
    participants = monitoring.sort_participants(
        monitoring.participants_with_progress(cycle), "name"
    )
    name = f"participation-{slugify(cycle.name) or cycle.pk}-{timezone.localdate().isoformat()}"
    if kind == "csv":
        return _csv_download(exports.to_csv(participants), f"{name}.csv")
    response = HttpResponse(
        exports.to_xlsx(participants, title=cycle.name), content_type=exports.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
