"""Team and cohort reports, where the unit of anonymity is the participant (PRODUCT §5.5–6).

A participant enters a group number only through what their own released report shows: the
per-item tallies frozen at release (``tallies``) are read in one query, each participant's
report rule is applied (``anonymity.released_others``: the supervisor plus the atoms shown),
and the result is summed per cell. Which cells may be shown — primary and secondary
suppression across every breakdown of the same people — is decided by
``anonymity.protect_tables``; nothing here compares with k.
"""

from dataclasses import dataclass, field, replace

from django.db.models import Count, Q
from django.tasks import task
from django.utils.translation import gettext as _

from assessments.models import Cycle, Participant, Rater, RaterGroup
from assessments.reporting import anonymity, group_insight, group_memo, tallies
from assessments.reporting.anonymity import Part, Score, Tally
from compass.models import Enabler, Level, Pitfall

SELF = RaterGroup.SELF
PITFALLS_PER_LEVEL = 3


@dataclass
class Heat:
    """One cell of a breakdown: others' mean, self mean, and their gap."""

    others: Score = field(default_factory=Score)
    self: Score = field(default_factory=Score)

    @property
    def gap(self):
        return anonymity.gap(self.self, self.others)


@dataclass
class Breakdown:
    """Cells (a level, an org unit, a gender…) × enablers, plus an all-cells column."""

    dimension: str
    cells: list  # [(key, label, participant count or None when suppressed)]
    rows: list  # [(enabler, {cell key: Heat}, Heat for all)]
    suppressed: frozenset
    total_shown: bool


@dataclass
class Parts:
    """What each participant's released report shows, read once for a team or a cohort.

    ``measures``: per measure — ``("others", enabler id)``, ``("self", enabler id)`` and
    ``("pitfall", pitfall id)`` — participant ids mapped to (Tally shown, Tally of its anonymous
    atoms alone). ``disclosures``: each participant's units (``anonymity.disclose_units``);
    ``people``: each participant's (level id, level position, gender, whether their cycle
    asks the next level); ``rungs``: {(participant, enabler id, level position): figures
    (``anonymity.released.figures_from_row``)} over the indicators of that enabler and level,
    the next level's included — what the insight's ladder and agreement read
    (``group_insight.judge``);
    ``rows``: each participant's row (``PEOPLE``), what the breakdowns group."""

    measures: dict
    disclosures: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    rungs: dict = field(default_factory=dict)
    rows: tuple = ()  # each participant's row (``PEOPLE``)


def _key_order(entry):
    (pid, enabler, position, pitfall), _figures = entry
    return (pid, enabler, -1 if position is None else position, pitfall or 0)


# Each participant's row as the team and cohort reports read it (``read_people``).
PEOPLE = (
    "pk",
    "cycle__anonymity_threshold",
    "level_id",
    "level__position",
    "gender",
    "cycle__next_level_part",
    "org_unit",
)


@dataclass(frozen=True)
class People:
    """What a team or cohort report reads of its participants besides their tallies: each one's
    row (``PEOPLE``) and their submitted responses per rater group, each sorted. With the
    cycle's release (its frozen tallies) they decide every number of the report."""

    rows: tuple
    responses: tuple  # (participant id, group, submitted responses)


def read_people(participants):
    """One query, whatever the number of participants: each participant's row beside their
    submitted responses per rater group (rejected nominations left out)."""
    submitted = Q(raters__status=Rater.Status.SUBMITTED) & ~Q(
        raters__approval=Rater.Approval.REJECTED
    )
    rows, responses = {}, []
    read = (
        participants.order_by("pk")
        .values_list(*PEOPLE, "raters__group")
        .annotate(n=Count("raters", filter=submitted))
    )
    for *row, group, n in read:
        rows[row[0]] = tuple(row)
        if n:
            responses.append((row[0], group, n))
    return People(rows=tuple(rows.values()), responses=tuple(sorted(responses)))


