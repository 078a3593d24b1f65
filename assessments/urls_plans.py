"""Action plans: the leader's, shared with the supervisor."""

from django.urls import path

from .views import plans

app_name = "plans"

urlpatterns = [
    path("<int:participant_id>/", plans.plan, name="plan"),
]
