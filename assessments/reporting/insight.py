"""Insight rules (issue 18): placement, self–other agreement, norms, disagreement, whom to ask.

Every function here takes cells that the anonymity rule (``anonymity``) already decided, and
works only on what those cells show — their mean rounded to one decimal, as the page prints it.
A hidden cell never feeds a placement, a category or a band, so none of them can reveal a
number the rule hides. Nothing here touches the database.

The rules, as the report's help text states them:

Placement (next-level ladder). The rungs are All leaders, the leader's own level and the next
  level. A rung is *reached* when others' mean there is at least 3.0 ("regularly") and others'
  mean on every rung below it is at least 3.5 (between "regularly" and "consistently"). The
  placement is the highest rung reached. The ladder is read from the bottom and stops at the
  first rung whose mean is not shown: nothing above a hidden rung is judged.
Self–other agreement (Fleenor, McCauley & Brutus 1996; Atwater & Yammarino 1992/1997), from the
  shown self and the shown "all except self" means: self more than 0.5 above others is an
  over-estimator; more than 0.5 below an under-estimator; otherwise in agreement, "high" when
  others' mean is 3.5 or more and "low" below 3.5.
Norms. Among the leaders of the same level in the organisation's released cycles of the same
  compass edition whose own reports show the number (one participation per person, the latest),
  and only when they are at least ``norm_min_leaders()`` (never fewer than 30): top quarter when
  fewer than a quarter of them are above the leader, bottom quarter when fewer than a quarter
  are below, middle half otherwise (and when both hold, which only ties make possible).
Disagreement. The raters behind a shown number disagree widely when they are at least k and the
  standard deviation of their answers (population formula) is 1.0 or more — for an enabler,
  the spread of the answers within each of its indicators shown, pooled (the root of the mean
  squared distance of each answer from its indicator's mean), so that raters who see different
  behaviours differently count, and an indicator's own level does not. Only the answers the
  number shows count (``anonymity.parts_behind``: a hidden atom never feeds the flag), and they
  are read from the tallies frozen at release (sum, count and sum of squares). The spread
  itself is never shown.
Whom to ask. Per enabler, the column (supervisor or a shown unit) with the highest shown share
  of "not observed", when that share is 30 % or more, names the compass direction(s) its rater
  groups stand for.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments.models import GROUP_DIRECTIONS
from assessments.reporting import anonymity

REGULARLY = Decimal("3.0")
CONSISTENTLY = Decimal("3.5")
AGREEMENT_MARGIN = Decimal("0.5")
AGREEMENT_HIGH = Decimal("3.5")
DISAGREEMENT_SD = 1  # population standard deviation, on the 1–5 scale
NORM_FLOOR = 30  # the norm never rests on fewer leaders, whatever the setting says
EVIDENCE_HINT_SHARE = 0.30

OVER, UNDER, AGREE_HIGH, AGREE_LOW = "over", "under", "agree_high", "agree_low"
AGREEMENT_LABELS = {
    OVER: _("Over-estimator"),
    UNDER: _("Under-estimator"),
    AGREE_HIGH: _("In agreement, high"),
    AGREE_LOW: _("In agreement, low"),
}
AGREEMENT_EXPLANATIONS = {
    OVER: _(
        "You rate yourself more than 0.5 above how others see you. Research finds that "
        "over-estimators tend to be rated the least effective: ask what others see that you do not."
    ),
    UNDER: _(
        "You rate yourself more than 0.5 below how others see you: others value this more than "
        "you do. Build on it with confidence."
    ),
    AGREE_HIGH: _(
        "You and others agree, and others see this at least between regularly and "
        "consistently: a strength you know you have."
    ),
    AGREE_LOW: _("You and others agree that this is not yet strong: you know where to grow."),
}

BOTTOM, MIDDLE, TOP = "bottom", "middle", "top"
BAND_LABELS = {
    BOTTOM: _("bottom quarter"),
    MIDDLE: _("middle half"),
    TOP: _("top quarter"),
}


def shown(cell):
    """The cell's mean as the page prints it (one decimal, half up), or None when hidden."""
    if cell is None or not cell.shown or cell.mean is None:
        return None
    return anonymity.shown_mean(cell.mean)


# --- placement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    rung: int | None  # index of the highest rung reached, None when not even the first
    stopped_at_hidden: int | None  # index of the hidden rung that ended the reading, if any
    read: int = field(default=0, compare=False)  # how many rungs the placement rests on


