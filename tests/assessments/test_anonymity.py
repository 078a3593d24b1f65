"""The anonymity rule, on hand-built cases and on random cycles (hypothesis)."""

from itertools import combinations, product

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.models import ANONYMOUS_GROUPS, RaterGroup
from assessments.reporting.anonymity import (
    EMPTY,
    TOTAL,
    Part,
    Tally,
    build_row,
    combine_rows,
    comment_label,
    disclose_units,
    evidence_share,
    group_may_show,
    pooled_others,
    protect_tables,
    suppress_breakdown,
)

PEER, DR, PARTNER = RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.PARTNER
SELF, SUPERVISOR = RaterGroup.SELF, RaterGroup.SUPERVISOR


# --- hand-built cases -------------------------------------------------------------------


def _pulse_row(tallies, submitted, k=3):
    disclosure = disclose_units(submitted, k)
    anonymous = any(submitted.get(g) for g in ANONYMOUS_GROUPS)
    return pooled_others(build_row(tallies, disclosure), disclosure, anonymous)


def test_a_pulse_number_never_rests_on_the_supervisor_alone():
    """Issue 19: "all except self" before/after needs a shown anonymous unit (k or more)."""
    supervisor = Tally(5, 1, 1, 0)
    alone = _pulse_row({SUPERVISOR: supervisor, PEER: Tally(8, 2, 2, 0)}, {PEER: 2})
    assert alone.too_few
    with_peers = _pulse_row({SUPERVISOR: supervisor, PEER: Tally(12, 3, 3, 0)}, {PEER: 3})
    assert with_peers.shown and with_peers.mean == 17 / 4
    assert _pulse_row({SUPERVISOR: supervisor}, {}).too_few
    assert _pulse_row({}, {}).reason == "none"
    # units shown, but too few of them gave a real answer to this item
    observed = _pulse_row({PEER: Tally(8, 2, 2, 1)}, {PEER: 3})
    assert observed.too_few


def test_groups_with_k_or_more_submissions_are_units_of_their_own():
    plan = disclose_units({PEER: 4, DR: 3, PARTNER: 5}, k=3)
    assert [u.key for u in plan.units] == [PEER, DR, PARTNER]


def test_peer_group_below_threshold_is_pooled_with_other_small_groups():
    plan = disclose_units({PEER: 2, DR: 5, PARTNER: 1}, k=3)
    assert [u.key for u in plan.units] == [DR, "others"]
    others = plan.units[1]
    assert others.groups == {PEER, PARTNER}
    assert others.label == "Other raters"


def test_a_pool_below_k_is_merged_into_the_smallest_shown_group():
    plan = disclose_units({PEER: 6, DR: 4, PARTNER: 2}, k=3)
    assert [u.key for u in plan.units] == [PEER, DR]
    merged = plan.units[1]
    assert merged.groups == {DR, PARTNER}
    assert merged.label == "Direct reports and other raters"
    assert merged.size == 6


def test_when_nothing_reaches_k_no_anonymous_answer_is_shown_and_the_report_says_why():
    plan = disclose_units({PEER: 2, DR: 0, PARTNER: 0}, k=3)
    assert plan.units == []
    assert "Fewer than 3" in plan.withheld_reason
    row = build_row({PEER: Tally(10, 2, 2), SUPERVISOR: Tally(4, 1, 1)}, plan)
    assert row.units == {}
    assert row.others.mean == 4  # the supervisor alone
    assert row.others.groups == {SUPERVISOR}


def test_a_number_with_fewer_than_k_real_answers_reads_too_few_and_leaves_the_total():
    plan = disclose_units({PEER: 4, DR: 3}, k=3)
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
    plan = disclose_units({}, k=3)
    row = build_row({SELF: Tally(3, 1, 1), SUPERVISOR: Tally(2, 1, 1)}, plan)
    assert row.self_cell.shown and row.supervisor.shown


def test_comments_of_unshown_units_are_left_out_and_labels_go_no_finer_than_the_unit():
    plan = disclose_units({PEER: 2, DR: 4, PARTNER: 0}, k=3)
    assert comment_label(PEER, plan) == "Direct reports and other raters"
    assert comment_label(DR, plan) == "Direct reports and other raters"
    assert comment_label(SUPERVISOR, plan) == "Supervisor"
    lonely = disclose_units({PEER: 2}, k=3)
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
    plan = disclose_units(sizes, k)
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
    plan = disclose_units(sizes, k)
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


# --- issue 12: anonymity that holds against arithmetic -------------------------------------


def test_an_enabler_total_is_built_only_from_shown_indicator_rows():
    """Attack 1: an enabler's unit number minus its shown indicator rows must leave nothing."""
    plan = disclose_units({PEER: 3}, k=3)
    shown_item = {PEER: Tally(12, 3, 3, 0), SUPERVISOR: Tally(4, 1, 1, 0)}
    lone_item = {PEER: Tally(5, 1, 1, 2), SUPERVISOR: Tally(2, 1, 1, 0)}
    enabler = combine_rows([shown_item, lone_item], plan)
    item = build_row(shown_item, plan)
    assert build_row(lone_item, plan).units[PEER].too_few
    assert (enabler.units[PEER].n, enabler.units[PEER].mean) == (3, 4)  # the lone 5 is left out
    assert enabler.units[PEER].n - item.units[PEER].n == 0
    # "all except self": the supervisor everywhere, plus the shown peers only
    assert enabler.others.n == 3 + 2
    assert enabler.others.mean == (12 + 4 + 2) / 5


