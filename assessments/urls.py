"""The app's pages, by what they are for: each part of the app brings its own URLs."""

from django.urls import include, path

urlpatterns = [
    path("me/", include("assessments.answering.urls_my360")),
    path("hr/", include("assessments.running.urls")),
    path("reports/", include("assessments.reporting.urls")),
    path("plans/", include("assessments.plans.urls")),
    path("pulses/", include("assessments.plans.urls_pulses")),
    path("r/", include("assessments.answering.urls")),
]
