"""The anonymity rule (PRODUCT §5, made stricter by issue 12) — the one place it lives.

Every report, chart, export and comparison asks this module what may be shown. Nothing here
touches the database: callers pass counts and sums that they aggregated in SQL (tallies of
(sum, count, raters, not observed) per participant × item × rater group), and get back cells
that are either shown or say why not.

The property: over everything one viewer can reach for a cycle (pages, charts, print, CSV/XLSX,
comparisons with earlier cycles, and the individual reports they may open), no number, and no
sum or difference of such numbers, rests on 1..k−1 anonymous raters, or on 1..k−1 participants
whose reports that viewer cannot open.

How it holds — **every total is built only from parts that are shown**, never from raw answers:

Individual reports
  1. Units. An anonymous group (peers, direct reports, partners) is a unit of its own only
     with at least k submitted responses. Groups below k are pooled as "Other raters"; a pool
     below k is merged into the smallest shown unit; if nothing reaches k, no anonymous answer
     is shown anywhere, and the report says why.
  2. Atoms. The smallest number is one unit on one item (an indicator or a pitfall). It is
     shown only if at least k of the unit's raters gave a real answer (not "not observed") to
     that item; otherwise it reads "too few answers". Self and supervisor are named and always
     shown.
  3. Totals from shown atoms. An enabler's or a level's number for a unit is the sum of that
     unit's *shown* atoms over the items it covers; "all except self" is the supervisor plus
     the shown atoms of that row; an evidence-gap share counts only the answers of shown atoms
     (and of items where nobody in the unit gave a real answer, which the page shows as such).
     So every number of a report is a sum of atoms, each atom resting on k or more anonymous
     raters (or on a named rater): any sum or difference of such numbers is again a sum of
     whole atoms with non-zero weight, and rests on 0 or at least k anonymous raters. Nothing
     hidden can be worked out by subtracting shown parts from a total, because no total holds
     a hidden part.
  4. Comments carry their unit's label and nothing finer, are not in submission order, and are
     left out when their unit is not shown.
  5. Nothing is shown before the cycle is released (see ``reports_visible``).
  6. One precision: a mean is shown to one decimal (``DECIMALS``) on pages, in charts (their
     data attributes included) and in exports, through ``shown_mean``.

Team and cohort reports: the unit is the participant
  7. A participant enters a team or cohort number only through what their own released report
     shows (``released_others``: the supervisor plus the shown atoms), and only with a real
     answer on what the number summarises. So units withheld in an individual report never
     feed a group number.
  8. A cell (a level, an org unit, a gender, the whole team…) is shown only if it holds at least
     k participants whose reports the viewer cannot open and whose part the viewer does not
     already know (a supervisor knows their own answers); fewer reads "suppressed" or "too few
     answers" (primary suppression).
  9. Secondary suppression, across every table that shares people: for each number (an enabler
     for "all except self", for self, a pitfall) the cells of every breakdown (levels, org units,
     genders, their totals, and the sum of each breakdown's shown cells) are searched for sums
     and differences of up to three of them that rest on 1..k−1 such participants; while one
     exists, the smallest cell in it is suppressed too. Within one breakdown this guarantees
     that the hidden remainder of a shown total is empty or holds at least k participants;
     across breakdowns (a gender nested in an org unit) it removes every such difference of
     two or three cells. Earlier cycles are other answers, so they cannot cancel these.
 10. Earlier cycles' numbers ("change since the previous cycle") are shown only to readers who
     may open that earlier report (``access.may_open_report``), and as that report shows them.
 11. Fake raters defeat any threshold: nominations refuse the leader's own address in another
     case or with a "+tag" (``nominations``); where supervisors do not approve nominations, HR's
     cycle page says that anonymity rests on honest nominations.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from django.utils.translation import gettext_lazy as _

from assessments.models import ANONYMOUS_GROUPS, Cycle, Rater, RaterGroup

GROUP_LABELS = dict(RaterGroup.choices)
OTHERS = "others"


@dataclass(frozen=True)
class Unit:
    """A set of rater groups whose answers are reported together."""

    key: str
    label: str
    groups: frozenset
    size: int  # submitted responses

    @property
    def is_anonymous(self):
        return not (self.groups & {RaterGroup.SELF, RaterGroup.SUPERVISOR})


@dataclass
class UnitPlan:
    """Which units a report shows, and why anonymous answers are withheld when they are."""

    k: int
    units: list  # anonymous units shown, in group order
    withheld_reason: str = ""
    unit_of_group: dict = field(default_factory=dict)

    @property
    def anonymous_shown(self):
        return bool(self.units)


def plan_units(submitted_by_group, k):
    """Decide the anonymous units from the number of submitted responses per group."""
    counts = {g: submitted_by_group.get(g, 0) for g in ANONYMOUS_GROUPS}
    units = [
        Unit(key=g, label=GROUP_LABELS[g], groups=frozenset({g}), size=counts[g])
        for g in ANONYMOUS_GROUPS
        if counts[g] >= k
    ]
    below = [g for g in ANONYMOUS_GROUPS if 0 < counts[g] < k]
    pool = sum(counts[g] for g in below)
    reason = ""
    if below and pool >= k:
        units.append(
            Unit(key=OTHERS, label=str(_("Other raters")), groups=frozenset(below), size=pool)
        )
    elif below and units:
        smallest = min(units, key=lambda u: (u.size, ANONYMOUS_GROUPS.index(u.key)))
        merged = Unit(
            key=smallest.key,
            label=str(_("%(group)s and other raters") % {"group": smallest.label}),
            groups=smallest.groups | frozenset(below),
            size=smallest.size + pool,
        )
        units = [merged if u is smallest else u for u in units]
    if not units:
        total = sum(counts.values())
        if total:
            reason = str(
                _(
                    "Fewer than %(k)s peers, direct reports and partners answered in all, so "
                    "their answers are not shown: with so few, they could be recognised."
                )
                % {"k": k}
            )
        else:
            reason = str(_("No peers, direct reports or partners submitted answers."))
    unit_of_group = {g: u.key for u in units for g in u.groups}
    return UnitPlan(k=k, units=units, withheld_reason=reason, unit_of_group=unit_of_group)


@dataclass(frozen=True)
class Tally:
    """What SQL aggregated for one column over one thing summarised (an item, an enabler).

    ``raters`` is how many distinct raters gave at least one real answer; ``total`` and
    ``answered`` sum and count the real answers; ``not_observed`` counts the rest.
    """

    total: int = 0
    answered: int = 0
    raters: int = 0
    not_observed: int = 0

    def __add__(self, other):
        return Tally(
            self.total + other.total,
            self.answered + other.answered,
            self.raters + other.raters,
            self.not_observed + other.not_observed,
        )

    @property
    def mean(self):
        return self.total / self.answered if self.answered else None


EMPTY = Tally()


@dataclass(frozen=True)
class Cell:
    """One number of a report: its mean and answer count, or the reason it is not shown."""

    mean: float | None = None
    n: int = 0
    shown: bool = False
    reason: str = ""
    groups: frozenset = frozenset()  # the rater groups whose answers this number rests on

    @property
    def too_few(self):
        return not self.shown and self.reason == "too_few"


NO_ANSWERS = Cell(reason="none")
TOO_FEW = Cell(reason="too_few")


def _named_cell(tally, groups):
    """Self and supervisor are not anonymous: shown whenever they answered."""
    if not tally.answered:
        return NO_ANSWERS
    return Cell(mean=tally.mean, n=tally.answered, shown=True, groups=frozenset(groups))


def _anonymous_cell(tally, k, groups):
    if not tally.answered:
        return NO_ANSWERS
    if tally.raters < k:
        return TOO_FEW
    return Cell(mean=tally.mean, n=tally.answered, shown=True, groups=frozenset(groups))


@dataclass
class Row:
    """One line of a report table: self, supervisor, each unit, and all except self."""

    self_cell: Cell
    supervisor: Cell
    units: dict  # unit key -> Cell
    others: Cell  # all raters except self: supervisor + the units shown in this row


def _unit_tallies(tallies, plan):
    """{unit key: Tally} of one item's {group: Tally}."""
    out = {u.key: EMPTY for u in plan.units}
    for group, tally in tallies.items():
        key = plan.unit_of_group.get(group)
        if key is not None:
            out[key] = out[key] + tally
    return out


