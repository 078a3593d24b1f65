"""Rule 7 in the database: what each participant's released report shows, summed per enabler
and level's indicators and per pitfall, for the team and cohort reports.

A team or cohort number takes a participant only through what their own report shows
(``individual.released_others``: the supervisor plus the shown atoms). Reading every per-item
tally of a cohort into Python to apply that rule item by item costs more than the cohort's
answers take to sum, so the rule runs twice, in one place:

- ``released_sums`` (Python, the reference): per item, ``released_others`` with the
  participant's units, then summed per (participant, enabler, level position) of the
  indicators and per (participant, pitfall);
- ``released_sql`` (SQL, what the reports run): the units are decided in Python from the rater
  counts (``disclose_units``: one row per participant) and passed to one statement as JSON;
  the statement sums each item's groups into their unit (an atom), keeps the atoms the rule
  shows (a real answer from at least k raters of the unit), and sums them, the self and the
  supervisor, per participant and measure: a few rows per participant instead of every item.

Both return, per key (participant, enabler, level position, pitfall) — the position None for a
pitfall, the pitfall None for indicators — a ``Shown``. A test runs both on randomised tallies
(atoms at, below and above k, "not observed" answers, pooled and merged units, next-level
parts) and asserts they are equal.
"""

import json
from dataclasses import dataclass

from assessments.models import ANONYMOUS_GROUPS, RaterGroup
from assessments.reporting.anonymity.individual import (
    EMPTY,
    NO_ANSWERS,
    Cell,
    Tally,
    released_others,
)

SELF, SUPERVISOR = RaterGroup.SELF.value, RaterGroup.SUPERVISOR.value
# the columns, in this order, of the rows ``released_sql`` reads: one per participant, rater
# group and item (an indicator, or a pitfall), as the tallies hold them
SOURCE_COLUMNS = ("p", "grp", "i", "f", "e", "pos", "total", "answered", "no")


@dataclass(frozen=True)
class Shown:
    """What one participant's released report shows over some items: their self-assessment,
    their supervisor, and the anonymous atoms shown (each summed as a Tally)."""

    self: Tally = EMPTY
    supervisor: Tally = EMPTY
    anonymous: Tally = EMPTY

    def __add__(self, other):
        return Shown(
            self.self + other.self,
            self.supervisor + other.supervisor,
            self.anonymous + other.anonymous,
        )

    @property
    def others(self):
        """All raters except self, as the report shows it: the supervisor and the shown atoms."""
        return self.supervisor + self.anonymous


def _item_tally(total, answered, not_observed):
    # for one item, every rater with a real answer gave exactly one
    return Tally(int(total or 0), int(answered), int(answered), int(not_observed))


def released_sums(rows, disclosures):
    """The reference in Python: ``rows`` of ``SOURCE_COLUMNS``, ``disclosures`` {participant
    id: Disclosure}. Returns {(participant, enabler, position, pitfall): Shown}."""
    items, where = {}, {}
    for pid, group, indicator, pitfall, enabler, position, total, answered, no in rows:
        key = (pid, indicator, pitfall)
        where[key] = (pid, enabler, None if pitfall is not None else position, pitfall)
        items.setdefault(key, {})[group] = _item_tally(total, answered, no)
    out = {}
    for key, tallies in items.items():
        pid = key[0]
        _others, anonymous = released_others(tallies, disclosures[pid])
        shown = Shown(tallies.get(SELF, EMPTY), tallies.get(SUPERVISOR, EMPTY), anonymous)
        out[where[key]] = out.get(where[key], Shown()) + shown
    return out


def _units_json(disclosures):
    """[[participant, k, unit of each anonymous group or null], …]: what the statement joins."""
    return json.dumps(
        [
            [pid, disclosure.k, *(disclosure.unit_of_group.get(g) for g in ANONYMOUS_GROUPS)]
            for pid, disclosure in disclosures.items()
        ]
    )


def _units_table(vendor):
    """The participants' units as rows (p, k, u0, u1, u2) from one JSON parameter."""
    names = ("u0", "u1", "u2")
    if vendor == "postgresql":
        units = ", ".join(f"x ->> {i + 2} AS {n}" for i, n in enumerate(names))
        return (
            f"SELECT CAST(x ->> 0 AS BIGINT) AS p, CAST(x ->> 1 AS INTEGER) AS k, {units} "  # noqa: S608
            "FROM json_array_elements(CAST(%s AS JSON)) AS x"
        )
    units = ", ".join(f"json_extract(value, '$[{i + 2}]') AS {n}" for i, n in enumerate(names))
    return (
        "SELECT json_extract(value, '$[0]') AS p, json_extract(value, '$[1]') AS k, "  # noqa: S608
        f"{units} FROM json_each(%s)"
    )


