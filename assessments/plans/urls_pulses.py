"""Progress pulses of leaders (issue 19): start one from a released 360, follow it."""

from django.urls import path

from assessments.plans import pulse_views

app_name = "pulses"

urlpatterns = [
    # ``participant_id``: the leader's participation in the released 360.
    path("start/<int:participant_id>/", pulse_views.start, name="start"),
    # ``participant_id``: the leader's participation in the pulse.
    path("<int:participant_id>/", pulse_views.detail, name="detail"),
]