def released_parts(participants, cycle=None, people=None):
    """Two queries (the participants and their responses per group — none when ``people``
    (``read_people``) brings them — and what each participant's report shows, summed in the
    database from the tallies frozen at ``cycle``'s release, live before or without a cycle:
    ``tallies.released_figures``) whatever the number of participants. Each participant's units
    are decided here from the rater counts (``anonymity.disclose_units``); the statement
    applies their report rule per item."""
    people_read = people or read_people(participants)
    counts = {}
    for participant_id, group, n in people_read.responses:
        counts.setdefault(participant_id, {})[group] = n
    people, disclosures = {}, {}
    for pid, k, level_id, position, gender, next_part, _unit in people_read.rows:
        people[pid] = (level_id, position, gender, next_part)
        disclosures[pid] = anonymity.disclose_units(counts.get(pid, {}), k)
    sums, rungs = {}, {}  # sums: {measure: {pid: [shown total, answered, not observed,
    # then the same of the anonymous atoms alone]}}

    def add(measure, pid, figures):
        into = sums.setdefault(measure, {}).setdefault(pid, [0] * 6)
        for index, value in enumerate(figures):
            into[index] += value

    for (pid, enabler, position, pitfall), f in sorted(
        tallies.released_figures(cycle, participants, disclosures).items(), key=_key_order
    ):
        # f: total, answered, not observed of self, of the supervisor, of the shown atoms
        others = (f[3] + f[6], f[4] + f[7], f[5] + f[8], f[6], f[7], f[8])
        if pitfall is not None:
            add(("pitfall", pitfall), pid, others)
            continue
        rungs[(pid, enabler, position)] = f
        if position > people[pid][1]:
            continue  # a next-level part's indicators are in no enabler score (issue 18)
        add(("others", enabler), pid, others)
        add(("self", enabler), pid, f[:3] * 2)
    measures = {
        measure: {
            pid: (Tally(t, a, a, n), Tally(at, aa, aa, an))
            for pid, (t, a, n, at, aa, an) in by_pid.items()
        }
        for measure, by_pid in sums.items()
    }
    return Parts(
        measures=measures,
        disclosures=disclosures,
        people=people,
        rungs=rungs,
        rows=people_read.rows,
    )


def _parts_for(parts, *, known_supervisor):
    """{measure: {pid: Part}}: only participants with a real answer on the measure; a part
    counts toward k when it holds answers the viewer does not know (a supervisor knows their
    own answers, so only anonymous atoms count for them)."""
    out = {}
    for measure, by_participant in parts.measures.items():
        entries = {}
        for pid, (shown, anonymous) in by_participant.items():
            if not shown.answered:
                continue
            counts = bool(anonymous.answered) if known_supervisor and measure[0] != "self" else True
            entries[pid] = Part(tally=shown, counts=counts)
        out[measure] = entries
    return out


def breakdowns(dimensions, enablers, k, *, parts, may_open=frozenset(), known_supervisor=False):
    """Enablers × cells of each of ``dimensions`` — [(field of ``PEOPLE``, [(key, label)],
    has_total)] — under the participant rule, decided together (they share people)."""
    member_sets = []
    for name, cells, _has_total in dimensions:
        index = PEOPLE.index(name)
        members = {key: set() for key, _label in cells}
        for row in parts.rows:
            if row[index] in members:
                members[row[index]].add(row[0])
        member_sets.append((name, {key: frozenset(m) for key, m in members.items()}, _has_total))
    measures = _parts_for(parts, known_supervisor=known_supervisor)
    wanted = {}
    for enabler in enablers:
        for kind in ("others", "self"):
            wanted[(kind, enabler.pk)] = measures.get((kind, enabler.pk), {})
    rule = anonymity.protect_tables(member_sets, wanted, k, may_open=frozenset(may_open))
    out = []
    for (name, cells, has_total), (_name, members, _t) in zip(dimensions, member_sets, strict=True):
        suppressed = frozenset(key for key, _l in cells if rule.row_hidden(name, key))
        total_shown = not rule.row_hidden(name, anonymity.TOTAL)
        rows = []
        for enabler in enablers:
            heats = {
                key: Heat(
                    others=rule.score(("others", enabler.pk), name, key),
                    self=rule.score(("self", enabler.pk), name, key),
                )
                for key, _label in cells
            }
            everyone = Heat(
                others=rule.score(("others", enabler.pk), name, anonymity.TOTAL),
                self=rule.score(("self", enabler.pk), name, anonymity.TOTAL),
            )
            rows.append((enabler, heats, everyone))
        shown_cells = [
            (key, label, None if key in suppressed else len(members[key])) for key, label in cells
        ]
        out.append(
            Breakdown(
                dimension=name,
                cells=shown_cells,
                rows=rows,
                suppressed=suppressed,
                total_shown=total_shown and has_total,
            )
        )
    return out


def grl_skills(cycle):
    """The skills of the cycle's gender-responsive leadership section (none without it): rows
    of their own beside the compass's enablers, never in them."""
    if not cycle.grl_edition:
        return []
    return list(Enabler.objects.filter(edition=cycle.grl_edition).order_by("position"))


@dataclass
class TeamReport:
    cycle: object
    supervisor: object
    size: int
    shown: bool
    levels: Breakdown | None
    shared: list
    grl_levels: Breakdown | None = None  # the gender-responsive leadership skills per level
    # per compass enabler, how many members show next-level behaviours (anonymity.Counts);
    # None in a cycle without a next-level part
    next_level: dict | None = None


