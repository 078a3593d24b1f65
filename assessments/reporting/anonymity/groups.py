"""Team and cohort reports: the unit is the participant (rules 7–10 of the package's
docstring): primary suppression of cells below k, the protection of every table that shares
people against sums and differences (secondary suppression), and the same for counts of
participants (``protect_counts``)."""

from dataclasses import dataclass, field
from itertools import combinations

from assessments.reporting.anonymity.individual import Tally


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
        published = {cell: mask for cell, (_contributors, mask) in candidates.items()}
        by_dimension = {}
        for cell in published:
            by_dimension.setdefault(cell[0], []).append(cell)

        def rank(cell):
            return (published[cell].bit_count(), cell[1] == TOTAL, str(cell))

        while (culprit := _culprit(published, by_dimension.values(), k, rank=rank)) is not None:
            published.pop(culprit)
        memo[decided] = set(published)
    published = memo[decided]
    for (name, key), (contributors, _mask) in candidates.items():
        if (name, key) not in published:
            scores[(measure, name, key)] = Score(
                participants=len(contributors), reason="suppressed"
            )
            continue
        # the sum of the contributors' tallies, as integers (as ``Tally.mean`` divides them)
        tallies = [by_participant[p].tally for p in contributors]
        total = sum(t.total for t in tallies)
        answered = sum(t.answered for t in tallies)
        scores[(measure, name, key)] = Score(
            mean=total / answered if answered else None, participants=len(contributors), shown=True
        )
    return scores


def _culprit(published, groupings, k, *, rank, size=int.bit_count):
    """A number to hide so that no sum or difference of up to three published numbers rests on
    1..k−1 participants; None when there is none.

    ``published`` maps each number to the mask of the participants it rests on; each of
    ``groupings`` lists numbers that split one whole (the cells of one breakdown, the categories
    of one cell), so a reader adds up those shown: that sum is a number too. ``size`` counts the
    participants of a mask; of the numbers that make up an offending combination, the first by
    ``rank`` is hidden.
    """
    numbers = [(mask, [number]) for number, mask in published.items()]
    for grouping in groupings:
        shown = [number for number in grouping if number in published]
        if len(shown) > 1:
            union = 0
            for number in shown:
                union |= published[number]
            numbers.append((union, shown))
    seen, unique = set(), []
    for mask, parts in numbers:
        if mask not in seen:
            seen.add(mask)
            unique.append((mask, parts))

    def small(mask):
        return mask != 0 and size(mask) < k

    def smallest(*groups):
        # a number resting on nobody (a count of 0 in one category) changes no combination
        involved = {number for parts in groups for number in parts if published[number]}
        return min(involved, key=rank)

    size_of = len(unique)
    shares = [set() for _ in range(size_of)]  # which numbers share someone with each
    for i, j in combinations(range(size_of), 2):
        if unique[i][0] & unique[j][0]:
            shares[i].add(j)
            shares[j].add(i)
            if small(unique[i][0] ^ unique[j][0]):
                return smallest(unique[i][1], unique[j][1])
    # Three numbers: one that shares nobody with the other two adds all of its own people, who
    # are none or at least k (every number is), so only linked triples are searched.
    for i, j, m in combinations(range(size_of), 3):
        if (j in shares[i]) + (m in shares[i]) + (m in shares[j]) < 2:
            continue
        (a, ca), (b, cb), (c, cc) = unique[i], unique[j], unique[m]
        every = a | b | c
        for minus, p, q in ((c, a, b), (b, a, c), (a, b, c)):
            if small(every & ~((p & ~q & minus) | (~p & q & minus))):
                return smallest(ca, cb, cc)
    return None


# --- counts of participants: next-level behaviours, self–other agreement ---------------------

JUDGED = "__judged__"


@dataclass(frozen=True)
class Verdict:
    """What one participant's own released report says on one thing counted (a category:
    "over-estimator", "shows next-level behaviours"…), and whether the viewer does not already
    know it (a supervisor knows a verdict that rests on their own answers alone)."""

    category: str
    counts: bool = True


