"""The participant's report rule in SQL (team and cohort reports, issue 20) decides exactly as
its Python twin, on randomised tallies: atoms at, just below and above k, "not observed"
answers, pooled and merged units, units withheld, next-level parts, pitfalls."""

import random

import pytest
from django.db import connection

from assessments.models import ANONYMOUS_GROUPS, RaterGroup
from assessments.reporting import anonymity
from assessments.reporting.anonymity import released

pytestmark = pytest.mark.django_db

NAMED = (RaterGroup.SELF, RaterGroup.SUPERVISOR)


def _random_participant(rng, pid, k):
    """(rater counts per anonymous group, source rows) of one participant."""
    counts = {g: rng.choice([0, 1, 2, k - 1, k, k, k + 1, k + 2]) for g in ANONYMOUS_GROUPS}
    if pid % 8 == 0:  # fewer than k anonymous raters in all: none of them is shown
        counts = dict(zip(ANONYMOUS_GROUPS, (1, 1, 0), strict=True))
    raters = {**counts, RaterGroup.SELF: 1, RaterGroup.SUPERVISOR: rng.choice([0, 1])}
    items = []
    for enabler in (1, 2, 3):
        for position in (0, 1, 2):  # All leaders, own level, the next level's part
            items += [(100 * enabler + 10 * position + n, None, enabler, position) for n in (1, 2)]
        items += [(None, 1000 + 10 * enabler + n, enabler, None) for n in (1, 2)]
    rows = []
    for indicator, pitfall, enabler, position in items:
        for group, n in raters.items():
            if not n or rng.random() < 0.1:
                continue  # nobody of that group gave this item an answer row
            # at, just below and above k raters with a real answer, the rest "not observed"
            answered = rng.choice([n, n, max(n - 1, 0), max(n - 2, 0), min(n, k), 0])
            total = sum(rng.randint(1, 5) for _ in range(answered))
            rows.append(
                (pid, group, indicator, pitfall, enabler, position, total, answered, n - answered)
            )
    return counts, rows


def _values(rows):
    """The rows as a SQL source of ``released.SOURCE_COLUMNS``."""
    one = (
        "(CAST(%s AS INTEGER), CAST(%s AS VARCHAR(20)), CAST(%s AS INTEGER), "
        "CAST(%s AS INTEGER), CAST(%s AS INTEGER), CAST(%s AS INTEGER), CAST(%s AS INTEGER), "
        "CAST(%s AS INTEGER), CAST(%s AS INTEGER))"
    )
    sql = "SELECT * FROM (VALUES " + ", ".join([one] * len(rows)) + ") AS v"  # noqa: S608
    return sql, [str(v) if isinstance(v, RaterGroup) else v for row in rows for v in row]


@pytest.mark.parametrize("seed", range(6))
def test_the_sql_rule_sums_exactly_what_the_python_rule_shows(seed):
    rng = random.Random(seed)
    disclosures, rows = {}, []
    for pid in range(1, 41):
        k = rng.choice([3, 3, 4, 5])
        counts, own = _random_participant(rng, pid, k)
        disclosures[pid] = anonymity.disclose_units(counts, k)
        rows += own
    expected = released.released_sums(rows, disclosures)
    source, params = _values(rows)
    sql, sql_params = released.released_sql(source, params, disclosures, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        got = dict(released.shown_from_row(row) for row in cursor.fetchall())
    assert got == expected
    # the data covered what the rule decides
    units = [u for d in disclosures.values() for u in d.units]
    assert any(u.key == anonymity.OTHERS for u in units)  # a pool of small groups
    assert any(len(u.groups) > 1 and u.key != anonymity.OTHERS for u in units)  # a merge
    assert any(not d.units for d in disclosures.values())  # nothing anonymous shown
    shown = [s for s in expected.values() if s.anonymous.answered]
    assert shown and any(s.others.answered > s.anonymous.answered for s in shown)
    assert any(p is not None for (_pid, _e, _pos, p) in expected)  # pitfalls
    assert {pos for (_pid, _e, pos, p) in expected if p is None} == {0, 1, 2}


def test_an_atom_of_k_minus_one_real_answers_is_left_out_and_one_of_k_is_summed():
    disclosure = anonymity.disclose_units({RaterGroup.PEER: 4}, 3)
    rows = [
        (1, RaterGroup.PEER, 11, None, 1, 0, 8, 2, 2),  # 2 real answers of 4: hidden
        (1, RaterGroup.PEER, 12, None, 1, 0, 12, 3, 1),  # 3: shown
        (1, RaterGroup.SUPERVISOR, 11, None, 1, 0, 5, 1, 0),
    ]
    source, params = _values(rows)
    sql, sql_params = released.released_sql(source, params, {1: disclosure}, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        ((key, shown),) = [released.shown_from_row(row) for row in cursor.fetchall()]
    assert key == (1, 1, 0, None)
    assert shown.anonymous == anonymity.Tally(12, 3, 3, 1)
    assert shown.others == anonymity.Tally(17, 4, 4, 1)
    assert {key: shown} == released.released_sums(rows, {1: disclosure})
