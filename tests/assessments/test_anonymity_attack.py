"""An attacker in the test suite (issue 12): anonymity must hold against arithmetic.

Hypothesis builds two released cycles in a row on a small compass edition (two enablers, three
levels, a pitfall), with rater groups of 0..k+1, random "not observed" answers, two supervisors,
shared and unshared reports, org units and genders. Then, for each viewer — every leader, a
supervisor, an HR admin, and someone the cohort export is passed to — it reads what that viewer
can reach: the rendered pages (individual report and its print view, the change since the
previous cycle, team and cohort reports) and the CSV/XLSX exports, parsed as text, never the
report objects.

Each number read is matched to the answers it summarises: the test knows every answer it gave,
and tries the readings an attacker knows from the documentation (all answers of the row's
groups; only the groups shown in the row; only the parts shown on the page). A number that no
reading explains fails the test. Then every sum and difference of up to three numbers is
searched for one that rests on 1..k−1 anonymous raters, or on 1..k−1 participants whose reports
the viewer cannot open. The viewer's own answers (a supervisor's) count as known.

On the code before issue 12 it failed at once (the commit that added it says how): a chart's
data attribute carried two decimals, and an enabler's unit cell minus its shown indicator row
gave a lone partner's answer. Each attack class also has a hand-built test in
test_anonymity.py. ``ATTACK_EXAMPLES`` sets the number of random cycles (20 by default).
"""

import csv
import datetime
import io
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from itertools import combinations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl import load_workbook

from assessments.answering.questionnaire import build_questionnaire
from assessments.models import (
    ANONYMOUS_GROUPS,
    Answer,
    Cycle,
    Participant,
    Rater,
    RaterGroup,
    Response,
)
from assessments.running import cycles
from compass.models import Behaviour, Enabler, Indicator, Level, Pitfall
from tests.factories import RaterFactory, UserFactory

K = 3
EDITION = "attack"
LABELS = {str(label): group for group, label in RaterGroup.choices}
NUMBER = re.compile(r"^[-+−]?\d+(\.\d+)?$")
SCORE = re.compile(r"^(\d+[.,]\d+)(?:\s+n=(\d+))?$")


# --- a small compass ---------------------------------------------------------------------


@pytest.fixture
def edition(db):
    levels = [
        Level.objects.create(
            edition=EDITION, slug=slug, position=pos, name=name, summary="s", description="d"
        )
        for pos, (slug, name) in enumerate(
            [("all", "Every leader"), ("team", "Team leads"), ("heads", "Heads of units")]
        )
    ]
    enablers = [
        Enabler.objects.create(edition=EDITION, slug=slug, position=pos, name=name, description="d")
        for pos, (slug, name) in enumerate([("trust", "Trust"), ("vision", "Vision")], start=1)
    ]
    for level in levels:
        for enabler in enablers:
            behaviour = Behaviour.objects.create(
                edition=EDITION, level=level, enabler=enabler, text="b"
            )
            Indicator.objects.create(
                edition=EDITION,
                behaviour=behaviour,
                position=1,
                text=f"Shows {enabler.name} at {level.name}",
            )
        if level.position:
            Pitfall.objects.create(
                edition=EDITION,
                level=level,
                enabler=enablers[0],
                position=1,
                title=f"Pitfall of {level.name}",
                description=f"Goes wrong as {level.name}",
            )
    return {"levels": levels, "enablers": enablers}


# --- random cycles -------------------------------------------------------------------------

ITEMS = 5  # per questionnaire of a team lead or a head of unit: 2 + 2 indicators, 1 pitfall
NEXT_ITEMS = 2  # a team lead's next-level part: the heads' indicator of each enabler
answer = st.sampled_from([None, None, 1, 2, 3, 4, 5])
answers = st.lists(answer, min_size=ITEMS + NEXT_ITEMS, max_size=ITEMS + NEXT_ITEMS)
participant_spec = st.fixed_dictionaries(
    {
        "level": st.sampled_from([1, 2]),
        "gender": st.sampled_from(["woman", "man", ""]),
        "org": st.sampled_from(["North", "South", ""]),
        "boss": st.sampled_from([0, 0, 1]),
        "shared": st.booleans(),
        "self": st.one_of(st.none(), answers),
        "supervisor": st.one_of(st.none(), answers),
        "groups": st.fixed_dictionaries(
            {g: st.lists(answers, max_size=K + 1) for g in ANONYMOUS_GROUPS}
        ),
    }
)
# larger cohorts with fewer raters each: enough leaders per level, gender and team to count
counted_spec = st.fixed_dictionaries(
    {
        "level": st.sampled_from([1, 2]),
        "gender": st.sampled_from(["woman", "man", ""]),
        "org": st.just(""),
        "boss": st.sampled_from([0, 0, 0, 1]),
        "shared": st.sampled_from([False, False, False, True]),
        "self": st.one_of(st.none(), answers, answers),
        "supervisor": st.one_of(st.none(), answers, answers),
        "groups": st.fixed_dictionaries(
            {
                RaterGroup.PEER: st.lists(answers, max_size=K + 1),
                RaterGroup.DIRECT_REPORT: st.just([]),
                RaterGroup.PARTNER: st.just([]),
            }
        ),
    }
)
counts_strategy = st.fixed_dictionaries(
    {
        "previous": st.just([]),
        "current": st.lists(counted_spec, min_size=5, max_size=10),
        "next_level": st.booleans(),
    }
)
scenario_strategy = st.fixed_dictionaries(
    {
        "previous": st.lists(participant_spec, max_size=2),
        "current": st.lists(participant_spec, min_size=1, max_size=4),
        "next_level": st.booleans(),  # the current cycle asks the next level's behaviours
    }
)


