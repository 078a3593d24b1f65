"""The five-minute summary of an individual report (issue 18): a page of its own."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from assessments import access
from assessments.reporting import reports
from assessments.reporting.presenting import individual as report_views
from assessments.reporting.presenting.insight import present_insight


@login_required
def summary(request, participant_id):
    participant = access.report_participant_for(request.user, participant_id)
    report = reports.individual_report(participant)
    context = report_views.present(report, viewer=request.user)
    context.update(present_insight(report, context))
    context["details_url"] = reverse("reports:individual", args=[participant.pk])
    return render(request, "assessments/reports/summary.html", context)