def _atom_shown(tally, k):
    return tally.answered > 0 and tally.raters >= k


def build_row(tallies, plan):
    """One item's row: ``tallies`` maps rater groups to Tally for that item."""
    return combine_rows([tallies], plan)


def combine_rows(item_tallies, plan):
    """A row over several items (an enabler, a level's indicators) built from shown atoms only.

    ``item_tallies`` is a list of {group: Tally}, one per item. A unit's number is the sum of
    its atoms (unit × item) that are shown on their own; "all except self" is the supervisor
    plus those same atoms. A unit that answered but has no shown atom reads "too few answers".
    """
    self_total, supervisor = EMPTY, EMPTY
    shown = {u.key: EMPTY for u in plan.units}
    hidden = {u.key: EMPTY for u in plan.units}
    for tallies in item_tallies:
        self_total = self_total + tallies.get(RaterGroup.SELF, EMPTY)
        supervisor = supervisor + tallies.get(RaterGroup.SUPERVISOR, EMPTY)
        for key, tally in _unit_tallies(tallies, plan).items():
            if _atom_shown(tally, plan.k):
                shown[key] = shown[key] + tally
            else:
                hidden[key] = hidden[key] + tally
    unit_cells = {}
    others, others_groups = supervisor, {RaterGroup.SUPERVISOR}
    for unit in plan.units:
        if shown[unit.key].answered:
            unit_cells[unit.key] = Cell(
                mean=shown[unit.key].mean,
                n=shown[unit.key].answered,
                shown=True,
                groups=unit.groups,
            )
            others = others + shown[unit.key]
            others_groups |= unit.groups
        elif hidden[unit.key].answered:
            unit_cells[unit.key] = TOO_FEW
        else:
            unit_cells[unit.key] = NO_ANSWERS
    return Row(
        self_cell=_named_cell(self_total, {RaterGroup.SELF}),
        supervisor=_named_cell(supervisor, {RaterGroup.SUPERVISOR}),
        units=unit_cells,
        others=_named_cell(others, others_groups),
    )


