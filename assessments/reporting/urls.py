"""Reports: individual (leader, shared supervisor, HR), team (supervisor), cohort (HR)."""

from django.urls import path

from assessments.reporting.views import group_reports, insight, reports

app_name = "reports"

urlpatterns = [
    path("<int:participant_id>/", reports.individual, name="individual"),
    path("<int:participant_id>/summary/", insight.summary, name="individual_summary"),
    path("<int:participant_id>/print/", reports.individual_print, name="individual_print"),
    path("<int:participant_id>/pdf/", reports.individual_pdf, name="individual_pdf"),
    path("<int:participant_id>/share/", reports.share, name="share"),
    path("team/<int:cycle_id>/", group_reports.team, name="team"),
    path("cohort/<int:cycle_id>/", group_reports.cohort, name="cohort"),
    path("cohort/<int:cycle_id>/export/", group_reports.cohort_export, name="cohort_export"),
]
