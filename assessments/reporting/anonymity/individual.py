"""Individual reports: the units a report shows, its cells and totals built from shown atoms,
one precision, and when reports are visible (rules 1–6, 11 and 13–15 of the package's docstring)."""

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

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
class Disclosure:
    """Which units a report shows, and why anonymous answers are withheld when they are."""

    k: int
    units: list  # anonymous units shown, in group order
    withheld_reason: str = ""
    unit_of_group: dict = field(default_factory=dict)

    @property
    def anonymous_shown(self):
        return bool(self.units)


def disclose_units(submitted_by_group, k):
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
    return Disclosure(k=k, units=units, withheld_reason=reason, unit_of_group=unit_of_group)


@dataclass(frozen=True)
class Tally:
    """What SQL aggregated for one column over one thing summarised (an item, an enabler).

    ``raters`` is how many distinct raters gave at least one real answer; ``total`` and
    ``answered`` sum and count the real answers; ``not_observed`` counts the rest; ``squares``
    sums, over the raters, the square of each rater's total (for one item: of their answer),
    which gives the spread of the raters' answers (``insight.views_differ``).
    """

    total: int = 0
    answered: int = 0
    raters: int = 0
    not_observed: int = 0
    squares: int = 0

    def __add__(self, other):
        return Tally(
            self.total + other.total,
            self.answered + other.answered,
            self.raters + other.raters,
            self.not_observed + other.not_observed,
            self.squares + other.squares,
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


def _unit_tallies(tallies, disclosure):
    """{unit key: Tally} of one item's {group: Tally}."""
    out = {u.key: EMPTY for u in disclosure.units}
    for group, tally in tallies.items():
        key = disclosure.unit_of_group.get(group)
        if key is not None:
            out[key] = out[key] + tally
    return out


def _atom_shown(tally, k):
    return tally.answered > 0 and tally.raters >= k


def build_row(tallies, disclosure):
    """One item's row: ``tallies`` maps rater groups to Tally for that item."""
    return combine_rows([tallies], disclosure)


def combine_rows(item_tallies, disclosure):
    """A row over several items (an enabler, a level's indicators) built from shown atoms only.

    ``item_tallies`` is a list of {group: Tally}, one per item. A unit's number is the sum of
    its atoms (unit × item) that are shown on their own; "all except self" is the supervisor
    plus those same atoms. A unit that answered but has no shown atom reads "too few answers".
    """
    self_total, supervisor = EMPTY, EMPTY
    shown = {u.key: EMPTY for u in disclosure.units}
    hidden = {u.key: EMPTY for u in disclosure.units}
    for tallies in item_tallies:
        self_total = self_total + tallies.get(RaterGroup.SELF, EMPTY)
        supervisor = supervisor + tallies.get(RaterGroup.SUPERVISOR, EMPTY)
        for key, tally in _unit_tallies(tallies, disclosure).items():
            if _atom_shown(tally, disclosure.k):
                shown[key] = shown[key] + tally
            else:
                hidden[key] = hidden[key] + tally
    unit_cells = {}
    others, others_groups = supervisor, {RaterGroup.SUPERVISOR}
    for unit in disclosure.units:
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


def released_others(tallies, disclosure):
    """What one participant's released report shows of "all except self" on one item, as
    (Tally of the supervisor and the shown atoms, Tally of the shown anonymous atoms alone).

    Team and cohort numbers take a participant only through this (PRODUCT §5.5)."""
    anonymous = EMPTY
    for tally in _unit_tallies(tallies, disclosure).values():
        if _atom_shown(tally, disclosure.k):
            anonymous = anonymous + tally
    return tallies.get(RaterGroup.SUPERVISOR, EMPTY) + anonymous, anonymous


def parts_behind(item_tallies, disclosure, unit_key=None):
    """The answers behind a shown number over several items, one Tally per item: a unit's
    shown atoms (``unit_key``), or "all except self" (``unit_key`` None: the supervisor and
    every shown atom). What a number rests on, so that nothing derived from it (the spread of
    its raters' views, issue 18) reads an answer it does not show."""
    out = []
    for tallies in item_tallies:
        if unit_key is None:
            tally = released_others(tallies, disclosure)[0]
        else:
            tally = _unit_tallies(tallies, disclosure).get(unit_key, EMPTY)
            if not _atom_shown(tally, disclosure.k):
                continue
        if tally.answered:
            out.append(tally)
    return out


def evidence_share(item_tallies, disclosure, unit_key=None):
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
        tally = _unit_tallies(tallies, disclosure).get(unit_key, EMPTY)
        if _atom_shown(tally, disclosure.k) or not tally.answered:
            total = total + tally
        else:
            hidden_answered = True
    given = total.answered + total.not_observed
    if not given:
        return "too_few" if hidden_answered else None
    return total.not_observed / given, given


def others_withheld(row, disclosure, anonymous_submitted):
    """Whether a row's "all except self" is missing because answers were too few to show,
    rather than absent."""
    if row.others.shown:
        return False
    if any(unit.too_few for unit in row.units.values()):
        return True
    return not disclosure.units and anonymous_submitted


def unit_tally(tallies, disclosure, unit_key):
    """The combined tally of one unit on one item."""
    return _unit_tallies(tallies, disclosure).get(unit_key, EMPTY)


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


def comment_label(group, disclosure):
    """The label a comment carries, or None when it must be left out."""
    if group == RaterGroup.SELF:
        return str(_("Self"))
    if group == RaterGroup.SUPERVISOR:
        return str(_("Supervisor"))
    key = disclosure.unit_of_group.get(group)
    if key is None:
        return None
    return next(u.label for u in disclosure.units if u.key == key)


def shuffled_comments(comments, seed):
    """Comments in an order that reveals nothing about when they were written: sorted by a
    keyed hash of their text, stable across page loads."""
    return sorted(
        comments, key=lambda c: hashlib.sha256(f"{seed}:{c['text']}".encode()).hexdigest()
    )


def reports_visible(cycle):
    """No report of any kind exists before release: nobody watches numbers move. A progress
    pulse has no report pages at all (its numbers are on the action plan it follows up)."""
    return cycle.state == Cycle.State.RELEASED and not cycle.is_pulse


def pulse_results_visible(pulse):
    """A progress pulse's numbers exist once it is released, as a report's do."""
    return pulse.is_pulse and pulse.state == Cycle.State.RELEASED


def pooled_others(row, disclosure, anonymous_submitted):
    """The "all except self" of ``row`` as a before/after comparison shows it (a pulse):
    only when it rests on at least one shown anonymous unit — k or more raters, with the
    supervisor — never on the supervisor alone; otherwise "too few answers" (or no answers,
    where nobody answered). ``anonymous_submitted``: whether any anonymous rater submitted."""
    others = row.others
    if others.shown and others.groups & set(ANONYMOUS_GROUPS):
        return others
    if others.shown or others_withheld(row, disclosure, anonymous_submitted):
        return TOO_FEW
    return NO_ANSWERS


def gap(first, second):
    """``first`` minus ``second`` (self minus others, now minus before) where both are shown:
    the difference of the two numbers as printed, so that it narrows neither."""
    if not (first.shown and second.shown):
        return None
    return float(shown_mean(first.mean) - shown_mean(second.mean))
