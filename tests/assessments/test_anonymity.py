"""The anonymity rule, on hand-built cases and on random cycles (hypothesis)."""

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.anonymity import (
    EMPTY,
    Tally,
    build_row,
    comment_label,
    plan_units,
    suppress_breakdown,
)
from assessments.models import ANONYMOUS_GROUPS, RaterGroup

PEER, DR, PARTNER = RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.PARTNER
SELF, SUPERVISOR = RaterGroup.SELF, RaterGroup.SUPERVISOR


# --- hand-built cases -------------------------------------------------------------------


def test_groups_with_k_or_more_submissions_are_units_of_their_own():
    plan = plan_units({PEER: 4, DR: 3, PARTNER: 5}, k=3)
    assert [u.key for u in plan.units] == [PEER, DR, PARTNER]


def test_peer_group_below_threshold_is_pooled_with_other_small_groups():
    plan = plan_units({PEER: 2, DR: 5, PARTNER: 1}, k=3)
    assert [u.key for u in plan.units] == [DR, "others"]
    others = plan.units[1]
    assert others.groups == {PEER, PARTNER}
    assert others.label == "Other raters"


def test_a_pool_below_k_is_merged_into_the_smallest_shown_group():
    plan = plan_units({PEER: 6, DR: 4, PARTNER: 2}, k=3)
    assert [u.key for u in plan.units] == [PEER, DR]
    merged = plan.units[1]
    assert merged.groups == {DR, PARTNER}
    assert merged.label == "Direct reports and other raters"
    assert merged.size == 6


def test_when_nothing_reaches_k_no_anonymous_answer_is_shown_and_the_report_says_why():
    plan = plan_units({PEER: 2, DR: 0, PARTNER: 0}, k=3)
    assert plan.units == []
    assert "Fewer than 3" in plan.withheld_reason
    row = build_row({PEER: Tally(10, 2, 2), SUPERVISOR: Tally(4, 1, 1)}, plan)
    assert row.units == {}
    assert row.others.mean == 4  # the supervisor alone
    assert row.others.groups == {SUPERVISOR}


def test_a_number_with_fewer_than_k_real_answers_reads_too_few_and_leaves_the_total():
    plan = plan_units({PEER: 4, DR: 3}, k=3)
    # Two of the four peers said "not observed" for this item.
    row = build_row(
        {
            PEER: Tally(total=8, answered=2, raters=2, not_observed=2),
            DR: Tally(total=12, answered=3, raters=3),
            SUPERVISOR: Tally(total=5, answered=1, raters=1),
            SELF: Tally(total=5, answered=1, raters=1),
        },
        plan,
    )
    assert row.units[PEER].too_few
    assert row.units[DR].mean == 4
    assert row.others.mean == (12 + 5) / 4  # direct reports and supervisor only
    assert PEER not in row.others.groups
    assert row.self_cell.mean == 5


def test_self_and_supervisor_are_shown_with_a_single_answer():
    plan = plan_units({}, k=3)
    row = build_row({SELF: Tally(3, 1, 1), SUPERVISOR: Tally(2, 1, 1)}, plan)
    assert row.self_cell.shown and row.supervisor.shown


def test_comments_of_unshown_units_are_left_out_and_labels_go_no_finer_than_the_unit():
    plan = plan_units({PEER: 2, DR: 4, PARTNER: 0}, k=3)
    assert comment_label(PEER, plan) == "Direct reports and other raters"
    assert comment_label(DR, plan) == "Direct reports and other raters"
    assert comment_label(SUPERVISOR, plan) == "Supervisor"
    lonely = plan_units({PEER: 2}, k=3)
    assert comment_label(PEER, lonely) is None


def test_cohort_cell_below_k_is_suppressed_with_its_complement():
    result = suppress_breakdown({"Nairobi": 12, "Dhaka": 2, "Geneva": 7, "Panama": 9}, k=3)
    assert result.suppressed == {"Dhaka", "Geneva"}
    assert result.total_shown


def test_no_complement_needed_when_two_cells_are_already_suppressed():
    result = suppress_breakdown({"woman": 2, "man": 1, "another": 0, "undisclosed": 8}, k=3)
    assert result.suppressed == {"woman", "man"}


def test_a_single_small_cell_without_a_complement_hides_the_total():
    result = suppress_breakdown({"Dhaka": 2, "Geneva": 0}, k=3)
    assert result.suppressed == {"Dhaka"}
    assert not result.total_shown


