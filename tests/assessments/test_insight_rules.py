"""Issue 18's rules on hand-built cells, at the edges of every threshold."""

import random
from fractions import Fraction

import pytest

from assessments.models import RaterGroup
from assessments.reporting import insight
from assessments.reporting.anonymity import TOO_FEW, Cell, Tally


def c(mean):
    return Cell(mean=mean, n=10, shown=True)


# --- placement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("means", "rung"),
    [
        ((2.9, 4.0, 4.0), None),  # not even All leaders "regularly"
        ((3.0, 2.9, 4.0), 0),  # 3.0 reaches a rung
        ((3.4, 3.0, 3.0), 0),  # a rung below 3.5 stops the climb
        ((3.5, 3.0, 2.9), 1),  # 3.5 below lets the next rung count from 3.0
        ((3.5, 3.5, 3.0), 2),  # next level reached
        ((3.5, 3.4, 4.0), 1),  # own level under 3.5: next level not reached however high
        ((3.46, 2.96, 2.94), 1),  # as printed: 3.46 -> 3.5, 2.96 -> 3.0, 2.94 -> 2.9
    ],
)
def test_placement_is_the_highest_rung_at_3_0_with_every_rung_below_at_3_5(means, rung):
    assert insight.placement([c(m) for m in means]).rung == rung


@pytest.mark.parametrize(
    ("means", "read"),
    [((2.9, 4.0, 4.0), 1), ((3.4, 4.0, 4.0), 1), ((3.5, 2.9, 4.0), 2), ((3.5, 3.5, 3.0), 3)],
)
def test_placement_says_how_many_rungs_it_rests_on(means, read):
    # a verdict read from the bottom rung alone rests on whoever rated that rung alone
    assert insight.placement([c(m) for m in means]).read == read


def test_placement_stops_at_a_hidden_rung_and_never_judges_above_it():
    result = insight.placement([c(4.0), TOO_FEW, c(5.0)])
    assert (result.rung, result.stopped_at_hidden) == (0, 1)
    result = insight.placement([TOO_FEW, c(5.0), c(5.0)])
    assert (result.rung, result.stopped_at_hidden) == (None, 0)
    # a rung below 3.5 ends the reading before the hidden rung matters
    assert insight.placement([c(3.4), TOO_FEW]) == insight.Placement(0, None)


# --- agreement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs", "category"),
    [
        (4.1, 3.5, insight.OVER),  # 0.6 above
        (4.0, 3.5, insight.AGREE_HIGH),  # exactly 0.5 above: agreement
        (3.0, 3.5, insight.AGREE_HIGH),  # exactly 0.5 below: agreement
        (2.9, 3.5, insight.UNDER),  # 0.6 below
        (3.4, 3.4, insight.AGREE_LOW),  # others below 3.5: low
        (3.5, 3.45, insight.AGREE_HIGH),  # others printed 3.5 (half up): high
        (3.96, 3.45, insight.AGREE_HIGH),  # printed 4.0 and 3.5: 0.5, agreement
        (4.06, 3.45, insight.OVER),  # printed 4.1 and 3.5
    ],
)
def test_agreement_categories_at_their_edges(mine, theirs, category):
    assert insight.agreement(c(mine), c(theirs)) == category


def test_no_category_from_a_hidden_number():
    assert insight.agreement(TOO_FEW, c(3.0)) is None
    assert insight.agreement(c(5.0), TOO_FEW) is None


# --- norms -------------------------------------------------------------------------------


def d(x):
    return insight.shown(c(x))


def test_norm_needs_30_leaders_and_the_setting_cannot_lower_it(settings):
    values = [d(1 + i / 10) for i in range(29)]
    assert insight.norm_band(d(5.0), values + [d(5.0)]) == insight.TOP
    assert insight.norm_band(d(5.0), values) is None  # 29 leaders
    settings.INSIGHT_NORM_MIN_LEADERS = 10
    assert insight.norm_band(d(5.0), values) is None
    settings.INSIGHT_NORM_MIN_LEADERS = 31
    assert insight.norm_band(d(5.0), values + [d(5.0)]) is None


