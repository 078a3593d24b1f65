"""HR's pages about a cycle's people: a participant's page, the CSV imports (and their
templates), the participation export."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments.answering import cards, invitations
from assessments.errors import DomainError
from assessments.models import Cycle, RaterGroup
from assessments.running import exports, imports, monitoring
from assessments.running.forms import (
    CardRaterForm,
    ImportForm,
)
from assessments.running.views.common import (
    get_cycle,
    get_participant,
    hr_required,
)
from compass.models import Level

State = Cycle.State


@hr_required
def participant_detail(request, cycle_id, participant_id):
    cycle = get_cycle(cycle_id)
    participant = get_participant(cycle, participant_id)
    raters = monitoring.raters_of(participant)
    rows = [
        {
            "rater": rater,
            "response": getattr(rater, "response", None),
            "can_resend": invitations.link_ready(rater) is None,
            "can_replace": cycle.state in (State.DRAFT, State.OPEN)
            and rater.group != RaterGroup.SELF,
            "can_remove": cycle.state != State.RELEASED and rater.group != RaterGroup.SELF,
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
            "card_form": CardRaterForm() if cycle.state in (State.DRAFT, State.OPEN) else None,
        },
    )


# --- imports -------------------------------------------------------------------------------


def _import_view(request, cycle, *, run, template, success):
    if cycle.state not in imports.IMPORTABLE_STATES:
        messages.error(request, _("Imports are only possible while the cycle is a draft or open."))
        return redirect("hr:cycle_detail", cycle.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = run(cycle=cycle, data=form.read(), by=request.user)
            except imports.ImportRejected as rejected:
                for error in rejected.errors:
                    if error.row is None:
                        form.add_error("file", error.message)
                    else:
                        row_errors.append(error)
                if row_errors:
                    messages.error(request, rejected.message)
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, success(outcome))
                return redirect("hr:cycle_detail", cycle.pk)
        status = 400
    context = {
        "cycle": cycle,
        "form": form,
        "row_errors": row_errors,
        "max_rows": imports.MAX_ROWS,
        "max_mb": imports.MAX_BYTES // (1024 * 1024),
    }
    if template.endswith("import_participants.html"):
        context["columns"] = [
            (name, imports.COLUMN_HELP[name]) for name in imports.PARTICIPANT_COLUMNS
        ]
        context["levels"] = Level.objects.filter(edition=cycle.edition)
    return render(request, template, context, status=status)


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

    return _import_view(
        request,
        get_cycle(cycle_id),
        run=imports.import_participants,
        template="assessments/hr/import_participants.html",
        success=success,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def import_raters(request, cycle_id):
    return _import_view(
        request,
        get_cycle(cycle_id),
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
    cycle = get_cycle(cycle_id)
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