# --- random cycles ------------------------------------------------------------------------


@st.composite
def random_cycle(draw):
    k = draw(st.integers(min_value=3, max_value=6))
    sizes = {
        SELF: draw(st.integers(0, 1)),
        SUPERVISOR: draw(st.integers(0, 1)),
        PEER: draw(st.integers(0, 9)),
        DR: draw(st.integers(0, 9)),
        PARTNER: draw(st.integers(0, 6)),
    }
    items = draw(st.integers(1, 4))
    not_observed_rate = draw(st.sampled_from([0.0, 0.2, 0.5, 0.8]))
    raters = []
    for group, n in sizes.items():
        for i in range(n):
            answers = [
                None if draw(st.floats(0, 1)) < not_observed_rate else draw(st.integers(1, 5))
                for _ in range(items)
            ]
            raters.append({"id": f"{group}-{i}", "group": group, "answers": answers})
    return k, sizes, items, raters


def _tallies(raters, item_indexes):
    tallies = {}
    for rater in raters:
        real = [rater["answers"][i] for i in item_indexes if rater["answers"][i] is not None]
        missing = sum(1 for i in item_indexes if rater["answers"][i] is None)
        tally = Tally(sum(real), len(real), 1 if real else 0, missing)
        tallies[rater["group"]] = tallies.get(rater["group"], EMPTY) + tally
    return tallies


def _contributors(raters, cell, item_indexes):
    return {
        r["id"]
        for r in raters
        if r["group"] in cell.groups and any(r["answers"][i] is not None for i in item_indexes)
    }


def _anonymous(ids, raters):
    groups = {r["id"]: r["group"] for r in raters}
    return {i for i in ids if groups[i] in ANONYMOUS_GROUPS}


@settings(max_examples=300, deadline=None)
@given(random_cycle())
def test_no_shown_number_or_difference_rests_on_between_1_and_k_minus_1_anonymous_raters(cycle):
    k, sizes, items, raters = cycle
    plan = plan_units(sizes, k)
    assert all(unit.size >= k for unit in plan.units)
    # every single item, and the whole set of items (an enabler score)
    for item_indexes in [*([i] for i in range(items)), list(range(items))]:
        row = build_row(_tallies(raters, item_indexes), plan)
        cells = [row.self_cell, row.supervisor, *row.units.values(), row.others]
        shown = [c for c in cells if c.shown]
        for cell in shown:
            ids = _contributors(raters, cell, item_indexes)
            anonymous = _anonymous(ids, raters)
            assert len(anonymous) == 0 or len(anonymous) >= k
            real = [
                r["answers"][i]
                for r in raters
                if r["id"] in ids
                for i in item_indexes
                if r["answers"][i] is not None
            ]
            assert cell.n == len(real)
            assert abs(cell.mean - sum(real) / len(real)) < 1e-9
        for a, b in combinations(shown, 2):
            ids_a = _anonymous(_contributors(raters, a, item_indexes), raters)
            ids_b = _anonymous(_contributors(raters, b, item_indexes), raters)
            for bigger, smaller in [(ids_a, ids_b), (ids_b, ids_a)]:
                if smaller <= bigger:
                    isolated = len(bigger - smaller)
                    assert isolated == 0 or isolated >= k


@settings(max_examples=200, deadline=None)
@given(random_cycle())
def test_no_comment_of_an_unshown_unit_appears(cycle):
    k, sizes, _items, _raters = cycle
    plan = plan_units(sizes, k)
    shown_groups = {g for unit in plan.units for g in unit.groups}
    for group in ANONYMOUS_GROUPS:
        label = comment_label(group, plan)
        if sizes[group] and group not in shown_groups:
            assert label is None
        if label is not None:
            assert label in {unit.label for unit in plan.units}


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(list("ABCDEFG")), st.integers(0, 12), min_size=1),
    st.integers(3, 6),
)
def test_no_suppressed_cohort_cell_can_be_recovered_from_the_total(sizes, k):
    result = suppress_breakdown(sizes, k)
    for key, n in sizes.items():
        if 0 < n < k:
            assert key in result.suppressed
    hidden = [key for key in result.suppressed if sizes[key] > 0]
    if result.total_shown and hidden:
        assert len(hidden) >= 2
