"""The anonymity rule, on hand-built cases and on random cycles (hypothesis)."""

from itertools import combinations, product

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.models import ANONYMOUS_GROUPS, RaterGroup
from assessments.reporting.anonymity import (
    EMPTY,
    JUDGED,
    TOTAL,
    Counts,
    Part,
    Tally,
    Verdict,
    build_row,
    combine_rows,
    comment_label,
    disclose_units,
    evidence_share,
    group_may_show,
    pooled_others,
    protect_counts,
    protect_tables,
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


# --- issue 18: counts of participants (next-level behaviours, self–other agreement) ---------

AGREEMENT = ("over", "under", "agree_high", "agree_low")


def _verdicts(categories_of, counts=None):
    return {
        pid: Verdict(category, counts=(counts or {}).get(pid, True))
        for pid, category in categories_of.items()
    }


def _published(rule, measure, dimensions, verdicts):
    """Every count a reader sees: (category or JUDGED, participants judged, participants
    counted)."""
    out = []
    for name, cells in dimensions:
        for key, members in cells.items():
            counts = rule.get((measure, name, key))
            if counts is None or not counts.shown:
                continue
            judged = frozenset(p for p in members if p in verdicts)
            for category, n in counts.counts.items():
                if n is not None:
                    counted = frozenset(p for p in judged if verdicts[p].category == category)
                    assert n == len(counted)
                    out.append((category, judged, counted))
            if counts.judged is not None:
                assert counts.judged == len(judged)
                out.append((JUDGED, judged, judged))
    return out


def _count_attack(published, categories, k, hidden):
    """Every sum and difference of up to three published counts, worked out exactly: the
    participants (of ``hidden``) each combination counts, and those it depends on (a count of
    one category depends on each participant judged in its cell, through their verdict)."""
    found = []

    def taken_over(category, judged):
        columns = categories if category == JUDGED else (category,)
        return {(p, c): 1 for p in judged & hidden for c in columns}

    def counting(counted):
        return dict.fromkeys(counted & hidden, 1)

    for size in (1, 2, 3):
        for chosen in combinations(published, size):
            for signs in product((1, -1), repeat=size):
                for reading, weights_of in (
                    ("counts", lambda n: counting(n[2])),
                    ("taken over", lambda n: taken_over(n[0], n[1])),
                ):
                    total = {}
                    for sign, number in zip(signs, chosen, strict=True):
                        for var, w in weights_of(number).items():
                            total[var] = total.get(var, 0) + sign * w
                    people = {v[0] if isinstance(v, tuple) else v for v, w in total.items() if w}
                    if 0 < len(people) < k:
                        found.append((reading, chosen, signs))
    return found


def _suppress_breakdown(sizes, k):
    """The per-table rule the insight counts had before (removed from ``anonymity``): cells
    below k hidden, then the next smallest while the hidden ones hold 1..k−1 together; the
    total hidden where none is left. Returns (hidden cells, whether the total is shown)."""
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
    return suppressed, total_shown


def _per_table(dimensions, verdicts, categories, k):
    """The rule before issue 18 was finished: each table (a level's, a gender's) on its own —
    a cell below k hidden with its complement, then within a shown cell a count of 1..k−1
    hidden with the next smallest; nothing across tables."""
    out = {}
    for name, cells in dimensions:
        hidden_cells, _total = _suppress_breakdown({key: len(m) for key, m in cells.items()}, k)
        for key, members in cells.items():
            if key in hidden_cells or not members:
                continue
            judged = [p for p in members if p in verdicts]
            by = {c: {p for p in judged if verdicts[p].category == c} for c in categories}
            hidden, total_shown = _suppress_breakdown({c: len(ids) for c, ids in by.items()}, k)
            out[("m", name, key)] = Counts(
                shown=True,
                counts={c: None if c in hidden else len(by[c]) for c in categories},
                judged=len(judged) if total_shown else None,
            )
    return out


def test_a_level_minus_the_gender_nested_in_it_gave_away_one_leaders_category():
    """A level of four holds three of the women; the fourth is the only man at that level. The
    per-table rule showed both tables whole: the level's over-estimators minus the women's told
    whether that man is one. Counts decided together hide one of the two."""
    dimensions = [
        ("level", {"L1": frozenset({1, 2, 3, 4}), "L2": frozenset({5, 6, 7})}),
        ("gender", {"woman": frozenset({1, 2, 3}), "man": frozenset({4, 5, 6, 7})}),
    ]
    verdicts = _verdicts(
        {1: "over", 2: "over", 3: "over", 4: "over", 5: "agree_high"}
        | {6: "agree_high", 7: "agree_high"}
    )
    hidden = frozenset(range(1, 8))

    before = _per_table(dimensions, verdicts, AGREEMENT, 3)
    leaks = _count_attack(_published(before, "m", dimensions, verdicts), AGREEMENT, 3, hidden)
    assert before[("m", "level", "L1")].counts["over"] == 4
    assert before[("m", "gender", "woman")].counts["over"] == 3
    assert leaks  # 4 − 3: the man of L1 is an over-estimator

    rule = protect_counts(dimensions, {"m": verdicts}, AGREEMENT, 3)
    published = _published(rule, "m", dimensions, verdicts)
    assert _count_attack(published, AGREEMENT, 3, hidden) == []
    assert published  # not everything is hidden


def test_a_cell_with_fewer_than_k_leaders_judged_shows_no_count_not_even_a_zero():
    """Three leaders at a level, one judged: the per-table rule showed its zeros, which said
    which category the one leader is in."""
    dimensions = [("level", {"L": frozenset({1, 2, 3})})]
    verdicts = _verdicts({1: "over"})

    before = _per_table(dimensions, verdicts, AGREEMENT, 3)
    assert before[("m", "level", "L")].counts["under"] == 0
    assert _count_attack(_published(before, "m", dimensions, verdicts), AGREEMENT, 3, {1, 2, 3})

    rule = protect_counts(dimensions, {"m": verdicts}, AGREEMENT, 3)
    assert rule[("m", "level", "L")] == Counts(reason="too_few")


def test_a_count_below_k_is_hidden_with_the_next_smallest_of_its_cell():
    """The threshold rule of frequency tables: 12, 2, 7 and 9 leaders in four categories — the
    2 is hidden, and the 7 with it (the number judged would give the 2 away)."""
    sizes = {"over": 12, "under": 2, "agree_high": 7, "agree_low": 9}
    categories_of, pid = {}, 0
    for category, n in sizes.items():
        for _ in range(n):
            categories_of[pid] = category
            pid += 1
    dimensions = [("team", {"T": frozenset(categories_of)})]
    rule = protect_counts(dimensions, {"m": _verdicts(categories_of)}, AGREEMENT, 3)
    counts = rule[("m", "team", "T")]
    assert counts.counts == {"over": 12, "under": None, "agree_high": None, "agree_low": 9}
    assert counts.judged == 30


def test_two_hidden_counts_holding_fewer_than_k_take_a_third_with_them():
    """Attack 6 on counts: two hidden counts of 1 each, recovered as a pair from the total."""
    categories_of = {1: "over", 2: "under", 3: "agree_high", 4: "agree_high", 5: "agree_high"}
    categories_of |= dict.fromkeys(range(6, 14), "agree_low")
    dimensions = [("team", {"T": frozenset(categories_of)})]
    rule = protect_counts(dimensions, {"m": _verdicts(categories_of)}, AGREEMENT, 3)
    counts = rule[("m", "team", "T")]
    assert counts.counts == {"over": None, "under": None, "agree_high": None, "agree_low": 8}
    assert counts.judged == 13


def _one_cell(sizes, k=3):
    """One cell whose judged participants fall in the categories by ``sizes``."""
    categories_of, pid = {}, 0
    for category, n in sizes.items():
        for _ in range(n):
            categories_of[pid] = category
            pid += 1
    dimensions = [("team", {"T": frozenset(categories_of)})]
    return protect_counts(dimensions, {"m": _verdicts(categories_of)}, tuple(sizes), k)[
        ("m", "team", "T")
    ]


def test_no_complement_needed_when_the_hidden_counts_hold_k_together():
    counts = _one_cell({"over": 2, "under": 1, "agree_high": 0, "agree_low": 8})
    assert counts.counts == {"over": None, "under": None, "agree_high": 0, "agree_low": 8}
    assert counts.judged == 11


def test_a_cell_of_fewer_than_k_judged_shows_nothing():
    assert _one_cell({"over": 2, "under": 0}) == Counts(reason="suppressed")


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(list("ABCDEFG")), st.integers(0, 12), min_size=1),
    st.integers(3, 6),
)
def test_no_hidden_count_can_be_recovered_from_the_number_judged(sizes, k):
    counts = _one_cell(sizes, k)
    if not counts.shown:
        assert sum(sizes.values()) < k
        return
    for category, n in sizes.items():
        if 0 < n < k:
            assert counts.counts[category] is None
    hidden = [c for c, n in counts.counts.items() if n is None and sizes[c] > 0]
    if counts.judged is not None and hidden:
        assert sum(sizes[c] for c in hidden) >= k