def team_report(*, cycle, supervisor):
    """The supervisor's released participants in ``cycle``, per enabler and per level.

    Members who shared their report with the supervisor do not count toward k (the supervisor
    can read them), nor do the supervisor's own answers. The figures of a frozen cycle are
    kept per process by a fingerprint of all they rest on (``group_memo``)."""
    team = Participant.objects.filter(cycle=cycle, supervisor=supervisor)
    people = read_people(team)
    size = len(people.rows)
    k = cycle.anonymity_threshold
    shared = list(
        team.filter(shared_with_supervisor=True)
        .select_related("person", "level")
        .order_by("person__full_name")
    )
    may_open = frozenset(p.pk for p in shared)
    if not anonymity.reports_visible(cycle) or not anonymity.group_may_show(size, len(may_open), k):
        return TeamReport(cycle, supervisor, size, False, None, shared)
    levels = list(Level.objects.filter(edition=cycle.edition))
    enablers = list(Enabler.objects.filter(edition=cycle.edition))
    skills = grl_skills(cycle)
    key = group_memo.fingerprint(
        "team", cycle, people, [*levels, *enablers, *skills], supervisor.pk, sorted(may_open)
    )
    figures = group_memo.kept(
        key, lambda: _team_figures(cycle, team, people, levels, enablers, skills, may_open)
    )
    by_level = {lv.pk: lv.name for lv in levels}  # kept figures: named in any language
    by_level, grl_levels = (_named(breakdown, by_level) for breakdown in figures[:2])
    return TeamReport(
        cycle, supervisor, size, True, by_level, shared, grl_levels, next_level=figures[2]
    )


def _team_figures(cycle, team, people, levels, enablers, skills, may_open):
    """(levels, grl levels, next-level counts) of a team: one query (the tallies)."""
    k = cycle.anonymity_threshold
    level_dims = [("level_id", [(lv.pk, lv.name) for lv in levels], True)]
    parts = released_parts(team, cycle, people)
    (by_level,) = breakdowns(
        level_dims, enablers, k, parts=parts, may_open=may_open, known_supervisor=True
    )
    by_level.cells = [c for c in by_level.cells if c[2] != 0]
    grl_levels = None
    if skills:
        (grl_levels,) = breakdowns(
            level_dims, skills, k, parts=parts, may_open=may_open, known_supervisor=True
        )
        grl_levels.cells = [c for c in grl_levels.cells if c[2] != 0]
    next_level = None
    if cycle.next_level_part:
        judged = group_insight.judge(parts)
        ids = [enabler.pk for enabler in enablers]
        next_level = group_insight.team_counts(judged, ids, k, may_open=may_open)
    return by_level, grl_levels, next_level


@dataclass
class CohortReport:
    cycle: object
    participants: int
    response_rates: dict
    levels: Breakdown
    org_units: Breakdown
    genders: Breakdown
    pitfalls: list  # [(level, [(pitfall, Score)])]
    # The gender-responsive leadership skills, per level and per gender (None without them).
    grl_levels: Breakdown | None = None
    grl_genders: Breakdown | None = None
    # issue 18: agreement per level and by gender, next-level behaviours per level
    insight: group_insight.CohortCounts | None = None


def response_rates(cycle):
    """Self-assessments and rater responses, submitted against invited (one query)."""
    rows = (
        Rater.objects.filter(participant__cycle=cycle)
        .exclude(status=Rater.Status.NOMINATED)
        .values("group", "status")
        .annotate(n=Count("pk"))
    )
    rates = {"self": [0, 0], "raters": [0, 0]}
    for row in rows:
        key = "self" if row["group"] == SELF else "raters"
        rates[key][1] += row["n"]
        if row["status"] == Rater.Status.SUBMITTED:
            rates[key][0] += row["n"]
    return {
        key: {"submitted": s, "invited": i, "rate": s / i if i else None}
        for key, (s, i) in rates.items()
    }


def _pitfalls_by_level(parts, pitfalls, levels, k):
    """The most frequent pitfalls per level: a pitfall's number is a cell of the participants
    of its level, under the same rule as every other cell."""
    level_of = {pid: person[0] for pid, person in parts.people.items()}
    measures = _parts_for(parts, known_supervisor=False)
    grouped = {}
    for pitfall in pitfalls:
        measure = ("pitfall", pitfall.pk)
        members = frozenset(p for p, lv in level_of.items() if lv == pitfall.level_id)
        rule = anonymity.protect_tables(
            [("level", {pitfall.level_id: members}, False)],
            {measure: measures.get(measure, {})},
            k,
        )
        score = rule.score(measure, "level", pitfall.level_id)
        if score.shown:
            grouped.setdefault(pitfall.level_id, []).append((pitfall, score))
    result = []
    for level in levels:
        ranked = sorted(grouped.get(level.pk, []), key=lambda x: (-x[1].mean, x[0].pk))
        if ranked:
            result.append((level, ranked[:PITFALLS_PER_LEVEL]))
    return result


