"""Personal data on request: erase a person while the numbers they contributed stay.

Answers are anonymous scores and stay, so every report reads the same afterwards; what names
or describes the person goes: their name and email (account and rater rows) and the comments
they wrote, which are their own words.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments.models import Comment, Cycle, Rater, User

ERASED_NAME = "Erased person"


def _erased_email(pk, kind):
    return f"erased-{kind}-{pk}@erased.invalid"


@transaction.atomic
def erase_person(*, email):
    """Erase everything that names the person with ``email``; returns what was changed."""
    email = email.strip().lower()
    if not email:  # raters without email have an empty one: never erase them all at once
        return {"account": 0, "rater_rows": 0, "comments": 0}
    user = User.objects.filter(email__iexact=email).first()
    raters = Rater.objects.filter(
        Q(email__iexact=email) | Q(user=user) if user else Q(email__iexact=email)
    )
    rater_ids = list(raters.values_list("pk", flat=True))
    comments = Comment.objects.filter(response__rater_id__in=rater_ids).delete()[0]
    for rater in Rater.objects.filter(pk__in=rater_ids):
        rater.name = ERASED_NAME
        rater.email = _erased_email(rater.pk, "rater")
        rater.user = None
        rater.token_hash = None
        rater.previous_token_hash = None
        rater.code_hash = None
        rater.link_secret = ""
        rater.declined_reason = ""
        rater.save(
            update_fields=[
                "name",
                "email",
                "user",
                "token_hash",
                "previous_token_hash",
                "code_hash",
                "link_secret",
                "declined_reason",
            ]
        )
    if user is not None:
        user.full_name = ERASED_NAME
        user.email = _erased_email(user.pk, "user")
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["full_name", "email", "is_active", "password"])
    return {"account": 1 if user else 0, "rater_rows": len(rater_ids), "comments": comments}


@transaction.atomic
def apply_retention(*, days, now=None):
    """Cycles released more than ``days`` ago keep their answers — reports read the same —
    but no answer can be traced to the person who gave it any more: rater names, emails,
    links and reasons for declining are erased. Returns how many rater rows were erased."""
    now = now or timezone.now()
    raters = Rater.objects.filter(
        participant__cycle__state=Cycle.State.RELEASED,
        participant__cycle__released_at__lt=now - timedelta(days=days),
    ).exclude(name=ERASED_NAME)
    erased = 0
    for rater in raters.only("pk"):
        Rater.objects.filter(pk=rater.pk).update(
            name=ERASED_NAME,
            email=_erased_email(rater.pk, "rater"),
            user=None,
            token_hash=None,
            previous_token_hash=None,
            code_hash=None,
            link_secret="",
            declined_reason="",
        )
        erased += 1
    return erased
