"""Rater links: no account needed, the token in the path is the key."""

from django.urls import path

from assessments.answering.views import questionnaire as views

app_name = "rater"

urlpatterns = [
    # A rater with a printed card types its short code here (assessments/answering/cards.py).
    path("", views.code, name="code"),
    path("<str:token>/", views.start, name="start"),
    path("<str:token>/section/<int:number>/", views.section, name="section"),
    path("<str:token>/review/", views.review, name="review"),
    path("<str:token>/decline/", views.decline, name="decline"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/language/", views.language, name="language"),
]
