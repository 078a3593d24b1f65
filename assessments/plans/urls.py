"""Action plans: the leader's, shared with the supervisor."""

from django.urls import path

from assessments.plans import views as plans

app_name = "plans"

urlpatterns = [
    path("<int:participant_id>/", plans.plan, name="plan"),
    path("<int:participant_id>/focus/", plans.add_focus, name="add_focus"),
    path(
        "<int:participant_id>/focus/<int:focus_id>/remove/",
        plans.remove_focus,
        name="remove_focus",
    ),
    path(
        "<int:participant_id>/focus/<int:focus_id>/actions/",
        plans.add_action,
        name="add_action",
    ),
    path(
        "<int:participant_id>/actions/<int:action_id>/status/",
        plans.action_status,
        name="action_status",
    ),
    path(
        "<int:participant_id>/actions/<int:action_id>/edit/",
        plans.edit_action,
        name="edit_action",
    ),
    path(
        "<int:participant_id>/actions/<int:action_id>/delete/",
        plans.delete_action,
        name="delete_action",
    ),
    path("<int:participant_id>/share/", plans.share, name="share"),
    path("<int:participant_id>/comments/", plans.comment, name="comment"),
]
