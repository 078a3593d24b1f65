"""Team report (supervisor) and cohort report (HR), on screen and as a CSV or XLSX export.

Views stay thin: fetch through ``access`` (404 for anyone who may not read the report, and for
everyone before release: no report of any kind exists before then), build the report with
``group_reports`` (a fixed number of queries whatever the number of participants), and turn it
into display values with ``presenting.groups`` so the templates only loop and test.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from assessments import access
from assessments.reporting import cohort_exports, group_reports
from assessments.reporting.presenting import groups
from assessments.running import exports


@login_required
def team(request, cycle_id):
    """The signed-in supervisor's team in one released cycle; 404 for anyone else."""
    cycle, report = access.team_report_for(request.user, cycle_id)
    context = groups.team_context(cycle, report)
    return render(request, "assessments/reports/team.html", context)


@access.hr_required
def cohort(request, cycle_id):
    cycle = access.released_cycle(cycle_id)
    context = groups.cohort_context(cycle, group_reports.cohort_report(cycle))
    return render(request, "assessments/reports/cohort.html", context)


@access.hr_required
def cohort_export(request, cycle_id):
    """Aggregates only, as in the cohort page: never a rater, an answer or a name."""
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404
    cycle = access.released_cycle(cycle_id)
    report = group_reports.cohort_report(cycle)
    name = f"cohort-report-{slugify(cycle.name) or cycle.pk}"
    if kind == "csv":
        content, content_type = cohort_exports.to_csv(report), exports.CSV_CONTENT_TYPE
    else:
        content, content_type = cohort_exports.to_xlsx(report), exports.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
