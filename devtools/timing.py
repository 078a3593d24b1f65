"""Timing for ``make bench``: medians and p95 of several rounds, CPU time and queries, each
report alternated with the raw SQL GROUP BY of the cohort heatmap under the same load."""

import math
import os
import statistics
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import (
    Answer,
    Participant,
    Rater,
    Response,
)
from compass.models import Indicator

# --- timing --------------------------------------------------------------------------------


ROUNDS = 3  # every figure is the median of three rounds' medians


@dataclass
class Measurement:
    """Timings of one thing measured, in seconds, by round; the queries each request made, the
    process CPU time it took, and the machine's one-minute load average at each round's start.

    ``reference`` is the raw SQL timed right after each request (A, B, A, B…), so a ratio
    compares two figures taken under the same load."""

    label: str
    rounds: list = field(default_factory=list)  # [[seconds]] per round
    queries: list = field(default_factory=list)
    cpu: list = field(default_factory=list)
    loads: list = field(default_factory=list)
    reference: "Measurement | None" = None
    status: int | None = None
    missing: bool = False  # the page is not there (404)
    note: str = ""

    @property
    def times(self):
        return [t for times in self.rounds for t in times]

    @property
    def round_medians(self):
        return [statistics.median(times) for times in self.rounds if times]

    @property
    def median(self):
        """The median of the rounds' medians."""
        medians = self.round_medians
        return statistics.median(medians) if medians else None

    @property
    def p95(self):
        return percentile(self.times, 95)

    @property
    def cpu_median(self):
        return statistics.median(self.cpu) if self.cpu else None

    @property
    def ratio(self):
        """This over its reference: the median over rounds of each round's median ratio."""
        if self.reference is None:
            return None
        ratios = [
            a / b
            for a, b in zip(self.round_medians, self.reference.round_medians, strict=False)
            if b
        ]
        return statistics.median(ratios) if ratios else None

    @property
    def load_text(self):
        if not self.loads:
            return "—"
        low, high = min(self.loads), max(self.loads)
        return f"{low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}–{high:.1f}"

    @property
    def query_text(self):
        if not self.queries:
            return "—"
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


def percentile(values, pct):
    """Nearest-rank percentile: of 20 values, the 95th is the 19th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def load_average():
    return os.getloadavg()[0]


def measure(
    label, request, *, repeat, expect=(200,), warmup=1, rounds=ROUNDS, reference=None, before=None
):
    """Call ``request(n)`` ``warmup`` times untimed, then ``rounds`` × ``repeat`` times timed,
    with n counting from 0 over all calls (so each call may act as a different rater).

    ``reference`` is (label, callable): timed right after each request, A, B, A, B…, into
    ``result.reference``. ``before(n)`` runs untimed before each request (to reset state).
    Every timed call's queries and process CPU time are recorded. The first answer of 404
    stops it: the page is not there (yet)."""
    result = Measurement(label)
    ref = Measurement(reference[0]) if reference else None
    n = 0
    for _ in range(warmup):
        if before:
            before(n)
        _check(result, request(n), expect)
        if result.missing:
            return result
        if ref:
            reference[1]()
        n += 1
    for _round in range(rounds):
        result.loads.append(load_average())
        times, ref_times = [], []
        for _ in range(repeat):
            if before:
                before(n)
            with CaptureQueriesContext(connection) as queries:
                cpu = time.process_time()
                started = time.perf_counter()
                response = request(n)
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu
            _check(result, response, expect)
            if result.missing:
                return result
            times.append(elapsed)
            result.queries.append(len(queries))
            result.cpu.append(cpu)
            if ref:
                started = time.perf_counter()
                reference[1]()
                ref_times.append(time.perf_counter() - started)
            n += 1
        result.rounds.append(times)
        if ref:
            ref.rounds.append(ref_times)
            ref.loads.append(result.loads[-1])
            ref.queries.extend([1] * len(ref_times))
    result.reference = ref
    return result


def _check(result, response, expect):
    result.status = response.status_code
    if response.status_code == 404:
        result.missing = True
        result.rounds, result.queries, result.cpu = [], [], []
        return
    if response.status_code not in expect:
        raise RuntimeError(
            f"{result.label}: answered {response.status_code}, expected {expect}: "
            f"{response.content[:300]!r}"
        )


def sql_runner(sql, params):
    """A callable that runs one raw query and fetches every row."""

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def heatmap_sql():
    """The cohort heatmap's numbers in one GROUP BY: per level × enabler, self against others,
    the sum and count of behaviour scores over submitted responses ("not observed" is NULL and
    so left out). The least work that yields the heatmap's means, hence the yardstick the
    reports are compared with. Plain SQL that SQLite and PostgreSQL both run; ``%s`` is the
    cycle id."""
    q = connection.ops.quote_name
    answer, response, rater = Answer._meta.db_table, Response._meta.db_table, Rater._meta.db_table
    participant, indicator = Participant._meta.db_table, Indicator._meta.db_table
    behaviour = Indicator._meta.get_field("behaviour").related_model._meta.db_table
    is_self = f"CASE WHEN r.{q('group')} = 'self' THEN 1 ELSE 0 END"
    return (
        f"SELECT p.level_id, b.enabler_id, {is_self} AS is_self, "  # noqa: S608 (table names)
        "SUM(a.score) AS total, COUNT(a.score) AS answered "
        f"FROM {q(answer)} a "
        f"JOIN {q(response)} s ON s.id = a.response_id "
        f"JOIN {q(rater)} r ON r.id = s.rater_id "
        f"JOIN {q(participant)} p ON p.id = r.participant_id "
        f"JOIN {q(indicator)} i ON i.id = a.indicator_id "
        f"JOIN {q(behaviour)} b ON b.id = i.behaviour_id "
        "WHERE p.cycle_id = %s AND s.submitted_at IS NOT NULL "
        f"GROUP BY p.level_id, b.enabler_id, {is_self}"
    )


def ms(seconds):
    return "—" if seconds is None else f"{seconds * 1000:,.1f}"