class World:
    """What the test built: every real answer as one bit, and who gave it."""

    def __init__(self):
        self.bits = {}  # (rater pk, item key) -> bit index
        self.score = []  # bit -> score
        self.rater_of = []  # bit -> rater pk
        self.participant_of = []  # bit -> participant pk
        self.raters = {}  # rater pk -> (participant pk, group, user pk or None)
        self.items = {}  # participant pk -> questionnaire
        self.participants = {}  # pk -> Participant
        self._index = None

    def add(self, rater, item_key, score):
        bit = len(self.score)
        self.bits[(rater.pk, item_key)] = bit
        self.score.append(score)
        self.rater_of.append(rater.pk)
        self.participant_of.append(rater.participant_id)

    def answers(self, participant_pk, groups, item_keys):
        if self._index is None:
            self._index = {}
            for (rater_pk, key), bit in self.bits.items():
                p, group, _user = self.raters[rater_pk]
                self._index.setdefault((p, group, key), []).append(bit)
        mask = 0
        for group in groups:
            for key in item_keys:
                for bit in self._index.get((participant_pk, group, key), ()):
                    mask |= 1 << bit
        return mask

    def raters_of(self, mask):
        out, bit = set(), 0
        while mask:
            if mask & 1:
                out.add(self.rater_of[bit])
            mask >>= 1
            bit += 1
        return out

    def total(self, mask):
        total, count, bit = 0, 0, 0
        while mask:
            if mask & 1:
                total += self.score[bit]
                count += 1
            mask >>= 1
            bit += 1
        return total, count


def _submit(world, rater, questionnaire, values):
    response = Response.objects.create(rater=rater, submitted_at=timezone.now())
    rows = []
    for item, value in zip(questionnaire.items, values[: len(questionnaire.items)], strict=True):
        rows.append(
            Answer(
                response=response,
                indicator_id=item.indicator_id,
                pitfall_id=item.pitfall_id,
                score=value,
            )
        )
        if value is not None:
            world.add(rater, item.key, value)
    Answer.objects.bulk_create(rows)
    Rater.objects.filter(pk=rater.pk).update(status=Rater.Status.SUBMITTED)
    user = None
    if rater.group == RaterGroup.SUPERVISOR:
        user = rater.participant.supervisor_id
    world.raters[rater.pk] = (rater.participant_id, rater.group, user)


def build(edition, scenario):
    world = World()
    bosses = [UserFactory(), UserFactory()]
    people = [
        UserFactory() for _ in range(max(len(scenario["previous"]), len(scenario["current"]), 5))
    ]
    base = timezone.now() - datetime.timedelta(days=400)
    cycle_list = []
    for number, key in enumerate(("previous", "current")):
        if not scenario[key]:
            continue
        cycle = Cycle.objects.create(
            name=f"Attack {key}",
            edition=EDITION,
            opens_on=datetime.date(2025 + number, 1, 1),
            closes_on=datetime.date(2025 + number, 2, 1),
            anonymity_threshold=K,
            next_level_part=key == "current" and scenario.get("next_level", False),
        )
        for index, spec in enumerate(scenario[key]):
            level = edition["levels"][spec["level"]]
            participant = cycles.add_participant(
                cycle=cycle,
                person=people[index],
                level=level,
                supervisor=bosses[spec["boss"]],
                org_unit=spec["org"],
                gender=spec["gender"],
            )
            Participant.objects.filter(pk=participant.pk).update(
                shared_with_supervisor=spec["shared"]
            )
            questionnaire = build_questionnaire(level, next_level=cycle.next_level_part)
            above = cycle.next_level_part and level.position < len(edition["levels"]) - 1
            assert len(questionnaire.items) == ITEMS + (NEXT_ITEMS if above else 0)
            world.items[participant.pk] = questionnaire
            named = {r.group: r for r in participant.raters.all()}
            for group in (RaterGroup.SELF, RaterGroup.SUPERVISOR):
                values = spec["self" if group == RaterGroup.SELF else "supervisor"]
                world.raters[named[group].pk] = (participant.pk, group, None)
                if values is not None:
                    _submit(world, named[group], questionnaire, values)
            for group, rater_answers in spec["groups"].items():
                for values in rater_answers:
                    rater = RaterFactory(participant=participant, group=group)
                    _submit(world, rater, questionnaire, values)
        Cycle.objects.filter(pk=cycle.pk).update(
            state=Cycle.State.RELEASED, released_at=base + datetime.timedelta(days=200 * number)
        )
        cycle_list.append(cycle.pk)
    for participant in Participant.objects.filter(cycle__in=cycle_list).select_related(
        "cycle", "level"
    ):
        world.participants[participant.pk] = participant
    return world, bosses, people, cycle_list


