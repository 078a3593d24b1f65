"""Answering the questionnaire: drafts that lose nothing, one final submission, declining.

Saves and submissions lock the rater's row, so a double click or two tabs cannot produce two
submissions or interleave half-saved sections.
"""

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.answering import prepared
from assessments.answering.questionnaire import (
    NOT_OBSERVED,
    change_key,
    change_value,
    indicator_key,
    pitfall_key,
    questionnaire_for,
)
from assessments.errors import DomainError
from assessments.models import Answer, ChangeAnswer, Comment, Cycle, Participant, Rater, Response

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


def answers_of(response, *, changes=False):
    """{item key: score or NOT_OBSERVED} for a response (one query). With ``changes`` (a
    progress pulse), also the answers to its change questions, as their signed radio values
    (a second query)."""
    if response is None:
        return {}
    # Plain rows, not model instances: a section page reads up to a hundred answers.
    rows = Answer.objects.filter(response_id=response.pk).values_list(
        "indicator_id", "pitfall_id", "score"
    )
    answers = {
        (indicator_key(indicator) if indicator else pitfall_key(pitfall)): (
            NOT_OBSERVED if score is None else score
        )
        for indicator, pitfall, score in rows
    }
    if changes:
        rows = ChangeAnswer.objects.filter(response_id=response.pk).values_list(
            "enabler_id", "score"
        )
        for enabler_id, score in rows:
            answers[change_key(enabler_id)] = NOT_OBSERVED if score is None else change_value(score)
    return answers


def comments_of(response):
    """{(enabler id, kind): text} for a response (one query)."""
    if response is None:
        return {}
    rows = Comment.objects.filter(response_id=response.pk).values_list("enabler_id", "kind", "text")
    return {(enabler_id, kind): text for enabler_id, kind, text in rows}


def answers_and_comments(response):
    """``(answers_of(response), comments_of(response))`` in one query: a section page reads
    both on every visit."""
    if response is None:
        return {}, {}
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NULL, indicator_id, pitfall_id, score, NULL "  # noqa: S608 (our own names)
            f"FROM {q(Answer._meta.db_table)} WHERE response_id = %s "
            "UNION ALL "
            f"SELECT kind, enabler_id, NULL, NULL, text FROM {q(Comment._meta.db_table)} "
            "WHERE response_id = %s",
            [response.pk, response.pk],
        )
        rows = cursor.fetchall()
    answers, comments = {}, {}
    for kind, first_id, pitfall_id, score, text in rows:
        if kind is not None:
            comments[first_id, kind] = text
        elif first_id:
            answers[indicator_key(first_id)] = NOT_OBSERVED if score is None else score
        else:
            answers[pitfall_key(pitfall_id)] = NOT_OBSERVED if score is None else score
    return answers, comments


def _parse_value(item, value):
    if value == NOT_OBSERVED:
        return None
    lowest, highest = (-3, 3) if item.is_change else (1, 5)
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = None
    if score is None or not lowest <= score <= highest:
        raise DomainError(_("An answer is outside the scale."), field=item.key)
    return score


def _claim_for_answering(rater):
    """Lock the rater's row for this transaction and mark them as started, in one UPDATE that
    matches only while answering is possible; otherwise raise the reason (a rarer path that
    reads the rater again). The lock serialises two tabs or a double click of one rater."""
    if not rater.participant.cycle.accepts_answers():  # past its close date, or closed
        check_can_answer(_locked_rater(rater))
    q = connection.ops.quote_name
    rater_table, participant = Rater._meta.db_table, Participant._meta.db_table
    cycle = Cycle._meta.db_table
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            f"UPDATE {q(rater_table)} SET status = CASE WHEN status IN (%s, %s) "  # noqa: S608
            "THEN %s ELSE status END "
            "WHERE id = %s AND status NOT IN (%s, %s) AND EXISTS ("
            f"SELECT 1 FROM {q(participant)} p JOIN {q(cycle)} c ON c.id = p.cycle_id "
            f"WHERE p.id = {q(rater_table)}.participant_id AND c.state = %s)",
            [
                Status.NOMINATED,
                Status.INVITED,
                Status.STARTED,
                rater.pk,
                Status.SUBMITTED,
                Status.DECLINED,
                Cycle.State.OPEN,
            ],
            connection=transaction.get_connection(),
        )
        if cursor.rowcount == 1:
            return
    check_can_answer(_locked_rater(rater))
    raise DomainError(_("Your answers could not be saved. Please try again."))