def placement(cells):
    """The highest rung reached on a ladder of others' cells, bottom rung first."""
    reached = None
    for index, cell in enumerate(cells):
        value = shown(cell)
        if value is None:
            return Placement(rung=reached, stopped_at_hidden=index, read=index)
        if value < REGULARLY:
            return Placement(rung=reached, stopped_at_hidden=None, read=index + 1)
        reached = index
        if value < CONSISTENTLY:
            return Placement(rung=reached, stopped_at_hidden=None, read=index + 1)
    return Placement(rung=reached, stopped_at_hidden=None, read=len(cells))


# --- self–other agreement ----------------------------------------------------------------


def agreement(self_cell, others_cell):
    """The Fleenor category of one enabler, or None unless both numbers are shown."""
    mine, theirs = shown(self_cell), shown(others_cell)
    if mine is None or theirs is None:
        return None
    difference = mine - theirs
    if difference > AGREEMENT_MARGIN:
        return OVER
    if difference < -AGREEMENT_MARGIN:
        return UNDER
    return AGREE_HIGH if theirs >= AGREEMENT_HIGH else AGREE_LOW


# --- norms -------------------------------------------------------------------------------


def norm_min_leaders():
    """The setting ``INSIGHT_NORM_MIN_LEADERS``, never below 30."""
    return max(NORM_FLOOR, int(getattr(settings, "INSIGHT_NORM_MIN_LEADERS", NORM_FLOOR)))


def norm_band(value, norm_values):
    """Where ``value`` stands among ``norm_values`` (every leader's shown value, the leader's own
    included), or None when the norm is too small or the leader's value is not shown."""
    if value is None or len(norm_values) < norm_min_leaders():
        return None
    above = sum(1 for other in norm_values if other > value)
    below = sum(1 for other in norm_values if other < value)
    return band_from_counts(len(norm_values), above=above, below=below)


def band_from_counts(leaders, *, above, below):
    """``norm_band`` from how many of ``leaders`` stand above and below the value."""
    top, bottom = 4 * above < leaders, 4 * below < leaders
    if top and not bottom:
        return TOP
    if bottom and not top:
        return BOTTOM
    return MIDDLE


# --- disagreement ------------------------------------------------------------------------


def views_differ(parts, k):
    """Whether the answers ``parts`` (one ``anonymity.Tally`` per indicator, each the answers
    behind a shown number there) differ widely: at least ``k`` raters behind one of them, and
    a pooled within-indicator population standard deviation of 1.0 or more. Exact arithmetic
    from the sums, counts and sums of squares, so the edge is where a reader computes it by
    hand."""
    parts = [t for t in parts if t.answered]
    if not parts or max(t.raters for t in parts) < max(k, 2):
        return False
    # Most spreads are far from the edge: floating point decides those (its error is some
    # billionths of the sums at most); within a millionth of the edge, exact fractions do.
    answered = sum(t.answered for t in parts)
    rough = sum(float(t.squares) - float(t.total) ** 2 / t.answered for t in parts)
    rough -= answered * DISAGREEMENT_SD**2
    if abs(rough) > 1e-6 * (1 + sum(float(t.squares) for t in parts)):
        return rough > 0
    spread = sum(Fraction(t.squares) - Fraction(t.total * t.total, t.answered) for t in parts)
    return spread / answered >= DISAGREEMENT_SD**2


# --- whom to ask -------------------------------------------------------------------------


@dataclass(frozen=True)
class Advice:
    label: str  # the column: "Supervisor" or a unit's label
    share: float
    directions: tuple  # compass direction slugs, in the compass's order


def whom_to_ask(gaps):
    """``gaps`` are the enabler's evidence-gap entries (label, share or None when hidden,
    groups): the shown column with the highest "not observed" share, if it reaches 30 %."""
    candidates = [g for g in gaps if g.get("share") is not None]
    if not candidates:
        return None
    best = max(candidates, key=lambda g: g["share"])  # first of equals: supervisor, then units
    if best["share"] < EVIDENCE_HINT_SHARE:
        return None
    order = list(GROUP_DIRECTIONS)
    groups = sorted(best["groups"], key=order.index)
    return Advice(
        label=best["label"],
        share=best["share"],
        directions=tuple(GROUP_DIRECTIONS[g] for g in groups),
    )