def test_a_verdict_the_viewer_knows_or_a_report_they_may_open_does_not_count_toward_k():
    """A team of four: one member's report is shared, another's verdict rests on the
    supervisor's own answers alone. Two left to protect: below k, nothing is shown."""
    dimensions = [("team", {"T": frozenset({1, 2, 3, 4})})]
    verdicts = _verdicts(
        {1: "reached", 2: "reached", 3: "not_reached", 4: "not_reached"}, counts={4: False}
    )
    rule = protect_counts(dimensions, {"m": verdicts}, ("reached", "not_reached"), 3, {1})
    assert rule[("m", "team", "T")].reason == "too_few"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("AB"),
            st.sampled_from("xyz"),
            st.sampled_from((None, *AGREEMENT)),
            st.booleans(),
        ),
        min_size=1,
        max_size=11,
    ),
    st.integers(3, 4),
)
def test_no_sum_or_difference_of_up_to_three_counts_rests_on_fewer_than_k(people, k):
    """Random cohorts: levels × genders, random verdicts (some not judged), some reports the
    viewer may open: no combination of up to three counts shown counts, or turns on, 1..k−1
    participants the viewer cannot open; and no count is hidden without a reason."""
    cells = {"level": {}, "gender": {}}
    for pid, (level, gender, _category, _shared) in enumerate(people):
        cells["level"].setdefault(level, set()).add(pid)
        cells["gender"].setdefault(gender, set()).add(pid)
    dimensions = [(name, {key: frozenset(m) for key, m in c.items()}) for name, c in cells.items()]
    verdicts = _verdicts({pid: c for pid, (_l, _g, c, _s) in enumerate(people) if c})
    may_open = frozenset(pid for pid, (_l, _g, _c, shared) in enumerate(people) if shared)
    rule = protect_counts(dimensions, {"m": verdicts}, AGREEMENT, k, may_open)
    published = _published(rule, "m", dimensions, verdicts)
    hidden = frozenset(range(len(people))) - may_open
    assert _count_attack(published, AGREEMENT, k, hidden) == []