def released_sql(source, source_params, disclosures, vendor):
    """The same sums in one statement: ``source`` is SQL whose rows are ``SOURCE_COLUMNS``
    (with ``source_params``), ``disclosures`` {participant id: Disclosure} holds every
    participant it reads. Returns (sql, params); each row of the result is (participant,
    enabler, position, pitfall) then total, answered and not observed of self, of the
    supervisor and of the anonymous atoms shown (``shown_from_row`` reads it).

    Each item's rows (one per rater group) become one row with each group's figures side by
    side (``it``); with the participant's units beside them, an anonymous group's figures are
    kept when the atom of its unit — the group's answers added to those of the other groups
    in the same unit — holds a real answer from at least k raters (``kept``); the kept
    figures, the self and the supervisor are then summed per measure."""
    groups = [(SELF, "s"), (SUPERVISOR, "v")]
    groups += [(g.value, f"g{index}") for index, g in enumerate(ANONYMOUS_GROUPS)]
    pivot = ", ".join(
        f"SUM(CASE WHEN grp = '{group}' THEN {column} ELSE 0 END) AS {name}{column[0]}"
        for group, name in groups
        for column in ("total", "answered", "no")
    )
    anonymous = range(len(ANONYMOUS_GROUPS))

    def atom(j):
        """The real answers of the atom of group j's unit on this item."""
        others = " + ".join(
            f"CASE WHEN m.u{i} = m.u{j} THEN it.g{i}a ELSE 0 END" for i in anonymous if i != j
        )
        return f"(it.g{j}a + {others})"

    kept = ", ".join(
        f"CASE WHEN m.u{j} IS NOT NULL AND {atom(j)} > 0 AND {atom(j)} >= m.k "
        f"THEN 1 ELSE 0 END AS k{j}"
        for j in anonymous
    )
    named = ", ".join(f"SUM({n}{c})" for n in ("s", "v") for c in "tan")
    shown = ", ".join(
        "SUM(" + " + ".join(f"k{j} * g{j}{c}" for j in anonymous) + ")" for c in "tan"
    )
    items = ", ".join(f"it.{n}{c}" for _g, n in groups for c in "tan")
    sql = (
        f"WITH src ({', '.join(SOURCE_COLUMNS)}) AS ({source}), "  # noqa: S608 (no input)
        f"m AS MATERIALIZED ({_units_table(vendor)}), "
        f"it AS (SELECT p, e, pos, i, f, {pivot} FROM src GROUP BY p, e, pos, i, f), "
        f"kept AS (SELECT it.p AS p, it.e AS e, it.pos AS pos, it.f AS f, {items}, {kept} "
        "FROM it LEFT JOIN m ON m.p = it.p) "
        f"SELECT p, e, pos, f, {named}, {shown} FROM kept GROUP BY p, e, pos, f"
    )
    return sql, [*source_params, _units_json(disclosures)]


def figures_from_row(row):
    """A row of ``released_sql`` as ((participant, enabler, position, pitfall), figures):
    total, answered and not observed of self, of the supervisor and of the anonymous atoms
    shown — the database's sums (Decimal on PostgreSQL) as integers."""
    pid, enabler, position, pitfall, *figures = row
    key = (pid, enabler, None if pitfall is not None else position, pitfall)
    return key, tuple(int(value or 0) for value in figures)


def shown_from_figures(figures):
    """Figures (``figures_from_row``) as a ``Shown``."""
    return Shown(*(_item_tally(*figures[i : i + 3]) for i in (0, 3, 6)))


def shown_from_row(row):
    """A row of ``released_sql`` as ((participant, enabler, position, pitfall), Shown)."""
    key, figures = figures_from_row(row)
    return key, shown_from_figures(figures)


def released_cells(figures, disclosure):
    """The self and "all except self" cells of a row over the items that ``figures`` sum
    (``figures_from_row``), as ``combine_rows`` builds them over the same items: named
    numbers, shown when answered; the others cell rests on the supervisor and, when an
    anonymous atom is shown, on the groups of the participant's units."""
    self_total, self_answered, _no, supervisor_total, supervisor_answered = figures[:5]
    anonymous_total, anonymous_answered = figures[6:8]
    groups = {SUPERVISOR}
    if anonymous_answered:
        groups |= set().union(*(u.groups for u in disclosure.units))
    return (
        _named(self_total, self_answered, {SELF}),
        _named(
            supervisor_total + anonymous_total, supervisor_answered + anonymous_answered, groups
        ),
    )


def _named(total, answered, groups):
    if not answered:
        return NO_ANSWERS
    return Cell(mean=total / answered, n=answered, shown=True, groups=frozenset(groups))