# --- reading pages ---------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every <table>: its id, caption, and rows of (tag, text pieces, attributes)."""

    def __init__(self):
        super().__init__()
        self.tables, self.stack, self.cell, self.values = [], [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-value" in attrs:
            self.values.append(attrs["data-value"])
        if tag == "table":
            self.stack.append({"id": attrs.get("id", ""), "caption": "", "rows": []})
        elif not self.stack:
            return
        elif tag == "tr":
            self.stack[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.cell = (tag, [], attrs)
        elif tag == "caption":
            self.cell = ("caption", [], attrs)

    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.tables.append(self.stack.pop())
        elif tag in ("td", "th") and self.cell and self.stack and self.stack[-1]["rows"]:
            self.stack[-1]["rows"][-1].append(self.cell)
            self.cell = None
        elif tag == "caption" and self.cell:
            self.stack[-1]["caption"] = " ".join(self.cell[1])
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None and data.strip():
            self.cell[1].append(data.strip())


def parse(html):
    parser = Tables()
    parser.feed(html)
    return parser


def score_of(pieces):
    """(mean text, n or None) of a cell, or None when it shows no number."""
    match = SCORE.match(" ".join(pieces))
    if not match:
        return None
    return match.group(1).replace(",", "."), int(match.group(2)) if match.group(2) else None


def matches(world, mask, text, n):
    total, count = world.total(mask)
    if not count or (n is not None and n != count):
        return False
    decimals = len(text.split(".")[1])
    shown = Decimal(total / count).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(Decimal(repr(total / count)) - Decimal(text)) <= Decimal("0.5").scaleb(
        -decimals
    ) + Decimal("1e-9") or shown == Decimal(text)


def choose(world, candidates, text, n, where):
    for mask in candidates:
        if mask and matches(world, mask, text, n):
            return mask
    raise AssertionError(f"a number no reading explains: {text} n={n} in {where}")


class Readings:
    """The answer sets a number may summarise, from the most protective reading to the
    plainest one."""

    def __init__(self, world):
        self.world = world

    def units(self, participant_pk, _labels=None):
        """Label -> rater groups of each unit column (PRODUCT §5.1's pooling), from how many of
        each group answered (the report's "who answered" table shows the same counts)."""
        counts = dict.fromkeys(ANONYMOUS_GROUPS, 0)
        for p, group, _user in self.world.raters.values():
            if p == participant_pk and group in ANONYMOUS_GROUPS:
                counts[group] += 1
        label = {g: str(RaterGroup(g).label) for g in ANONYMOUS_GROUPS}
        units = {label[g]: ({g}, counts[g]) for g in ANONYMOUS_GROUPS if counts[g] >= K}
        below = {g for g in ANONYMOUS_GROUPS if 0 < counts[g] < K}
        pool = sum(counts[g] for g in below)
        if below and pool >= K:
            units["Other raters"] = (below, pool)
        elif below and units:
            order = [label[g] for g in ANONYMOUS_GROUPS]
            smallest = min(units, key=lambda name: (units[name][1], order.index(name)))
            groups, size = units.pop(smallest)
            units[f"{smallest} and other raters"] = (groups | below, size + pool)
        return {name: groups for name, (groups, _size) in units.items()}

    def atom(self, participant_pk, groups, key):
        mask = self.world.answers(participant_pk, groups, {key})
        return mask if len(self.world.raters_of(mask)) >= K else 0

    def cell(self, participant_pk, units, column, keys):
        """Candidate masks for one column of an individual report over item ``keys``."""
        w = self.world
        if column == "Self":
            return [w.answers(participant_pk, {RaterGroup.SELF}, keys)]
        if column == "Supervisor":
            return [w.answers(participant_pk, {RaterGroup.SUPERVISOR}, keys)]
        sup = w.answers(participant_pk, {RaterGroup.SUPERVISOR}, keys)
        if column in units:
            groups = units[column]
            shown_parts = 0
            for key in keys:
                shown_parts |= self.atom(participant_pk, groups, key)
            return [shown_parts, w.answers(participant_pk, groups, keys)]
        assert column == "All except self", column
        shown_parts, shown_rows, everything = sup, sup, sup
        for groups in units.values():
            for key in keys:
                shown_parts |= self.atom(participant_pk, groups, key)
            row = w.answers(participant_pk, groups, keys)
            if len(w.raters_of(row)) >= K:
                shown_rows |= row
            everything |= row
        everything |= w.answers(participant_pk, set(ANONYMOUS_GROUPS), keys)
        return [shown_parts, shown_rows, everything]


def individual_numbers(world, readings, participant, html):
    """Every number of one individual report page, as answer masks."""
    page = parse(html)
    questionnaire = world.items[participant.pk]
    sections = {s.enabler.name: s for s in questionnaire.sections}
    by_text = {i.text: i for i in questionnaire.items}
    by_title = {i.title: i for i in questionnaire.items if i.title}
    out = []
    labels = set()
    for table in page.tables:
        if table["caption"].endswith(": mean scores per rater group"):
            header = [" ".join(c[1]) for c in table["rows"][0]]
            labels.update(header[1:])
    units = readings.units(participant.pk, labels)
    previous = None
    for table in page.tables:
        caption = table["caption"]
        if caption.endswith(": mean scores per rater group"):
            # The enabler's name stands in <bdi> (right-to-left isolation): its own text node.
            section = sections[caption[: -len(": mean scores per rater group")].strip()]
            header = [" ".join(c[1]) for c in table["rows"][0]]
            for row in table["rows"][1:]:
                if len(row) < 2:
                    continue
                first = " ".join(row[0][1])
                if first == "Enabler score":
                    keys = {i.key for i in [*section.general_items, *section.level_items]}
                else:
                    keys = {by_text[first].key}
                for column, (_tag, pieces, _attrs) in zip(header[1:], row[1:], strict=True):
                    value = score_of(pieces)
                    if value:
                        candidates = readings.cell(participant.pk, units, column, keys)
                        out.append(choose(world, candidates, *value, (caption, first, column)))
        elif caption.startswith("Mean scores of the All leaders"):
            for row in table["rows"][2:]:
                section = sections[" ".join(row[0][1])]
                parts = [
                    ({i.key for i in section.general_items}, "Self"),
                    ({i.key for i in section.general_items}, "All except self"),
                    ({i.key for i in section.level_items}, "Self"),
                    ({i.key for i in section.level_items}, "All except self"),
                ]
                for (keys, column), (_tag, pieces, _attrs) in zip(parts, row[1:], strict=False):
                    value = score_of(pieces)
                    if value:
                        candidates = readings.cell(participant.pk, units, column, keys)
                        out.append(choose(world, candidates, *value, (caption, column)))
        elif caption.startswith("Pitfalls by how often"):
            for row in table["rows"][1:]:
                item = by_title[row[0][1][0]]
                for column, (_tag, pieces, _attrs) in zip(
                    ("Self", "All except self"), row[2:], strict=True
                ):
                    value = score_of(pieces)
                    if value:
                        candidates = readings.cell(participant.pk, units, column, {item.key})
                        out.append(choose(world, candidates, *value, (caption, column)))
        elif caption.startswith("Enabler scores in your previous 360"):
            previous = table
    if previous is not None:
        earlier = [
            p
            for p in world.participants.values()
            if p.person_id == participant.person_id
            and p.cycle.released_at < participant.cycle.released_at
        ]
        assert len(earlier) == 1
        before = earlier[0]
        old_units = readings.units(before.pk)
        old_sections = {s.enabler.name: s for s in world.items[before.pk].sections}
        now_sections = sections
        for row in previous["rows"][2:]:
            name = " ".join(row[0][1])
            cells = row[1:]
            for (who, when), (_tag, pieces, _attrs) in zip(
                [
                    ("Self", "before"),
                    ("Self", "now"),
                    (None, None),
                    ("All except self", "before"),
                    ("All except self", "now"),
                    (None, None),
                ],
                cells,
                strict=True,
            ):
                value = score_of(pieces)
                if who is None or not value:
                    continue
                target, p_units, secs = (
                    (before, old_units, old_sections)
                    if when == "before"
                    else (participant, units, now_sections)
                )
                s = secs[name]
                keys = {i.key for i in [*s.general_items, *s.level_items]}
                candidates = readings.cell(target.pk, p_units, who, keys)
                out.append(choose(world, candidates, *value, ("previous", name, who, when)))
    return out, page.values


def _all_units(readings, participant_pk):
    return readings.units(participant_pk)


def group_candidates(world, readings, members, enabler_name, measure, item=None):
    """Candidate masks of a team or cohort number over ``members``."""
    shown_parts, everything = 0, 0
    for p in members:
        questionnaire = world.items[p.pk]
        if item is not None:
            keys = {item(questionnaire)} - {None}
        else:
            section = next(s for s in questionnaire.sections if s.enabler.name == enabler_name)
            keys = {i.key for i in [*section.general_items, *section.level_items]}
        if not keys:
            continue
        if measure == "self":
            mask = world.answers(p.pk, {RaterGroup.SELF}, keys)
            shown_parts |= mask
            everything |= mask
            continue
        units = _all_units(readings, p.pk)
        # the reading of the individual report: its "all except self" as shown
        shown_parts |= readings.cell(p.pk, units, "All except self", keys)[0]
        everything |= world.answers(p.pk, {RaterGroup.SUPERVISOR, *ANONYMOUS_GROUPS}, keys)
    return [shown_parts, everything]


def heatmap_numbers(world, readings, cycle_pk, members_of, html):
    page = parse(html)
    out = []
    for table in page.tables:
        measure = table["id"].rsplit("-", 1)[-1]
        if measure not in ("others", "self") or not table["rows"]:
            continue
        enablers = [" ".join(c[1]) for c in table["rows"][0]][1:]
        for row in table["rows"][1:]:
            label = row[0][1][0]
            members = members_of(table["id"], label)
            for enabler, (_tag, pieces, _attrs) in zip(enablers, row[1:], strict=False):
                value = score_of(pieces)
                if value:
                    candidates = group_candidates(world, readings, members, enabler, measure)
                    out.append(choose(world, candidates, *value, (table["id"], label, enabler)))
        if table["caption"].startswith("Most frequent pitfalls: "):
            pass
    for table in page.tables:
        if table["caption"].startswith("Most frequent pitfalls: "):
            level = table["caption"][len("Most frequent pitfalls: ") :]
            members = members_of("pitfalls", level)
            for row in table["rows"][1:]:
                title = row[0][1][0]
                value = score_of(row[2][1])
                if value:
                    candidates = group_candidates(
                        world, readings, members, None, "others", item=_pitfall_key(title)
                    )
                    out.append(choose(world, candidates, *value, ("pitfall", title)))
    return out, page.values


def _pitfall_key(title):
    def key(questionnaire):
        return next((i.key for i in questionnaire.items if i.title == title), None)

    return key


def export_numbers(world, readings, members_of, rows):
    """Rows of the cohort CSV or XLSX: (section title, header, rows)."""
    out, texts = [], []
    section, header = None, None
    dims = {"Level": "levels", "Org unit": "org-units", "Gender": "genders"}
    for row in rows:
        if not row or all(c in ("", None) for c in row):
            section, header = None, None
            continue
        if section is None:
            section = row[0]
            continue
        if header is None:
            header = row
            continue
        if header[0] == "Enabler" and header[2] == "Participants":  # a heatmap's rows
            enabler, label = row[0], row[1]
            members = members_of(f"{dims[header[1]]}-x", label)
            for measure, value in (("others", row[3]), ("self", row[4])):
                if isinstance(value, int | float) or SCORE.match(str(value) or "-"):
                    # a spreadsheet reads 3.0 back as 3
                    text = repr(float(value)) if isinstance(value, int | float) else str(value)
                    texts.append(text)
                    candidates = group_candidates(world, readings, members, enabler, measure)
                    out.append(choose(world, candidates, text, None, ("export", row)))
            if isinstance(row[5], int | float) or NUMBER.match(str(row[5] or "")):
                texts.append(str(row[5]))
        elif header[0] == "Level" and len(row) == 5:
            members = members_of("pitfalls", row[0])
            text = repr(float(row[4])) if isinstance(row[4], int | float) else str(row[4])
            texts.append(text)
            candidates = group_candidates(
                world, readings, members, None, "others", item=_pitfall_key(row[2])
            )
            out.append(choose(world, candidates, text, None, ("export pitfall", row)))
    return out, texts


# --- counts of participants (issue 18: next-level behaviours, self–other agreement) -------

CATEGORIES = {  # the column headers of the agreement tables, in their order
    "Over-estimator": "over",
    "Under-estimator": "under",
    "In agreement, high": "agree_high",
    "In agreement, low": "agree_low",
}
REACHED, JUDGED = "reached", "judged"
KINDS = {"agreement": list(CATEGORIES.values()), "next": [REACHED, "not_reached"]}


def printed(world, mask):
    """A mean as its report prints it (one decimal, half up), or None when nothing is shown."""
    total, count = world.total(mask)
    if not count:
        return None
    return Decimal(total / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Verdicts:
    """What each participant's own report says per enabler — their self–other agreement and
    whether others see the next level's behaviours — worked out from the answers with the rules
    the report states, and which raters each verdict rests on."""

    def __init__(self, world, readings):
        self.world, self.readings, self._cache = world, readings, {}

    def of(self, participant):
        if participant.pk not in self._cache:
            self._cache[participant.pk] = self._judge(participant)
        return self._cache[participant.pk]

    def _judge(self, participant):
        r, w = self.readings, self.world
        units = r.units(participant.pk)
        out = {}
        for section in w.items[participant.pk].sections:
            own = {i.key for i in [*section.general_items, *section.level_items]}
            mine = printed(w, r.cell(participant.pk, units, "Self", own)[0])
            theirs = printed(w, r.cell(participant.pk, units, "All except self", own)[0])
            category = None
            if mine is not None and theirs is not None:
                if mine - theirs > Decimal("0.5"):
                    category = "over"
                elif theirs - mine > Decimal("0.5"):
                    category = "under"
                else:
                    category = "agree_high" if theirs >= Decimal("3.5") else "agree_low"
            reached, supports = None, 0
            if section.next_items:
                rungs = [section.general_items, section.level_items, section.next_items]
                placed, stopped = None, False
                for index, items in enumerate(rungs):
                    mask = r.cell(participant.pk, units, "All except self", {i.key for i in items})
                    supports |= mask[0]
                    value = printed(w, mask[0])
                    if value is None:
                        stopped = True
                        break
                    if value < Decimal("3.0"):
                        break
                    placed = index
                    if value < Decimal("3.5"):
                        break
                if not stopped:
                    reached = REACHED if placed == len(rungs) - 1 else "not_reached"
            out[section.enabler.name] = {
                "agreement": category,
                "next": reached,
                "next_raters": w.raters_of(supports),
            }
        return out


def count_numbers(world, verdicts, members_of, table_id, label, kind, enabler, values, where):
    """One row of a count table: (scope, category or JUDGED, members judged, members counted)
    per number shown, each checked against what the members' own reports say."""
    members = members_of(table_id, label)
    judged = {p.pk: verdicts.of(p)[enabler][kind] for p in members}
    judged = {pk: v for pk, v in judged.items() if v is not None}
    out = []
    for category, value in zip([*KINDS[kind][: len(values) - 1], JUDGED], values, strict=True):
        if value in (None, "", "hidden", "suppressed"):
            continue
        counted = (
            set(judged) if category == JUDGED else {p for p, v in judged.items() if v == category}
        )
        assert int(value) == len(counted), f"a count no report explains: {value} in {where}"
        out.append(((kind, enabler), category, frozenset(judged), frozenset(counted)))
    return out


def page_counts(world, verdicts, members_of, html, *, team=False):
    """Every count of a team or cohort page's insight tables."""
    out = []
    level_names = {" ".join(lv.name.split()) for lv in Level.objects.filter(edition=EDITION)}
    for table in parse(html).tables:
        if not table["rows"]:
            continue
        header = [" ".join(c[1]) for c in table["rows"][0]]
        if header[:1] != ["Enabler"] or header[-1:] != ["Leaders judged"]:
            continue
        kind = "next" if header[1] == "Show next-level behaviours" else "agreement"
        label = table["caption"]
        if team:
            table_id = "team-x"
            label = "Whole team"
        else:
            table_id = "levels-x" if label in level_names else "genders-x"
        for row in table["rows"][1:]:
            enabler = " ".join(row[0][1])
            values = [" ".join(c[1]) for c in row[1:]]
            out += count_numbers(
                world, verdicts, members_of, table_id, label, kind, enabler, values, (label, row)
            )
    return out


def export_counts(world, verdicts, members_of, rows):
    """Every count of the cohort CSV or XLSX (its agreement and next-level sections)."""
    out, header = [], None
    dims = {"Level": "levels-x", "Gender": "genders-x"}
    for row in rows:
        if not row or all(c in ("", None) for c in row):
            header = None
            continue
        if header is None and len(row) == 1:
            continue  # a section title
        if header is None:
            header = [str(c) for c in row]
            continue
        if header[0] != "Enabler" or header[-1] != "Leaders judged":
            continue
        kind = "next" if header[2] == "Show next-level behaviours" else "agreement"
        values = [str(v) if isinstance(v, int) else v for v in row[2:]]
        out += count_numbers(
            world, verdicts, members_of, dims[header[1]], row[1], kind, row[0], values, row
        )
    return out


def count_leaks(numbers, *, known, may_open):
    """Sums and differences of up to three counts of one kind and enabler that rest on 1..k−1
    participants the viewer cannot open (and whose verdict they do not know).

    Two readings of a count: the participants it counts (a count worked out by difference must
    hold 0 or at least k of them, as a count shown must), and the participants it is taken over
    (one category's count depends on every participant judged in its cell: a difference of two
    cells' counts turns on the participants they do not share, whatever their verdicts)."""
    by_scope = {}
    for scope, category, judged, counted in numbers:
        by_scope.setdefault(scope, set()).add((category, judged, counted))
    found = []
    for scope, entries in by_scope.items():
        hidden = {
            p
            for _c, judged, _n in entries
            for p in judged
            if p not in may_open and (scope, p) not in known
        }
        found += [f"{scope}: {reason}" for reason in _scope_leaks(scope[0], entries, hidden)]
    return found


def _scope_leaks(kind, entries, hidden):
    people = sorted(hidden)
    index = {p: i for i, p in enumerate(people)}
    width = len(people)
    column = {c: i for i, c in enumerate(KINDS[kind])}

    def bits(group):
        mask = 0
        for p in group:
            if p in index:
                mask |= 1 << index[p]
        return mask

    def fold(mask):
        seen = 0
        while mask:
            seen |= mask & ((1 << width) - 1)
            mask >>= width
        return seen

    as_set, as_variable = set(), set()
    for category, judged, counted in entries:
        as_set.add(bits(counted))
        columns = KINDS[kind] if category == JUDGED else [category]
        as_variable.add(sum(bits(judged) << (column[c] * width) for c in columns))
    found = []
    for label, masks, project in (
        ("participants it counts", as_set, lambda m: m),
        ("participants it is taken over", as_variable, fold),
    ):
        found += [f"{reason} ({label})" for reason in _combinations(sorted(masks - {0}), project)]
    return found


def _combinations(unique, project):
    def bad(support):
        n = project(support).bit_count()
        return 0 < n < K

    out = []
    for a in unique:
        if bad(a):
            out.append("a count rests on fewer than k")
    for a, b in combinations(unique, 2):
        if a & b and bad(a ^ b):
            out.append("a difference of two counts rests on fewer than k")
    for x, y, z in combinations(unique, 3):
        if not (x & y or x & z or y & z):
            continue
        everything = x | y | z
        for minus, p, q in ((z, x, y), (y, x, z), (x, y, z)):
            if bad(everything & ~((p & ~q & minus) | (~p & q & minus))):
                out.append("two counts minus a third rest on fewer than k")
    return out


# --- the search --------------------------------------------------------------------------


def leaks(world, masks, *, known, may_open):
    """Sums and differences of up to three numbers resting on 1..k-1 anonymous raters, or on
    1..k-1 participants the viewer may not open."""
    anonymous = {r for r, (_p, g, _u) in world.raters.items() if g in ANONYMOUS_GROUPS}
    unique = sorted({m & ~known for m in masks} - {0})

    def bad(support):
        support &= ~known
        if not support:
            return None
        raters = world.raters_of(support)
        hidden_raters = raters & anonymous
        if 0 < len(hidden_raters) < K:
            return f"{len(hidden_raters)} anonymous rater(s)"
        people = {world.raters[r][0] for r in raters} - may_open
        if 0 < len(people) < K:
            return f"{len(people)} participant(s) whose report the viewer cannot open"
        return None

    found = []
    for a in unique:
        if reason := bad(a):
            found.append((reason, "a number"))
    neighbours = {a: [b for b in unique if b != a and a & b] for a in unique}
    for a in unique:
        for b in neighbours[a]:
            if a < b and (reason := bad(a ^ b)):
                found.append((reason, "a difference of two numbers"))
    seen = set()
    for a in unique:
        linked = neighbours[a]
        for b, c in combinations(linked, 2):
            triple = tuple(sorted((a, b, c)))
            if triple in seen:
                continue
            seen.add(triple)
            x, y, z = triple
            everything = x | y | z
            for minus, p, q in ((z, x, y), (y, x, z), (x, y, z)):
                zero = (p & ~q & minus) | (~p & q & minus)
                if reason := bad(everything & ~zero):
                    found.append((reason, "two numbers minus a third"))
        if len(found) > 20:
            break
    return found


def _one_decimal(texts, where, problems):
    for text in texts:
        if not re.fullmatch(r"-?\d+(\.\d)?", str(text).replace("−", "-").lstrip("+")):
            problems.append(f"{where} carries {text!r}: more precision than the page shows")


def _members_of_factory(edition, participants):
    """members_of(cycle, team) -> (table id, row label) -> the participants of that row."""

    def members_of_factory(cycle_pk, team_of=None):
        pool = [p for p in participants if p.cycle_id == cycle_pk]
        if team_of is not None:
            pool = [p for p in pool if p.supervisor_id == team_of]
        levels = {lv.name: lv.pk for lv in edition["levels"]}
        genders = {str(label): value for value, label in Participant.Gender.choices}

        def members_of(table_id, label):
            if label in ("Whole team", "All levels"):
                return pool
            if table_id.startswith(("levels", "team", "pitfalls")):
                return [p for p in pool if p.level_id == levels[label]]
            if table_id.startswith("org-units"):
                value = "" if label == "Not recorded" else label
                return [p for p in pool if p.org_unit == value]
            if table_id.startswith("genders"):
                value = "" if label == "Not recorded" else genders[label]
                return [p for p in pool if p.gender == value]
            raise AssertionError(table_id)

        return members_of

    return members_of_factory


@settings(
    max_examples=int(os.environ.get("ATTACK_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(scenario=scenario_strategy)
def test_no_sum_or_difference_of_what_a_viewer_reaches_isolates_fewer_than_k(
    edition, hr_admin, client, scenario
):
    with transaction.atomic():
        try:
            _attack(edition, hr_admin, client, scenario)
        finally:
            transaction.set_rollback(True)


def _attack(edition, hr_admin, client, scenario):
    world, bosses, people, cycle_pks = build(edition, scenario)
    readings = Readings(world)
    verdicts = Verdicts(world, readings)
    participants = list(world.participants.values())
    problems = []

    members_of_factory = _members_of_factory(edition, participants)

    def individual(viewer, participant, pages=("reports:individual",)):
        masks, values = [], []
        for name in pages:
            response = client.get(reverse(name, args=[participant.pk]))
            assert response.status_code == 200
            got, vals = individual_numbers(world, readings, participant, response.content.decode())
            masks += got
            values += vals
        _one_decimal(values, "a chart", problems)
        return masks

    def check(label, masks, known, may_open):
        for reason, how in leaks(world, masks, known=known, may_open=may_open):
            problems.append(f"{label}: {how} rests on {reason}")

    # leaders: their own reports, this cycle and the previous one (the first leader is in both
    # cycles whenever there are two; the others see the same kind of pages)
    for person in people[:2]:
        own = [p for p in participants if p.person_id == person.pk]
        if not own:
            continue
        client.force_login(person)
        masks = [
            m
            for p in own
            for m in individual(person, p, ("reports:individual", "reports:individual_print"))
        ]
        check(f"leader {person.pk}", masks, 0, {p.pk for p in own})

    # a supervisor: team reports and the reports shared with them
    boss = bosses[0]
    client.force_login(boss)
    masks, counts = [], []
    may_open = set()
    for cycle_pk in cycle_pks:
        response = client.get(reverse("reports:team", args=[cycle_pk]))
        if response.status_code == 404:
            continue
        members_of = members_of_factory(cycle_pk, team_of=boss.pk)
        html = response.content.decode()
        got, values = heatmap_numbers(world, readings, cycle_pk, members_of, html)
        masks += got
        counts += page_counts(world, verdicts, members_of, html, team=True)
    for p in participants:
        if p.supervisor_id == boss.pk and p.shared_with_supervisor:
            masks += individual(boss, p)
            may_open.add(p.pk)
    known = 0
    for bit, rater_pk in enumerate(world.rater_of):
        if world.raters[rater_pk][2] == boss.pk:
            known |= 1 << bit
    check("supervisor", masks, known, may_open)
    # a verdict that rests on the supervisor's own answers alone is one they know
    known_verdicts = {
        (("next", enabler), p.pk)
        for p in participants
        if p.supervisor_id == boss.pk
        for enabler, verdict in verdicts.of(p).items()
        if all(world.raters[r][2] == boss.pk for r in verdict["next_raters"])
    }
    for reason in count_leaks(counts, known=known_verdicts, may_open=may_open):
        problems.append(f"supervisor: {reason}")

    # HR: cohort pages, exports, and every individual report
    client.force_login(hr_admin)
    hr_masks, export_masks, counts = [], [], []
    for cycle_pk in cycle_pks:
        members_of = members_of_factory(cycle_pk)
        response = client.get(reverse("reports:cohort", args=[cycle_pk]))
        html = response.content.decode()
        got, values = heatmap_numbers(world, readings, cycle_pk, members_of, html)
        hr_masks += got
        counts += page_counts(world, verdicts, members_of, html)
        url = reverse("reports:cohort_export", args=[cycle_pk])
        text = client.get(url + "?format=csv").content.decode("utf-8-sig")
        csv_rows = list(csv.reader(io.StringIO(text)))
        got, texts = export_numbers(world, readings, members_of, csv_rows)
        _one_decimal(texts, "the cohort CSV", problems)
        export_masks += got
        counts += export_counts(world, verdicts, members_of, csv_rows)
        book = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
        rows = []
        for sheet in book.worksheets:
            rows += [[sheet.title]] + [list(r) for r in sheet.iter_rows(values_only=True)] + [[]]
        got, texts = export_numbers(world, readings, members_of, rows)
        _one_decimal(texts, "the cohort XLSX", problems)
        export_masks += got
        counts += export_counts(world, verdicts, members_of, rows)
    for p in participants:
        hr_masks += individual(hr_admin, p)
    check("HR admin", hr_masks + export_masks, 0, {p.pk for p in participants})
    # whoever the export is passed to opens no report
    check("export recipient", export_masks, 0, set())
    # the cohort page's counts with its exports' (the page is built for any reader of them)
    for reason in count_leaks(counts, known=set(), may_open=set()):
        problems.append(f"cohort page and exports: {reason}")

    assert not problems, "\n".join(sorted(set(problems))[:15])


@settings(
    max_examples=int(os.environ.get("ATTACK_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(scenario=counts_strategy)
def test_no_sum_or_difference_of_counts_a_viewer_reaches_isolates_fewer_than_k(
    edition, hr_admin, client, scenario
):
    """Issue 18's counts (next-level behaviours, self–other agreement) on cohorts of 5 to 10
    leaders, read from the team page as its supervisor reads it, and from the cohort page with
    its CSV and XLSX exports as anyone they are passed to reads them."""
    with transaction.atomic():
        try:
            _attack_counts(edition, hr_admin, client, scenario)
        finally:
            transaction.set_rollback(True)


def _attack_counts(edition, hr_admin, client, scenario):
    world, bosses, _people, (cycle_pk,) = build(edition, scenario)
    verdicts = Verdicts(world, Readings(world))
    participants = list(world.participants.values())
    members_of_factory = _members_of_factory(edition, participants)
    problems, read = [], 0

    boss = bosses[0]
    client.force_login(boss)
    response = client.get(reverse("reports:team", args=[cycle_pk]))
    if response.status_code == 200:
        members_of = members_of_factory(cycle_pk, team_of=boss.pk)
        counts = page_counts(world, verdicts, members_of, response.content.decode(), team=True)
        team = [p for p in participants if p.supervisor_id == boss.pk]
        may_open = {p.pk for p in team if p.shared_with_supervisor}
        known = {
            (("next", enabler), p.pk)
            for p in team
            for enabler, verdict in verdicts.of(p).items()
            if all(world.raters[r][2] == boss.pk for r in verdict["next_raters"])
        }
        problems += [
            f"supervisor: {r}" for r in count_leaks(counts, known=known, may_open=may_open)
        ]
        read += len(counts)

    client.force_login(hr_admin)
    members_of = members_of_factory(cycle_pk)
    html = client.get(reverse("reports:cohort", args=[cycle_pk])).content.decode()
    counts = page_counts(world, verdicts, members_of, html)
    url = reverse("reports:cohort_export", args=[cycle_pk])
    text = client.get(url + "?format=csv").content.decode("utf-8-sig")
    counts += export_counts(world, verdicts, members_of, list(csv.reader(io.StringIO(text))))
    book = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    rows = []
    for sheet in book.worksheets:
        rows += [[sheet.title]] + [list(r) for r in sheet.iter_rows(values_only=True)] + [[]]
    counts += export_counts(world, verdicts, members_of, rows)
    problems += [f"cohort: {r}" for r in count_leaks(counts, known=set(), may_open=set())]
    read += len(counts)
    if currently_in_test_context():
        target(read, label="counts read")  # leads hypothesis to cohorts that show counts

    assert not problems, "\n".join(sorted(set(problems))[:15])
