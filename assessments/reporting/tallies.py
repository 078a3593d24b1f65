"""Figures frozen at release: every report reads per-participant tallies, not the answers.

Answers cannot change once a cycle is released (it never re-opens; erasure and retention
remove comments and names, never scores), so ``freeze`` sums them once, inside the release
transaction, with one ``INSERT … SELECT … GROUP BY``: per participant, rater group and item
(indicator or pitfall; see ``ItemTally``). Reports then read a few hundred rows per
participant instead of every answer, and combine an enabler's or a level's figure from them.

The read layer returns the same shapes the reports built from the answers before, and the
anonymity rule is applied to them exactly as before (``anonymity.build_row`` and friends):
this module only adds up; it never decides what may be shown.

A cycle that is not frozen (not released yet, or released by a path that skipped ``freeze``)
is read live through the same SELECT, so there is one definition of every figure.
"""

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from assessments.answering.questionnaire import indicator_key, pitfall_key
from assessments.models import ItemTally
from assessments.reporting.anonymity import Tally, released

ITEM, PITFALL = ItemTally.Kind.ITEM.value, ItemTally.Kind.PITFALL.value
SELF = "self"
# the tally columns, in the order ``select_sql`` gives them
COLUMNS = (
    "participant_id",
    "group",
    "item",
    "kind",
    "enabler_id",
    "level_id",
    "indicator_id",
    "pitfall_id",
    "total",
    "answered",
    "raters",
    "not_observed",
    "squares",
)
FIGURES = ("total", "answered", "raters", "not_observed", "squares")


def _table(apps, label):
    """The quoted table of a model named "Answer" (this app) or "compass.Indicator"."""
    app_label, _dot, name = label.rpartition(".")
    model = apps.get_model(app_label or "assessments", name)
    return connection.ops.quote_name(model._meta.db_table)


def select_sql(where, apps=None):
    """The tallies as rows of ``COLUMNS`` (named p, grp, item, kind, e, l, i, f, total,
    answered, raters, no, squares): the submitted answers of the raters matching ``where``
    (SQL over the rater ``r`` and the response ``s``), summed in one statement.

    One GROUP BY per participant, rater group and item (``Answer.item``: the indicator's id,
    or minus the pitfall's); the compass rows that name each item are joined once to the sums,
    not to every answer. "Not observed" is a NULL score, which SUM and COUNT skip; each rater
    answers an item once, so the raters with a real answer are the real answers' count.
    ``squares`` sums each answer's square: with the sum and the count it gives the spread.

    The responses are taken in participant and group order and, on PostgreSQL, each one's
    answers read by its index (a LATERAL subquery that the planner keeps as it is): the sums
    then stream out of a sort of one participant's group at a time, in primary-key order,
    instead of a hash table of every group of the cohort (see ``freeze``). Plain SQL that
    SQLite (3.35+) and PostgreSQL (12+) both run.
    """
    apps = apps or global_apps
    names = ("Answer", "Response", "Rater", "compass.Indicator", "compass.Behaviour")
    t = {name: _table(apps, name) for name in (*names, "compass.Pitfall")}
    q = connection.ops.quote_name
    null = "CAST(NULL AS BIGINT)"
    if connection.vendor == "postgresql":
        answers = (
            "CROSS JOIN LATERAL (SELECT item, score "  # noqa: S608 (table names, not input)
            f"FROM {t['Answer']} WHERE response_id = m.id OFFSET 0) a"
        )
    else:
        answers = f"JOIN {t['Answer']} a ON a.response_id = m.id"
    return (
        "SELECT g.p, g.grp, g.item, "  # noqa: S608 (table names, not input)
        f"CASE WHEN g.item > 0 THEN '{ITEM}' ELSE '{PITFALL}' END AS kind, "
        "c.e, c.l, c.i, c.f, g.total, g.answered, g.answered AS raters, g.no, g.squares FROM ("
        "SELECT m.participant_id AS p, m.grp, a.item AS item, "
        "CAST(COALESCE(SUM(a.score), 0) AS INTEGER) AS total, "
        "CAST(COUNT(a.score) AS INTEGER) AS answered, "
        "CAST(COUNT(*) - COUNT(a.score) AS INTEGER) AS no, "
        "CAST(COALESCE(SUM(a.score * a.score), 0) AS INTEGER) AS squares FROM ("
        f"SELECT s.id AS id, r.participant_id AS participant_id, r.{q('group')} AS grp "
        f"FROM {t['Response']} s JOIN {t['Rater']} r ON r.id = s.rater_id "
        f"WHERE s.submitted_at IS NOT NULL AND ({where}) "
        f"ORDER BY r.participant_id, r.{q('group')}) m {answers} "
        "GROUP BY m.participant_id, m.grp, a.item) g "
        # each item's compass rows, by the item's number (``Answer.item``)
        f"JOIN (SELECT i.id AS item, b.enabler_id AS e, b.level_id AS l, i.id AS i, {null} AS f "
        f"FROM {t['compass.Indicator']} i JOIN {t['compass.Behaviour']} b ON b.id = i.behaviour_id "
        f"UNION ALL SELECT 0 - f.id, f.enabler_id, {null}, {null}, f.id "
        f"FROM {t['compass.Pitfall']} f) c ON c.item = g.item"
    )