def test_norm_bands_at_the_quarter_edges():
    # 40 leaders with distinct values 1.0, 1.1, … 4.9: a quarter is 10
    values = [d(1 + i / 10) for i in range(40)]
    assert insight.norm_band(values[30], values) == insight.TOP  # 9 above
    assert insight.norm_band(values[29], values) == insight.MIDDLE  # 10 above
    assert insight.norm_band(values[9], values) == insight.BOTTOM  # 9 below
    assert insight.norm_band(values[10], values) == insight.MIDDLE  # 10 below


def test_a_norm_where_most_leaders_tie_is_the_middle_half():
    values = [d(3.0)] * 30 + [d(2.0), d(4.0)]
    assert insight.norm_band(d(3.0), values) == insight.MIDDLE
    assert insight.norm_band(d(4.0), values) == insight.TOP
    assert insight.norm_band(None, values) is None


# --- disagreement ------------------------------------------------------------------------


def answers(*values):
    """One indicator's tally of these answers, as frozen at release."""
    return Tally(sum(values), len(values), len(values), 0, sum(v * v for v in values))


def test_disagreement_is_decided_exactly_however_close_to_the_edge():
    """The fast path in floating point decides as exact fractions do, at the edge too."""
    rng = random.Random(20)
    for _ in range(3000):
        parts = [
            answers(*(rng.choice([1, 2, 3, 4, 5, 1, 3]) for _ in range(rng.randint(1, 40))))
            for _ in range(rng.randint(1, 4))
        ]
        spread = sum(Fraction(t.squares) - Fraction(t.total**2, t.answered) for t in parts)
        exact = spread / sum(t.answered for t in parts) >= 1
        if max(t.raters for t in parts) < 3:
            exact = False
        assert insight.views_differ(parts, k=3) is exact, parts


def test_disagreement_at_a_standard_deviation_of_exactly_one():
    assert insight.views_differ([answers(1, 1, 3, 3)], k=3)  # sd 1.0
    assert not insight.views_differ([answers(1, 1, 3, 3, 2)], k=3)  # sd 0.89
    assert not insight.views_differ([answers(1, 3)], k=3)  # fewer than k raters
    assert not insight.views_differ([], k=3)


def test_an_enablers_spread_is_pooled_within_its_indicators():
    # Raters agree on each indicator (spread 0) however far apart the indicators' means are:
    # views do not differ.
    assert not insight.views_differ([answers(1, 1, 1), answers(5, 5, 5)], k=3)
    # Within each indicator the answers are 2 and 4 about the mean 3 (squared distance 1 each):
    # exactly 1; with a third indicator on which all agree, (4 + 4 + 0) / 11 < 1.
    assert insight.views_differ([answers(2, 2, 4, 4), answers(4, 4, 2, 2)], k=3)
    assert not insight.views_differ(
        [answers(2, 2, 4, 4), answers(4, 4, 2, 2), answers(5, 5, 5)], k=3
    )
    # Means in thirds: 1, 1, 3 and 3, 3, 5 each have a variance of 8/9, exactly, below 1.
    assert not insight.views_differ([answers(1, 1, 3), answers(3, 3, 5)], k=3)


# --- whom to ask -------------------------------------------------------------------------


def test_whom_to_ask_names_the_directions_of_the_column_that_saw_least():
    gaps = [
        {"label": "Supervisor", "share": 0.1, "groups": {RaterGroup.SUPERVISOR}},
        {"label": "Peers", "share": 0.3, "groups": {RaterGroup.PEER}},
        {
            "label": "Other raters",
            "share": None,
            "groups": {RaterGroup.PARTNER, RaterGroup.DIRECT_REPORT},
        },
    ]
    advice = insight.whom_to_ask(gaps)
    assert (advice.label, advice.directions) == ("Peers", ("peers",))
    gaps[1]["share"] = 0.29
    assert insight.whom_to_ask(gaps) is None  # below 30 %
    gaps[2]["share"] = 0.5
    assert insight.whom_to_ask(gaps).directions == ("team-members", "partners-outside")