def test_a_not_observed_share_counts_no_answer_of_a_hidden_cell():
    """Attack 2: the share of "not observed" must not count a pitfall whose cell is hidden."""
    plan = disclose_units({PEER: 4}, k=3)
    behaviour = {PEER: Tally(12, 3, 3, 1)}
    hidden_pitfall = {PEER: Tally(2, 1, 1, 3)}  # one real answer: "too few answers"
    share, answers = evidence_share([behaviour, hidden_pitfall], plan, PEER)
    assert (share, answers) == (1 / 4, 4)
    nobody_saw_it = {PEER: Tally(0, 0, 0, 4)}  # shown as "no answers": counts as not observed
    share, answers = evidence_share([behaviour, nobody_saw_it], plan, PEER)
    assert (share, answers) == (5 / 8, 8)
    assert evidence_share([hidden_pitfall], plan, PEER) == "too_few"


def test_two_suppressed_cells_holding_fewer_than_k_take_a_third_with_them():
    """Attack 6: two hidden cells of 1 each are recovered as a pair from the total."""
    result = suppress_breakdown({"A": 1, "B": 1, "C": 3, "D": 8}, k=3)
    assert result.suppressed == {"A", "B", "C"}
    assert result.total_shown


def _parts(scores, counts=None):
    return {
        pid: Part(tally=Tally(score, 1, 1, 0), counts=(counts or {}).get(pid, True))
        for pid, score in scores.items()
    }


def test_a_team_of_k_with_k_minus_1_shared_shows_no_team_number():
    """Attack 5: the team number minus the shared reports is the last member's result."""
    team = frozenset({1, 2, 3})
    parts = {"m": _parts({1: 4, 2: 3, 3: 5})}
    rule = protect_tables([("level", {"L": team}, True)], parts, 3, may_open={1, 2})
    assert not rule.score("m", "level", TOTAL).shown
    assert group_may_show(3, 2, 3) is False
    assert group_may_show(5, 2, 3) is True


def test_a_participant_whose_part_is_known_does_not_count_toward_k():
    """Attack 3 and 4: a member without a shown anonymous answer (only the supervisor's own, or
    only "not observed") does not count toward k."""
    parts = {"m": _parts({1: 4, 2: 3, 3: 5}, counts={3: False})}
    rule = protect_tables([("level", {"L": frozenset({1, 2, 3})}, True)], parts, 3)
    assert rule.score("m", "level", TOTAL).reason == "too_few"


def test_nested_cells_of_two_breakdowns_never_differ_by_fewer_than_k():
    """Attack 7: an org unit of 4 holding a gender cell of 3 differ by one person."""
    people = frozenset(range(1, 8))
    dimensions = [
        ("org", {"North": frozenset({1, 2, 3, 4}), "South": frozenset({5, 6, 7})}, False),
        ("gender", {"woman": frozenset({1, 2, 3}), "man": frozenset({4, 5, 6, 7})}, False),
    ]
    assert frozenset().union(*dimensions[0][1].values()) == people
    parts = {"m": _parts(dict.fromkeys(people, 3))}
    rule = protect_tables(dimensions, parts, 3)
    shown = [
        (name, key, members)
        for name, cells, _t in dimensions
        for key, members in cells.items()
        if rule.score("m", name, key).shown
    ]
    for (_n1, _k1, a), (_n2, _k2, b) in combinations(shown, 2):
        assert len(a ^ b) == 0 or len(a ^ b) >= 3
    assert shown  # not everything is hidden


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABC"), st.sampled_from("xyz"), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    st.integers(3, 4),
)
def test_no_two_or_three_group_numbers_combine_into_fewer_than_k(people, k):
    """Random cohorts: org units × genders × the level total; any sum or difference of up to
    three shown numbers rests on 0 or at least k participants."""
    members = {"org": {}, "gender": {}}
    for pid, (org, gender, _answered) in enumerate(people):
        members["org"].setdefault(org, set()).add(pid)
        members["gender"].setdefault(gender, set()).add(pid)
    dimensions = [
        ("org", {key: frozenset(m) for key, m in members["org"].items()}, True),
        ("gender", {key: frozenset(m) for key, m in members["gender"].items()}, False),
    ]
    answered = {pid: 3 for pid, (_o, _g, yes) in enumerate(people) if yes}
    rule = protect_tables(dimensions, {"m": _parts(answered)}, k)
    shown = []
    for name, cells, has_total in dimensions:
        entries = dict(cells)
        if has_total:
            entries[TOTAL] = frozenset().union(*cells.values())
        for key, cell in entries.items():
            if rule.score("m", name, key).shown:
                shown.append(frozenset(p for p in cell if p in answered))
    for size in (1, 2, 3):
        for chosen in combinations(shown, size):
            for signs in product((1, -1), repeat=size):
                weight = {}
                for sign, cell in zip(signs, chosen, strict=True):
                    for p in cell:
                        weight[p] = weight.get(p, 0) + sign
                support = [p for p, w in weight.items() if w]
                assert len(support) == 0 or len(support) >= k, (chosen, signs)