def _cycle_where(apps=None):
    participant = _table(apps or global_apps, "Participant")
    return f"r.participant_id IN (SELECT id FROM {participant} WHERE cycle_id = %s)"  # noqa: S608


def freeze(cycle, apps=None):
    """Write ``cycle``'s tallies in one INSERT … SELECT (call inside the release transaction,
    with ``cycle`` as read there). Returns how many rows were written. A cycle frozen before
    (``tallied_at`` set) has its rows replaced; one never frozen has none to delete.

    On PostgreSQL the GROUP BY is told to stream (``enable_hashagg`` off for the statement):
    the planner cannot tell that a few rows per group come in group order, and would build a
    hash table of every group of the cohort — hundreds of megabytes at 10,000 participants —
    and write the rows in random key order, which costs the primary key dearly.
    """
    apps = apps or global_apps
    ItemTally = apps.get_model("assessments", "ItemTally")
    Cycle = apps.get_model("assessments", "Cycle")
    if cycle.tallied_at is not None:
        ItemTally.objects.filter(participant__cycle_id=cycle.pk).delete()
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in COLUMNS)
    # (SET LOCAL holds only inside a transaction; RESET gives the rest of it the usual plans)
    streaming = connection.vendor == "postgresql" and connection.in_atomic_block
    with connection.cursor() as cursor:
        if streaming:
            cursor.execute("SET LOCAL enable_hashagg = off")
        cursor.execute(
            f"INSERT INTO {_table(apps, 'ItemTally')} ({columns}) "  # noqa: S608
            + select_sql(_cycle_where(apps), apps),
            [cycle.pk],
        )
        written = cursor.rowcount
        if streaming:
            cursor.execute("RESET enable_hashagg")
    cycle.tallied_at = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(tallied_at=cycle.tallied_at)
    return written


def _live_rows(columns, where, params):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM ({select_sql(where)}) t", params)  # noqa: S608
        return cursor.fetchall()


# --- reading: one participant (the individual report) --------------------------------------


@dataclass
class Tallies:
    """One participant's figures: ``items``, {item key ("i12", "p3"): {rater group: Tally}}."""

    items: dict


def item_key(item):
    """The questionnaire's key of an ``Answer.item`` / ``ItemTally.item`` number."""
    return indicator_key(item) if item > 0 else pitfall_key(-item)


def participant_tallies(participant):
    """The participant's tallies in one query: the frozen rows once released, else live."""
    if participant.cycle.tallied_at is not None:
        rows = ItemTally.objects.filter(participant_id=participant.pk).values_list(
            "group", "item", *FIGURES
        )
    else:
        columns = "t.grp, t.item, t.total, t.answered, t.raters, t.no, t.squares"
        rows = _live_rows(columns, "r.participant_id = %s", [participant.pk])
    items = {}
    for group, item, total, answered, raters, not_observed, squares in rows:
        items.setdefault(item_key(item), {})[group] = Tally(
            total=total,
            answered=answered,
            raters=raters,
            not_observed=not_observed,
            squares=squares,
        )
    return Tallies(items=items)