def released_others(tallies, plan):
    """What one participant's released report shows of "all except self" on one item, as
    (Tally of the supervisor and the shown atoms, Tally of the shown anonymous atoms alone).

    Team and cohort numbers take a participant only through this (PRODUCT §5.5)."""
    anonymous = EMPTY
    for tally in _unit_tallies(tallies, plan).values():
        if _atom_shown(tally, plan.k):
            anonymous = anonymous + tally
    return tallies.get(RaterGroup.SUPERVISOR, EMPTY) + anonymous, anonymous


def evidence_share(item_tallies, plan, unit_key=None):
    """The share of "not observed" answers of the supervisor (``unit_key`` None) or of one unit
    over several items, as (share, answers) — or None when nothing was answered — or
    ``"too_few"`` when the unit's answers there may not be shown.

    Only shown atoms count, and items on which no rater of the unit gave a real answer (the
    report shows those as "no answers"): a share never counts the answers of a hidden atom.
    """
    total, hidden_answered = EMPTY, False
    for tallies in item_tallies:
        if unit_key is None:
            total = total + tallies.get(RaterGroup.SUPERVISOR, EMPTY)
            continue
        tally = _unit_tallies(tallies, plan).get(unit_key, EMPTY)
        if _atom_shown(tally, plan.k) or not tally.answered:
            total = total + tally
        else:
            hidden_answered = True
    given = total.answered + total.not_observed
    if not given:
        return "too_few" if hidden_answered else None
    return total.not_observed / given, given


def others_withheld(row, plan, anonymous_submitted):
    """Whether a row's "all except self" is missing because answers were too few to show,
    rather than absent."""
    if row.others.shown:
        return False
    if any(unit.too_few for unit in row.units.values()):
        return True
    return not plan.units and anonymous_submitted


def unit_tally(tallies, plan, unit_key):
    """The combined tally of one unit on one item."""
    return _unit_tallies(tallies, plan).get(unit_key, EMPTY)


def leader_sees_progress(rater):
    """Whether the leader may see this rater's own progress (started, submitted). Whether one
    named peer has answered would tell the leader whose answers make up a group, so for
    anonymous raters both read as "invited"; the group shows how many answered instead."""
    return not (
        rater.group in ANONYMOUS_GROUPS
        and rater.status in (Rater.Status.STARTED, Rater.Status.SUBMITTED)
    )


# --- one precision ----------------------------------------------------------------------

DECIMALS = 1
_QUANTUM = Decimal(1).scaleb(-DECIMALS)


def shown_mean(value):
    """A mean, a gap or a change as every page, chart and export shows it: ``DECIMALS``
    decimals, rounded half up (a Decimal, so it never carries more)."""
    return Decimal(repr(float(value))).quantize(_QUANTUM, rounding=ROUND_HALF_UP)


def comment_label(group, plan):
    """The label a comment carries, or None when it must be left out."""
    if group == RaterGroup.SELF:
        return str(_("Self"))
    if group == RaterGroup.SUPERVISOR:
        return str(_("Supervisor"))
    key = plan.unit_of_group.get(group)
    if key is None:
        return None
    return next(u.label for u in plan.units if u.key == key)


def shuffled_comments(comments, seed):
    """Comments in an order that reveals nothing about when they were written: sorted by a
    keyed hash of their text, stable across page loads."""
    return sorted(
        comments, key=lambda c: hashlib.sha256(f"{seed}:{c['text']}".encode()).hexdigest()
    )


def reports_visible(cycle):
    """No report of any kind exists before release: nobody watches numbers move."""
    return cycle.state == Cycle.State.RELEASED


def gap(first, second):
    """``first`` minus ``second`` (self minus others, now minus before) where both are shown:
    the difference of the two numbers as printed, so that it narrows neither."""
    if not (first.shown and second.shown):
        return None
    return float(shown_mean(first.mean) - shown_mean(second.mean))


# --- team and cohort reports: the unit is the participant --------------------------------


@dataclass(frozen=True)
class Breakdown:
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
    return Breakdown(suppressed=frozenset(suppressed), total_shown=total_shown)


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
