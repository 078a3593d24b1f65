"""The anonymity rule (PRODUCT §5) — the one place it lives.

Every report, chart, export and comment list asks this module what may be shown. Nothing here
touches the database: callers pass counts and sums that they aggregated in SQL, and get back
cells that are either shown or say why not.

Individual reports
  1. Units. An anonymous group (peers, direct reports, partners) is a unit of its own only
     with at least k submitted responses. Groups below k are pooled as "Other raters"; a pool
     below k is merged into the smallest shown unit; if nothing reaches k, no anonymous answer
     is shown anywhere, and the report says why.
  2. Every number shows a unit only if at least k raters of that unit gave a real answer (not
     "not observed") to what it summarises. A total such as "all raters except self" is built
     only from the supervisor and the units shown in that same row, so no difference between
     two shown numbers isolates fewer than k anonymous raters.
  3. Comments carry their unit's label and nothing finer, are not in submission order, and are
     left out when their unit is not shown.
  4. Nothing is shown before the cycle is released (see ``reports_visible``).
Team and cohort reports
  5. The unit is the participant: a cell with fewer than k participants is suppressed, and
     where one suppressed cell could be recovered from a total, the next smallest cell is
     suppressed too (complementary suppression).
"""

import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import ANONYMOUS_GROUPS, Cycle, RaterGroup

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


def build_row(tallies, plan):
    """``tallies`` maps rater groups to Tally for one thing summarised."""
    unit_tallies = {u.key: EMPTY for u in plan.units}
    for group, tally in tallies.items():
        key = plan.unit_of_group.get(group)
        if key is not None:
            unit_tallies[key] = unit_tallies[key] + tally
    unit_cells = {u.key: _anonymous_cell(unit_tallies[u.key], plan.k, u.groups) for u in plan.units}
    supervisor = tallies.get(RaterGroup.SUPERVISOR, EMPTY)
    others, others_groups = supervisor, {RaterGroup.SUPERVISOR}
    for unit in plan.units:
        if unit_cells[unit.key].shown:
            others = others + unit_tallies[unit.key]
            others_groups |= unit.groups
    return Row(
        self_cell=_named_cell(tallies.get(RaterGroup.SELF, EMPTY), {RaterGroup.SELF}),
        supervisor=_named_cell(supervisor, {RaterGroup.SUPERVISOR}),
        units=unit_cells,
        others=_named_cell(others, others_groups),
    )


def unit_tally(tallies, plan, unit_key):
    """The combined tally of one shown unit (for shares such as "not observed")."""
    total = EMPTY
    for group, tally in tallies.items():
        if plan.unit_of_group.get(group) == unit_key:
            total = total + tally
    return total


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


# --- team and cohort reports: the unit is the participant --------------------------------


@dataclass(frozen=True)
class Breakdown:
    suppressed: frozenset  # cell keys whose numbers are not shown
    total_shown: bool  # whether the total over all cells may be shown


def suppress_breakdown(sizes, k):
    """Which cells of one breakdown (participant counts per org unit, gender, level…) to hide.

    Cells below k are suppressed. If exactly one cell is suppressed, it could be recovered by
    subtracting the shown cells from the total, so the next smallest cell is suppressed too;
    where there is none, the total is hidden instead. Empty cells reveal nothing.
    """
    suppressed = {key for key, n in sizes.items() if 0 < n < k}
    total_shown = sum(sizes.values()) >= k
    if len(suppressed) == 1:
        candidates = sorted(
            (n, str(key), key) for key, n in sizes.items() if key not in suppressed and n > 0
        )
        if candidates:
            suppressed.add(candidates[0][2])
        else:
            total_shown = False
    return Breakdown(suppressed=frozenset(suppressed), total_shown=total_shown)