# --- reading: many participants (team and cohort reports) ----------------------------------

ITEM_COLUMNS = (
    "participant_id",
    "group",
    "indicator_id",
    "pitfall_id",
    "enabler_id",
    "level__position",  # of the indicator's behaviour (None for a pitfall)
    "total",
    "answered",
    "not_observed",
)


def item_rows(cycle, participants, *, next_level=False, frozen=None):
    """Per participant, rater group and item (indicator or pitfall) of ``participants`` (a
    queryset): tuples of ``ITEM_COLUMNS``, in one query over the frozen tallies once ``cycle``
    is released, or through the same SELECT live before (or without ``cycle``); ``frozen``
    says which where the participants come from several cycles.

    Indicators of a level above the participant's (a next-level part, issue 18) are in no
    enabler score: they are left out unless ``next_level`` asks for them (the ladder)."""
    if frozen is None:
        frozen = cycle is not None and cycle.tallied_at is not None
    if frozen:
        rows = ItemTally.objects.filter(participant__in=participants.order_by().values("pk"))
        if not next_level:
            rows = rows.filter(
                Q(kind=PITFALL) | Q(level__position__lte=F("participant__level__position"))
            )
        return list(rows.values_list(*ITEM_COLUMNS))
    sql, params = participants.order_by().values("pk").query.sql_with_params()
    q = connection.ops.quote_name
    participant, level = _table(global_apps, "Participant"), _table(global_apps, "compass.Level")
    columns = ", ".join(f"t.{c}" for c in ("p", "grp", "i", "f", "e"))
    figures = ", ".join(f"t.{c}" for c in ("total", "answered", "no"))
    above = "" if next_level else f" AND il.{q('position')} <= pl.{q('position')}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, il.{q('position')}, {figures} FROM ("  # noqa: S608
            + select_sql(f"r.participant_id IN ({sql})")
            + f") t JOIN {participant} pp ON pp.id = t.p "
            f"JOIN {level} pl ON pl.id = pp.level_id "
            f"LEFT JOIN {level} il ON il.id = t.l "
            f"WHERE t.kind = '{PITFALL}' OR (t.kind = '{ITEM}'{above})",
            params,
        )
        return cursor.fetchall()


# --- reading: what each participant's report shows, summed in the database -----------------


def released_figures(cycle, participants, disclosures):
    """Per participant of ``participants`` (a queryset), what their released report shows
    (``anonymity.released``): {(participant, enabler, level position, pitfall): figures
    (``released.figures_from_row``)}, one
    row per participant and enabler at each level of its indicators (the next level's
    included) and per pitfall, in one query over the frozen tallies once ``cycle`` is
    released, or through the same SELECT live before (or without ``cycle``). ``disclosures``
    holds each participant's units; the statement is the rule's (``released.released_sql``),
    this only runs it."""
    if cycle is not None and cycle.tallied_at is not None:
        rows = ItemTally.objects.filter(
            participant__in=participants.order_by().values("pk"), kind__in=(ITEM, PITFALL)
        ).values_list(
            "participant_id",
            "group",
            "indicator_id",
            "pitfall_id",
            "enabler_id",
            "level__position",
            "total",
            "answered",
            "not_observed",
        )
        source, params = rows.query.sql_with_params()
    else:
        sql, params = participants.order_by().values("pk").query.sql_with_params()
        level = _table(global_apps, "compass.Level")
        source = (
            f"SELECT t.p, t.grp, t.i, t.f, t.e, il.{connection.ops.quote_name('position')}, "  # noqa: S608
            f"t.total, t.answered, t.no FROM ({select_sql(f'r.participant_id IN ({sql})')}) t "
            f"LEFT JOIN {level} il ON il.id = t.l WHERE t.kind IN ('{ITEM}', '{PITFALL}')"
        )
    query, query_params = released.released_sql(source, params, disclosures, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(query, query_params)
        return dict(released.figures_from_row(row) for row in cursor.fetchall())
