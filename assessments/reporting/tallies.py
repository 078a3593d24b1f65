"""Figures frozen at release: every report reads per-participant tallies, not the answers.

Answers cannot change once a cycle is released (it never re-opens; erasure and retention
remove comments and names, never scores), so ``freeze`` sums them once, inside the release
transaction, with one ``INSERT … SELECT … GROUP BY``: per participant and rater group, each
item, each enabler's behaviour indicators, and each enabler's indicators at one level (see
``ItemTally``). Reports then read a few hundred rows per participant instead of every answer.

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

ITEM, PITFALL, ENABLER, LEVEL = "item", "pitfall", "enabler", "level"
SELF = "self"
COLUMNS = (
    "participant_id",
    "group",
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


def _table(apps, label):
    """The quoted table of a model named "Answer" (this app) or "compass.Indicator"."""
    app_label, _dot, name = label.rpartition(".")
    model = apps.get_model(app_label or "assessments", name)
    return connection.ops.quote_name(model._meta.db_table)


def select_sql(where, apps=None, *, squares=True):
    """The tallies as rows of ``COLUMNS``: submitted answers of the raters matching ``where``
    (SQL over the rater ``r`` and the response ``s``), summed in one statement.

    The joined answers are read once (``j``) and grouped per indicator and per pitfall (each
    kind is written together, so a report reading one kind reads few pages); the indicators
    are summed per response at each enabler and level (``l``) and per response at each enabler
    (``e``), so that counting the raters with a real answer is a plain sum, not a DISTINCT.
    "Not observed" is a NULL score, which SUM and COUNT skip. ``squares`` sums the square of
    each rater's total (of their one answer, for an item): with the sum and the count it gives
    the spread of the raters' answers. Without ``squares`` the rows stop before that column (a
    migration that runs before the column exists). Plain SQL that SQLite (3.35+) and
    PostgreSQL (12+) both run.
    """
    apps = apps or global_apps
    names = ("Answer", "Response", "Rater", "compass.Indicator", "compass.Behaviour")
    t = {name: _table(apps, name) for name in (*names, "compass.Pitfall")}
    q = connection.ops.quote_name

    def whole(sql):
        return f"CAST({sql} AS INTEGER)"

    item_squares = f", {whole('COALESCE(SUM(score * score), 0)')}" if squares else ""
    item_sums = (
        f"{whole('COALESCE(SUM(score), 0)')}, {whole('COUNT(score)')}, "
        f"{whole('COUNT(score)')}, {whole('COUNT(*) - COUNT(score)')}{item_squares}"
    )
    named_item_sums = (
        f"{whole('COALESCE(SUM(score), 0)')} AS total, {whole('COUNT(score)')} AS answered, "
        f"{whole('COUNT(score)')} AS raters, {whole('COUNT(*) - COUNT(score)')} AS no"
        + (f"{item_squares} AS squares" if squares else "")
    )
    response_sums = (
        f"{whole('SUM(total)')}, {whole('SUM(answered)')}, "
        f"{whole('SUM(CASE WHEN answered > 0 THEN 1 ELSE 0 END)')}, {whole('SUM(no)')}"
        + (f", {whole('SUM(total * total)')}" if squares else "")
    )
    null = "CAST(NULL AS INTEGER)"
    return (
        "WITH j AS MATERIALIZED ("  # noqa: S608 (table names, not input)
        f"SELECT r.participant_id AS participant_id, r.{q('group')} AS grp, "
        "a.response_id AS response_id, a.indicator_id AS indicator_id, "
        "a.pitfall_id AS pitfall_id, COALESCE(b.enabler_id, f.enabler_id) AS enabler_id, "
        "b.level_id AS level_id, a.score AS score "
        f"FROM {t['Answer']} a "
        f"JOIN {t['Response']} s ON s.id = a.response_id "
        f"JOIN {t['Rater']} r ON r.id = s.rater_id "
        f"LEFT JOIN {t['compass.Indicator']} i ON i.id = a.indicator_id "
        f"LEFT JOIN {t['compass.Behaviour']} b ON b.id = i.behaviour_id "
        f"LEFT JOIN {t['compass.Pitfall']} f ON f.id = a.pitfall_id "
        f"WHERE s.submitted_at IS NOT NULL AND ({where})), "
        "l AS MATERIALIZED ("
        "SELECT participant_id, grp, response_id, enabler_id, level_id, "
        "COALESCE(SUM(score), 0) AS total, COUNT(score) AS answered, "
        "COUNT(*) - COUNT(score) AS no FROM j WHERE indicator_id IS NOT NULL "
        "GROUP BY participant_id, grp, response_id, enabler_id, level_id), "
        "e AS (SELECT participant_id, grp, enabler_id, SUM(total) AS total, "
        "SUM(answered) AS answered, SUM(no) AS no FROM l "
        "GROUP BY participant_id, grp, response_id, enabler_id) "
        # the first branch names the columns (``item_rows`` reads them by name)
        f"SELECT participant_id AS p, grp, '{ITEM}' AS kind, enabler_id AS e, level_id AS l, "
        f"indicator_id AS i, {null} AS f, {named_item_sums} FROM j WHERE indicator_id IS NOT NULL "
        "GROUP BY participant_id, grp, enabler_id, level_id, indicator_id "
        "UNION ALL "
        f"SELECT participant_id, grp, '{PITFALL}', enabler_id, {null}, {null}, pitfall_id, "
        f"{item_sums} FROM j WHERE pitfall_id IS NOT NULL "
        "GROUP BY participant_id, grp, enabler_id, pitfall_id "
        "UNION ALL "
        f"SELECT participant_id, grp, '{ENABLER}', enabler_id, {null}, {null}, {null}, "
        f"{response_sums} FROM e GROUP BY participant_id, grp, enabler_id "
        "UNION ALL "
        f"SELECT participant_id, grp, '{LEVEL}', enabler_id, level_id, {null}, {null}, "
        f"{response_sums} FROM l GROUP BY participant_id, grp, enabler_id, level_id"
    )


def _cycle_where(apps=None):
    participant = _table(apps or global_apps, "Participant")
    return f"r.participant_id IN (SELECT id FROM {participant} WHERE cycle_id = %s)"  # noqa: S608


def freeze(cycle, apps=None):
    """Write ``cycle``'s tallies in one INSERT … SELECT (call inside the release transaction).
    Returns how many rows were written. Writing again replaces them."""
    apps = apps or global_apps
    ItemTally = apps.get_model("assessments", "ItemTally")
    Cycle = apps.get_model("assessments", "Cycle")
    ItemTally.objects.filter(participant__cycle_id=cycle.pk).delete()
    q = connection.ops.quote_name
    # a migration before the one that added ``squares`` freezes without it
    squares = any(f.name == "squares" for f in ItemTally._meta.get_fields())
    columns = ", ".join(q(c) for c in COLUMNS if squares or c != "squares")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # one large grouping, once per cycle: in memory rather than in temporary files
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            f"INSERT INTO {_table(apps, 'ItemTally')} ({columns}) "  # noqa: S608
            + select_sql(_cycle_where(apps), apps, squares=squares),
            [cycle.pk],
        )
        written = cursor.rowcount
    cycle.tallied_at = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(tallied_at=cycle.tallied_at)
    return written


def _live_rows(where, params):
    with connection.cursor() as cursor:
        cursor.execute(select_sql(where), params)
        return cursor.fetchall()


# --- reading: one participant (the individual report) --------------------------------------


@dataclass
class Tallies:
    """One participant's figures, each a {rater group: Tally}.

    ``items`` by item key ("i12", "p3"); ``enablers`` by enabler id (behaviour indicators only);
    ``levels`` by (enabler id, level id) of the indicators' behaviour.
    """

    items: dict
    enablers: dict
    levels: dict


def _tally(total, answered, raters, not_observed, squares):
    return Tally(
        total=total, answered=answered, raters=raters, not_observed=not_observed, squares=squares
    )


def participant_tallies(participant):
    """The participant's tallies in one query: the frozen rows once released, else live."""
    if participant.cycle.tallied_at is not None:
        rows = ItemTally.objects.filter(participant_id=participant.pk).values_list(*COLUMNS)
    else:
        rows = _live_rows("r.participant_id = %s", [participant.pk])
    items, enablers, levels = {}, {}, {}
    for _p, group, kind, enabler, level, indicator, pitfall, *figures in rows:
        tally = _tally(*figures)
        if kind in (ITEM, PITFALL):
            key = indicator_key(indicator) if indicator else pitfall_key(pitfall)
            items.setdefault(key, {})[group] = tally
        elif kind == ENABLER:
            enablers.setdefault(enabler, {})[group] = tally
        else:
            levels.setdefault((enabler, level), {})[group] = tally
    return Tallies(items=items, enablers=enablers, levels=levels)


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
        rows = ItemTally.objects.filter(
            participant__in=participants.order_by().values("pk"), kind__in=(ITEM, PITFALL)
        )
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
