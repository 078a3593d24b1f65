"""The individual report (PRODUCT §5): on screen, printable, and shared with the supervisor.

Views stay thin: fetch the participant through ``access`` (404 for anyone who may not read the
report, and for everyone before release), build the report with ``reports.individual_report``
(a fixed number of queries), and turn it into plain display values with ``present`` so the
templates only loop and test. Numbers pass through the anonymity rule before they get here;
nothing in this module decides what may be shown.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import access
from assessments.errors import DomainError
from assessments.reporting import pdf, reports, sharing
from assessments.reporting.anonymity import reports_visible
from assessments.reporting.presenting import insight
from assessments.reporting.presenting.individual import plan_link, present, since_previous


def _report_context(viewer, participant):
    """The report with its insight and the change since the previous cycle (the page; the print
    view and the PDF: ``insight.printable``)."""
    report = reports.individual_report(participant)
    context = present(report, viewer=viewer)
    context.update(insight.present_insight(report, context))
    context.update(since_previous(report, viewer=viewer))
    return context


@login_required
def individual(request, participant_id):
    participant = access.report_participant_for(request.user, participant_id)
    context = _report_context(request.user, participant)
    context["plan_link"] = plan_link(participant, request.user)
    return render(request, "assessments/reports/individual.html", context)


@login_required
def individual_print(request, participant_id):
    participant = access.report_participant_for(request.user, participant_id)
    context = insight.printable(reports.individual_report(participant), viewer=request.user)
    return render(request, "assessments/reports/individual_print.html", context)


@login_required
def individual_pdf(request, participant_id):
    """The same report as a PDF rendered on the server (assessments/reporting/pdf.py)."""
    participant = access.report_participant_for(request.user, participant_id)
    if not pdf.available():
        messages.error(request, pdf.unavailable_message())
        return redirect("reports:individual_print", participant.pk)
    context = insight.printable(reports.individual_report(participant), viewer=request.user)
    response = HttpResponse(pdf.report_pdf(context), content_type=pdf.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(participant)}"'
    return response


class ShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("Share")), ("0", gettext_lazy("Stop sharing"))],
        coerce=lambda value: value == "1",
    )


@login_required
@require_POST
def share(request, participant_id):
    participant = access.own_participation(request.user, participant_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to share your report or to stop sharing it."))
    else:
        try:
            participant = sharing.share_report(
                participant=participant, shared=form.cleaned_data["shared"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            name = participant.supervisor.get_full_name()
            if participant.shared_with_supervisor:
                messages.success(request, _("%(name)s can now read your report.") % {"name": name})
            else:
                messages.success(
                    request, _("Your report is no longer shared with %(name)s.") % {"name": name}
                )
    if reports_visible(participant.cycle):
        return redirect("reports:individual", participant.pk)
    return redirect("my360:participation", participant.pk)
