"""Reports: individual (leader, shared supervisor, HR), team (supervisor), cohort (HR)."""

from django.urls import path

from .views import reports

app_name = "reports"

urlpatterns = [
    path("<int:participant_id>/", reports.individual, name="individual"),
    path("<int:participant_id>/print/", reports.individual_print, name="individual_print"),
    path("<int:participant_id>/share/", reports.share, name="share"),
]
