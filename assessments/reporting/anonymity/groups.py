"""Team and cohort reports: the unit is the participant (rules 7–9 of the package's
docstring): primary suppression of a breakdown's counts, and the protection of every table that
shares people against sums and differences (secondary suppression)."""

from dataclasses import dataclass
from itertools import combinations

from assessments.reporting.anonymity.individual import EMPTY, Tally


@dataclass(frozen=True)
class CountSuppression:
    suppressed: frozenset  # cell keys whose numbers are not shown
    total_shown: bool  # whether the total over all cells may be shown


def suppress_breakdown(sizes, k):
    """Which cells of one breakdown (participant counts per org unit, gender, level…) to hide.

    Cells below k are suppressed (primary). Then, while the suppressed cells together hold
    1..k−1 participants — their sum is the total minus the shown cells — the next smallest
    cell is suppressed too (secondary); where there is none left, the total is hidden instead.
    Empty cells reveal nothing.
    """
    suppressed = {key for key, n in sizes.items() if 0 < n < k}
    total_shown = sum(sizes.values()) >= k
    while 0 < sum(sizes[key] for key in suppressed) < k:
        candidates = sorted(
            (n, str(key), key) for key, n in sizes.items() if key not in suppressed and n > 0
        )
        if not candidates:
            total_shown = False
            break
        suppressed.add(candidates[0][2])
    return CountSuppression(suppressed=frozenset(suppressed), total_shown=total_shown)


@dataclass(frozen=True)
class Part:
    """What one participant's released report gives one group number: the tally it shows,
    and whether that holds anything the viewer does not already know (so counts toward k)."""

    tally: Tally
    counts: bool = True


@dataclass(frozen=True)
class Score:
    """A mean over some participants' parts, or why it is not shown ("suppressed": fewer
    than k participants in the cell, or hidden with a smaller cell; "too_few": too few of the
    cell's participants answered; "none": nobody did)."""

    mean: float | None = None
    participants: int = 0
    shown: bool = False
    reason: str = ""

    @property
    def suppressed(self):
        return not self.shown and self.reason in ("suppressed", "too_few")


TOTAL = "__total__"


@dataclass
class Protected:
    """Team or cohort tables after the participant rule."""

    rows_suppressed: set  # {(dimension, cell key)}: every number of that cell is hidden
    scores: dict  # {(measure, dimension, cell key): Score}

    def score(self, measure, dimension, key):
        return self.scores.get((measure, dimension, key), Score(reason="none"))

    def row_hidden(self, dimension, key):
        """Whether a cell reads "suppressed" as a whole: below k itself, or hidden with a
        smaller cell for any of its numbers (hiding more never makes a combination appear)."""
        if (dimension, key) in self.rows_suppressed:
            return True
        return any(
            d == dimension and k == key and score.reason == "suppressed"
            for (_m, d, k), score in self.scores.items()
        )


def protect_tables(dimensions, parts, k, may_open=frozenset()):
    """The participant rule over a set of tables that share people (PRODUCT §5.5–6).

    ``dimensions`` is [(name, {cell key: participant ids}, has_total)], each a breakdown of the
    same people; ``parts`` maps each measure (an enabler's "all except self", its self mean, a
    pitfall) to {participant id: Part}; ``may_open`` holds the participants whose own reports
    the viewer may open. Returns which cells are suppressed and every number's Score.
    """
    rows_suppressed = set()
    cells = []  # (dimension, key, members)
    for name, members_of, has_total in dimensions:
        everyone = frozenset().union(*members_of.values()) if members_of else frozenset()
        entries = [(key, frozenset(m)) for key, m in members_of.items()]
        if has_total:
            entries.append((TOTAL, everyone))
        for key, members in entries:
            if members and len(members - may_open) < k:
                rows_suppressed.add((name, key))
            cells.append((name, key, members))
    scores, memo = {}, {}
    for measure, by_participant in parts.items():
        scores.update(
            _protect_measure(measure, cells, by_participant, k, may_open, rows_suppressed, memo)
        )
    return Protected(rows_suppressed=rows_suppressed, scores=scores)


def _protect_measure(measure, cells, by_participant, k, may_open, rows_suppressed, memo):
    index = {pid: bit for bit, pid in enumerate(sorted(by_participant))}
    candidates, scores, hidden_of = {}, {}, {}
    for name, key, members in cells:
        contributors = [p for p in members if p in by_participant]
        hidden = {p for p in contributors if by_participant[p].counts} - may_open
        if (name, key) in rows_suppressed:
            scores[(measure, name, key)] = Score(
                participants=len(contributors), reason="suppressed"
            )
        elif not contributors:
            scores[(measure, name, key)] = Score(reason="none")
        elif len(hidden) < k:
            scores[(measure, name, key)] = Score(participants=len(contributors), reason="too_few")
        else:
            candidates[(name, key)] = (contributors, sum(1 << index[p] for p in hidden))
            hidden_of[(name, key)] = hidden
    # Most measures rest on the same people (everyone answers every enabler): decide once.
    decided = frozenset((cell, frozenset(hidden)) for cell, hidden in hidden_of.items())
    if decided not in memo:
        published = dict(candidates)
        while True:
            culprit = _secondary(published, k)
            if culprit is None:
                break
            published.pop(culprit)
        memo[decided] = set(published)
    published = memo[decided]
    for (name, key), (contributors, _mask) in candidates.items():
        if (name, key) not in published:
            scores[(measure, name, key)] = Score(
                participants=len(contributors), reason="suppressed"
            )
            continue
        total = EMPTY
        for p in contributors:
            total = total + by_participant[p].tally
        scores[(measure, name, key)] = Score(
            mean=total.mean, participants=len(contributors), shown=True
        )
    return scores


def _small(mask, k):
    return 0 < mask.bit_count() < k


def _secondary(published, k):
    """A cell to suppress so that no sum or difference of up to three published numbers (the
    cells, and each breakdown's sum of its shown cells) rests on 1..k−1 participants; None
    when there is none."""
    numbers = [(mask, [cell]) for cell, (_c, mask) in published.items()]
    by_dimension = {}
    for cell, (_c, mask) in published.items():
        by_dimension.setdefault(cell[0], []).append((cell, mask))
    for entries in by_dimension.values():
        if len(entries) > 1:
            union = 0
            for _cell, mask in entries:
                union |= mask
            numbers.append((union, [cell for cell, _mask in entries]))
    seen, unique = set(), []
    for mask, cells in numbers:
        if mask not in seen:
            seen.add(mask)
            unique.append((mask, cells))

    def smallest(*groups):
        involved = {cell for cells in groups for cell in cells}
        return min(
            involved,
            key=lambda cell: (published[cell][1].bit_count(), cell[1] == TOTAL, str(cell)),
        )

    for (a, ca), (b, cb) in combinations(unique, 2):
        if a & b and _small(a ^ b, k):
            return smallest(ca, cb)
    for (a, ca), (b, cb), (c, cc) in combinations(unique, 3):
        if not (a & b or a & c or b & c):
            continue
        every = a | b | c
        for minus, p, q in ((c, a, b), (b, a, c), (a, b, c)):
            if _small(every & ~((p & ~q & minus) | (~p & q & minus)), k):
                return smallest(ca, cb, cc)
    return None


def group_may_show(size, may_open, k):
    """Whether a team report can show anything: at least k members whose reports the viewer
    cannot open."""
    return size - may_open >= k