@transaction.atomic
def save_section(*, rater, section, values, comments):
    """Save one section as a draft; items left blank stay as they were.

    ``values`` maps item keys to "1".."5" or NOT_OBSERVED; ``comments`` maps comment kinds to
    text (an empty text removes the comment). Answers and comments are upserts: whatever the
    draft held, a save is the same few statements.
    """
    given = {}
    for item in section.items:
        value = values.get(item.key)
        if value in (None, ""):
            continue
        given[item] = _parse_value(item, value)
    _claim_for_answering(rater)
    response = _upsert_response(rater)
    answers = [
        (response.pk, item.indicator_id, item.pitfall_id, score)
        for item, score in given.items()
        if not item.is_change
    ]
    _upsert(Answer, ("response_id", "indicator_id", "pitfall_id", "score"), answers)
    changes = {item: score for item, score in given.items() if item.is_change}
    if changes:  # a progress pulse's question on the change since the 360
        ChangeAnswer.objects.bulk_create(
            [
                ChangeAnswer(response_id=response.pk, enabler_id=item.enabler_id, score=score)
                for item, score in changes.items()
            ],
            update_conflicts=True,
            unique_fields=["response", "enabler"],
            update_fields=["score"],
        )
    kept = {kind: (text or "").strip() for kind, text in comments.items()}
    removed = [kind for kind, text in kept.items() if not text]
    written = [(response.pk, section.enabler.pk, kind, text) for kind, text in kept.items() if text]
    _upsert(Comment, ("response_id", "enabler_id", "kind", "text"), written)
    if removed:
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {q(Comment._meta.db_table)} "  # noqa: S608 (our own names)
                "WHERE response_id = %s AND enabler_id = %s "
                f"AND kind IN ({', '.join(['%s'] * len(removed))})",
                [response.pk, section.enabler.pk, *removed],
            )
    return response


def _upsert_response(rater):
    """The rater's response, made by their first save; every save moves its ``updated_at``
    (one statement, prepared once per PostgreSQL session)."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            f"INSERT INTO {connection.ops.quote_name(Response._meta.db_table)} "  # noqa: S608
            "(rater_id, started_at, updated_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (rater_id) DO UPDATE SET updated_at = EXCLUDED.updated_at RETURNING id",
            [rater.pk, stamp, stamp],
            connection=transaction.get_connection(),
        )
        (response_id,) = cursor.fetchone()
    return Response(pk=response_id, rater_id=rater.pk, updated_at=now)


# The unique constraint each upsert meets (``models.py``), and the one column it changes.
_UPSERTS = {
    Answer: (("response_id", "item"), "score"),
    Comment: (("response_id", "enabler_id", "kind"), "text"),
}


def _upsert(model, columns, rows):
    """Insert ``rows`` (tuples of ``columns``) into ``model``'s table, or change the one value
    column where the row exists and its value differs: a draft save sends the whole section
    again, and an answer or comment that did not change is not written again (no new row
    version, no index entry, no WAL in PostgreSQL). One statement, on PostgreSQL and SQLite."""
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    conflict, value = _UPSERTS[model]
    one_row = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(map(q, columns))}) "  # noqa: S608 (our own names)
            f"VALUES {', '.join([one_row] * len(rows))} "
            f"ON CONFLICT ({', '.join(map(q, conflict))}) DO UPDATE "
            f"SET {q(value)} = EXCLUDED.{q(value)} "
            f"WHERE {table}.{q(value)} IS DISTINCT FROM EXCLUDED.{q(value)}",
            [value for row in rows for value in row],
        )


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
        questionnaire = questionnaire_for(rater.participant)
    missing = missing_items(questionnaire, answers_of(response, changes=questionnaire.is_pulse))
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