@dataclass(frozen=True)
class Counts:
    """The counts of one cell (a level, a gender, a team) on one thing counted: how many of the
    participants judged fall in each category (None where hidden), and how many were judged —
    or, when ``shown`` is False, why nothing is ("suppressed", "too_few", "none")."""

    shown: bool = False
    reason: str = ""
    counts: dict = field(default_factory=dict)
    judged: int | None = None


def protect_counts(dimensions, verdicts, categories, k, may_open=frozenset()):
    """Counts of participants per category, over tables that share people (rule 10).

    ``dimensions`` is [(name, {cell key: participant ids})], each a breakdown of the same people
    (levels, genders, a team); ``verdicts`` maps each measure (one enabler's agreement, its
    next-level verdict) to {participant id: Verdict}; ``categories`` are the columns of every
    cell. Returns {(measure, dimension, cell key): Counts}.
    """
    out = {}
    for measure, by_participant in verdicts.items():
        out.update(
            _protect_count_measure(measure, dimensions, by_participant, categories, k, may_open)
        )
    return out


def _protect_count_measure(measure, dimensions, verdicts, categories, k, may_open):
    hidden_all = sorted(p for p, v in verdicts.items() if v.counts and p not in may_open)
    bit = {p: i for i, p in enumerate(hidden_all)}
    width = len(hidden_all)
    column = {category: index for index, category in enumerate(categories)}
    out, cells, sizes = {}, {}, {}
    by_set, by_variable, groupings = {}, {}, []
    for name, members_of in dimensions:
        per_category = {category: [] for category in (*categories, JUDGED)}
        for key, members in members_of.items():
            members = frozenset(members)
            judged = [p for p in members if p in verdicts]
            hidden = {p for p in judged if verdicts[p].counts} - may_open
            if members and len(members - may_open) < k:
                out[(measure, name, key)] = Counts(reason="suppressed")
                continue
            if not judged:
                out[(measure, name, key)] = Counts(reason="none")
                continue
            if len(hidden) < k:
                out[(measure, name, key)] = Counts(reason="too_few")
                continue
            cells[(name, key)] = judged
            sizes[(name, key)] = len(hidden)
            everyone, every_answer = 0, 0
            for p in hidden:
                everyone |= 1 << bit[p]
            ids = []
            for category in categories:
                own = [p for p in hidden if verdicts[p].category == category]
                as_set, as_variable = 0, 0
                for p in own:
                    as_set |= 1 << bit[p]
                as_variable = everyone << (column[category] * width)
                every_answer |= as_variable
                if 0 < len(own) < k:  # the threshold rule of frequency tables
                    continue
                number = (name, key, category)
                by_set[number], by_variable[number] = as_set, as_variable
                ids.append(number)
                per_category[category].append(number)
            number = (name, key, JUDGED)
            by_set[number], by_variable[number] = everyone, every_answer
            per_category[JUDGED].append(number)
            groupings.append(ids)
        groupings.extend(per_category.values())
    full = (1 << width) - 1

    def people(mask):
        """Participants of a mask of (category, participant) bits — or, where the bits alone
        tell which side of k it is on, a number on the same side."""
        bits = mask.bit_count()
        if bits < k or bits >= k * len(categories):
            return bits // (1 if bits < k else len(categories))
        seen = 0
        for index in range(len(categories)):
            seen |= (mask >> (index * width)) & full
        return seen.bit_count()

    def rank_set(number):
        return (by_set[number].bit_count(), number[2] == JUDGED, str(number))

    def rank_variable(number):
        return (sizes[number[:2]], number[2] == JUDGED, str(number))

    while True:
        culprit = _culprit(by_set, groupings, k, rank=rank_set)
        if culprit is None:
            published = {n: by_variable[n] for n in by_set}
            culprit = _culprit(published, groupings, k, rank=rank_variable, size=people)
        if culprit is None:
            break
        by_set.pop(culprit)
    for (name, key), judged in cells.items():
        counts = {
            category: sum(1 for p in judged if verdicts[p].category == category)
            if (name, key, category) in by_set
            else None
            for category in categories
        }
        out[(measure, name, key)] = Counts(
            shown=True,
            counts=counts,
            judged=len(judged) if (name, key, JUDGED) in by_set else None,
        )
    return out


def group_may_show(size, may_open, k):
    """Whether a team report can show anything: at least k members whose reports the viewer
    cannot open."""
    return size - may_open >= k
