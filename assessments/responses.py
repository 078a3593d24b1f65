"""Answering the questionnaire: drafts that lose nothing, one final submission, declining.

Saves and submissions lock the rater's row, so a double click or two tabs cannot produce two
submissions or interleave half-saved sections.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import Answer, Comment, Rater, Response
from .questionnaire import NOT_OBSERVED, build_questionnaire

Status = Rater.Status


class IncompleteResponse(DomainError):
    """Submitted with items unanswered; ``missing`` holds their keys, in questionnaire order."""

    def __init__(self, missing):
        super().__init__(_("%(n)s questions still need an answer.") % {"n": len(missing)})
        self.missing = missing


def _locked_rater(rater):
    return Rater.objects.select_for_update().select_related("participant__cycle").get(pk=rater.pk)


def check_can_answer(rater):
    """Raise a DomainError the rater can read when answering is no longer possible."""
    if not rater.participant.cycle.accepts_answers():
        raise DomainError(
            _(
                "This feedback round has closed, so answers can no longer be saved. "
                "What you saved before is kept."
            )
        )
    if rater.status == Status.SUBMITTED:
        raise DomainError(_("Your answers have been submitted and can no longer change."))
    if rater.status == Status.DECLINED:
        raise DomainError(_("You declined to give feedback in this round."))


def answers_of(response):
    """{item key: score or NOT_OBSERVED} for a response (one query)."""
    if response is None:
        return {}
    return {
        answer.item_key: answer.score if answer.score is not None else NOT_OBSERVED
        for answer in Answer.objects.filter(response=response)
    }


def comments_of(response):
    """{(enabler id, kind): text} for a response (one query)."""
    if response is None:
        return {}
    return {(c.enabler_id, c.kind): c.text for c in Comment.objects.filter(response=response)}


def _parse_value(item, value):
    if value == NOT_OBSERVED:
        return None
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError(_("An answer is outside the scale."), field=item.key)
    return score


@transaction.atomic
def save_section(*, rater, section, values, comments):
    """Save one section as a draft; items left blank stay as they were.

    ``values`` maps item keys to "1".."5" or NOT_OBSERVED; ``comments`` maps comment kinds to
    text (an empty text removes the comment). Runs in a fixed number of queries.
    """
    rater = _locked_rater(rater)
    check_can_answer(rater)
    response, _created = Response.objects.get_or_create(rater=rater)
    given = {}
    for item in section.items:
        value = values.get(item.key)
        if value in (None, ""):
            continue
        given[item] = _parse_value(item, value)
    indicator_ids = [i.indicator_id for i in given if i.indicator_id]
    pitfall_ids = [i.pitfall_id for i in given if i.pitfall_id]
    if indicator_ids:
        Answer.objects.filter(response=response, indicator_id__in=indicator_ids).delete()
    if pitfall_ids:
        Answer.objects.filter(response=response, pitfall_id__in=pitfall_ids).delete()
    Answer.objects.bulk_create(
        Answer(
            response=response,
            indicator_id=item.indicator_id,
            pitfall_id=item.pitfall_id,
            score=score,
        )
        for item, score in given.items()
    )
    kept = {kind: text.strip() for kind, text in comments.items() if text and text.strip()}
    Comment.objects.filter(response=response, enabler=section.enabler).delete()
    Comment.objects.bulk_create(
        Comment(response=response, enabler=section.enabler, kind=kind, text=text)
        for kind, text in kept.items()
    )
    if rater.status in (Status.NOMINATED, Status.INVITED):
        rater.status = Status.STARTED
        rater.save(update_fields=["status"])
    response.updated_at = timezone.now()
    Response.objects.filter(pk=response.pk).update(updated_at=response.updated_at)
    return response


def missing_items(questionnaire, answers):
    return [key for key in questionnaire.item_keys if key not in answers]


@transaction.atomic
def submit_response(*, rater, questionnaire=None):
    """Make the response final. A second submission (double click, second tab) changes nothing
    and is not an error: the rater sees the same thank-you page.

    ``questionnaire`` is the rater's, when the caller has built it already (it depends only on
    the participant's level, which does not change); the answers are read again under the lock.
    """
    rater = _locked_rater(rater)
    if rater.status == Status.SUBMITTED:
        return rater.response
    check_can_answer(rater)
    response = Response.objects.filter(rater=rater).first()
    if questionnaire is None:
        questionnaire = build_questionnaire(rater.participant.level)
    missing = missing_items(questionnaire, answers_of(response))
    if missing:
        raise IncompleteResponse(missing)
    now = timezone.now()
    Response.objects.filter(pk=response.pk, submitted_at__isnull=True).update(submitted_at=now)
    rater.status = Status.SUBMITTED
    rater.save(update_fields=["status"])
    response.submitted_at = now
    return response


@transaction.atomic
def decline(*, rater, reason=""):
    rater = _locked_rater(rater)
    check_can_answer(rater)
    if rater.group == "self":
        raise DomainError(_("The self-assessment cannot be declined."))
    rater.status = Status.DECLINED
    rater.declined_reason = (reason or "").strip()[:2000]
    rater.save(update_fields=["status", "declined_reason"])
    return rater