def cohort_report(cycle):
    """The cohort: levels (with the total), org units and genders, decided together as tables
    that share people; the reader is anyone the export may be passed to, who opens no report.
    The figures of a frozen cycle are kept per process by a fingerprint of all they rest on
    (``group_memo``); the response rates are read each time."""
    participants = Participant.objects.filter(cycle=cycle)
    levels = list(Level.objects.filter(edition=cycle.edition))
    enablers = list(Enabler.objects.filter(edition=cycle.edition))
    skills = grl_skills(cycle)
    pitfalls = list(
        Pitfall.objects.filter(level__in=levels).select_related("enabler").order_by("pk")
    )
    people = read_people(participants)
    key = group_memo.fingerprint("cohort", cycle, people, [*levels, *enablers, *skills, *pitfalls])
    report = group_memo.kept(
        key,
        lambda: _cohort_figures(cycle, participants, people, levels, enablers, skills, pitfalls),
    )
    return replace(_labelled(report, levels), cycle=cycle, response_rates=response_rates(cycle))


@task
def keep_cohort_figures(cycle_id):
    """A released cycle's cohort figures computed and kept (``group_memo``), enqueued when the
    release commits: HR's first view of the cohort report then reads them."""
    cycle = Cycle.objects.filter(pk=cycle_id, state=Cycle.State.RELEASED).first()
    if cycle is not None:
        cohort_report(cycle)
    return cycle is not None


def _named(breakdown, names):
    """``breakdown`` with the cells of ``names`` ({key: label}) named so."""
    if breakdown is None:
        return None
    cells = [(key, names.get(key, label), n) for key, label, n in breakdown.cells]
    return replace(breakdown, cells=cells)


def _labelled(report, levels):
    """``report`` with its levels', genders' and "Not recorded" cells named in the active
    language: what is kept was named in whichever language computed it."""
    by_level = {lv.pk: lv.name for lv in levels}
    genders = {g: str(label) for g, label in Participant.Gender.choices}
    genders[""] = _("Not recorded")
    insight = report.insight
    if insight is not None:
        insight = replace(
            insight,
            levels=[(key, by_level.get(key, x)) for key, x in insight.levels],
            genders=[(key, genders.get(key, x)) for key, x in insight.genders],
        )
    return replace(
        report,
        levels=_named(report.levels, by_level),
        grl_levels=_named(report.grl_levels, by_level),
        org_units=_named(report.org_units, {"": _("Not recorded")}),
        genders=_named(report.genders, genders),
        grl_genders=_named(report.grl_genders, genders),
        insight=insight,
    )


def _cohort_figures(cycle, participants, people, levels, enablers, skills, pitfalls):
    """The cohort report but its response rates: one query (the tallies)."""
    k = cycle.anonymity_threshold
    parts = released_parts(participants, cycle, people)
    org_units = sorted({row[PEOPLE.index("org_unit")] for row in people.rows} - {""})
    # Leaders without an org unit are a cell of their own, under the rule like any other: left
    # out, they would be the difference between the org units and the whole cohort.
    units = [(u, u) for u in org_units] + [("", _("Not recorded"))]
    genders = [(g, str(label)) for g, label in Participant.Gender.choices] + [
        ("", _("Not recorded"))
    ]
    dimensions = [
        ("level_id", [(lv.pk, lv.name) for lv in levels], True),
        ("org_unit", units, False),
        ("gender", genders, False),
    ]
    by_level, by_unit, by_gender = breakdowns(dimensions, enablers, k, parts=parts)
    by_level.cells = [c for c in by_level.cells if c[2] != 0]
    grl_levels = grl_genders = None
    if skills:
        # The skills' own tables, under the same rule over the same breakdowns of people.
        grl_levels, _units, grl_genders = breakdowns(dimensions, skills, k, parts=parts)
        grl_levels.cells = [c for c in grl_levels.cells if c[2] != 0]
    counts = group_insight.cohort_counts(
        group_insight.judge(parts),
        [enabler.pk for enabler in enablers],
        [(lv.pk, lv.name) for lv in levels],
        k,
        next_level_part=cycle.next_level_part,
    )
    return CohortReport(
        cycle=None,  # the viewer's cycle is put in on reading
        participants=len(people.rows),
        response_rates={},
        levels=by_level,
        org_units=by_unit,
        genders=by_gender,
        pitfalls=_pitfalls_by_level(parts, pitfalls, levels, k),
        grl_levels=grl_levels,
        grl_genders=grl_genders,
        insight=counts,
    )
