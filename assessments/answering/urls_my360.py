"""Signed-in pages of leaders and supervisors ("My 360", nominations, approvals)."""

from django.urls import path

from assessments.answering.views import leader
from assessments.answering.views import questionnaire as self_views

app_name = "my360"

urlpatterns = [
    path("", leader.index, name="index"),
    path("<int:participant_id>/", leader.participation, name="participation"),
    path("<int:participant_id>/nominations/", leader.nominate, name="nominate"),
    path(
        "<int:participant_id>/nominations/<int:rater_id>/remove/",
        leader.remove_nomination,
        name="remove_nomination",
    ),
    path(
        "<int:participant_id>/nominations/<int:rater_id>/replace/",
        leader.replace_nomination,
        name="replace_nomination",
    ),
    path(
        "<int:participant_id>/nominations/send/",
        leader.submit_nominations,
        name="submit_nominations",
    ),
    path("<int:participant_id>/approvals/", leader.approvals, name="approvals"),
    path(
        "<int:participant_id>/raters/<int:rater_id>/card/",
        leader.rater_card,
        name="rater_card",
    ),
    # The self-assessment: the same questionnaire views as rater links, reached signed in.
    path("<int:participant_id>/self/", self_views.self_start, name="self_start"),
    path(
        "<int:participant_id>/self/section/<int:number>/",
        self_views.self_section,
        name="self_section",
    ),
    path("<int:participant_id>/self/review/", self_views.self_review, name="self_review"),
    path("<int:participant_id>/self/thanks/", self_views.self_thanks, name="self_thanks"),
    # Feedback asked of the signed-in user: the rater's questionnaire, without the email link.
    path("feedback/<int:rater_id>/", self_views.feedback_start, name="feedback_start"),
    path(
        "feedback/<int:rater_id>/section/<int:number>/",
        self_views.feedback_section,
        name="feedback_section",
    ),
    path("feedback/<int:rater_id>/review/", self_views.feedback_review, name="feedback_review"),
    path("feedback/<int:rater_id>/decline/", self_views.feedback_decline, name="feedback_decline"),
    path("feedback/<int:rater_id>/thanks/", self_views.feedback_thanks, name="feedback_thanks"),
]
