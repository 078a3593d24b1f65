"""Team and cohort reports, where the unit of anonymity is the participant (PRODUCT §5.5).

Every number is a mean over the submitted answers of the participants in its cell; a cell with
fewer than k participants is suppressed, with its complement where one suppressed cell could be
recovered from the total (``anonymity.suppress_breakdown``). Aggregation is grouped SQL.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from compass.models import Enabler, Level, Pitfall

from . import anonymity
from .models import Answer, Participant, Rater, RaterGroup

SELF = RaterGroup.SELF
PITFALLS_PER_LEVEL = 3


@dataclass(frozen=True)
class Score:
    """A mean over some participants' answers, or suppressed."""

    mean: float | None = None
    participants: int = 0
    shown: bool = False

    @property
    def suppressed(self):
        return not self.shown and self.participants > 0


@dataclass
class Heat:
    """One cell of a breakdown: others' mean, self mean, and their gap."""

    others: Score = field(default_factory=Score)
    self: Score = field(default_factory=Score)

    @property
    def gap(self):
        if self.others.shown and self.self.shown:
            return self.self.mean - self.others.mean
        return None


@dataclass
class Breakdown:
    """Cells (a level, an org unit, a gender…) × enablers, plus an all-cells column."""

    dimension: str
    cells: list  # [(key, label, participant count or None when suppressed)]
    rows: list  # [(enabler, {cell key: Heat}, Heat for all)]
    suppressed: frozenset
    total_shown: bool


@dataclass
class Answers:
    """A cohort's submitted answers summed per participant, from one scan of the answers.

    ``enablers`` maps (participant id, enabler id, is self) and ``pitfalls`` (participant id,
    pitfall id) of raters other than self to (sum, count) of real scores. A key is there when
    the participant has any answer to it, "not observed" included, as a participant is counted
    in a cell. Every breakdown and the pitfalls are sums over these few rows per participant,
    so the answers are read once, whatever the number of breakdowns.
    """

    enablers: dict
    pitfalls: dict


def answers_per_participant(participants):
    """Two grouped queries, one over behaviour answers and one over pitfall answers: measured
    on PostgreSQL, two narrow groupings beat one wide one, whose hash table spills to disk."""
    submitted = Answer.objects.filter(
        response__submitted_at__isnull=False,
        response__rater__participant__in=participants,
    ).annotate(participant=F("response__rater__participant_id"))
    enabler_rows = (
        submitted.filter(indicator__isnull=False)
        .annotate(
            enabler=F("indicator__behaviour__enabler_id"),
            is_self=Q(response__rater__group=SELF),
        )
        .values_list("participant", "enabler", "is_self")
        .annotate(total=Sum("score"), answered=Count("score"))
    )
    pitfall_rows = (
        submitted.filter(pitfall__isnull=False)
        .exclude(response__rater__group=SELF)
        .values_list("participant", "pitfall_id")
        .annotate(total=Sum("score"), answered=Count("score"))
    )
    return Answers(
        enablers={
            (participant, enabler, bool(is_self)): (total or 0, answered)
            for participant, enabler, is_self, total, answered in enabler_rows
        },
        pitfalls={
            (participant, pitfall): (total or 0, answered)
            for participant, pitfall, total, answered in pitfall_rows
        },
    )


def _aggregate(answers, cell_of):
    """{(cell key, enabler id, is_self): (sum, count, participants)} from ``answers``."""
    out = {}
    for (participant, enabler, is_self), (total, answered) in answers.enablers.items():
        key = (cell_of[participant], enabler, is_self)
        t, a, people = out.get(key, (0, 0, 0))
        out[key] = (t + total, a + answered, people + 1)
    return out


def _score(parts, k, hide):
    total = sum(p[0] for p in parts)
    answered = sum(p[1] for p in parts)
    people = sum(p[2] for p in parts)
    if hide or not answered or people < k:
        return Score(participants=people)
    return Score(mean=total / answered, participants=people, shown=True)


def breakdown(participants, dimension, cells, enablers, k, answers=None):
    """Enablers × cells of ``dimension`` (a Participant field), under the participant rule.

    ``cells`` is [(key, label)]; sizes are counted from ``participants`` so that a cell's
    suppression does not depend on who happened to answer. ``answers`` (from
    ``answers_per_participant``) lets several breakdowns share one scan of the answers.
    """
    if answers is None:
        answers = answers_per_participant(participants)
    cell_of = dict(participants.order_by().values_list("pk", dimension))
    sizes = dict.fromkeys((key for key, _label in cells), 0)
    for value in cell_of.values():
        if value in sizes:
            sizes[value] += 1
    rule = anonymity.suppress_breakdown(sizes, k)
    data = _aggregate(answers, cell_of)
    rows = []
    for enabler in enablers:
        heats = {}
        for key, _label in cells:
            hide = key in rule.suppressed
            heats[key] = Heat(
                others=_score([data.get((key, enabler.pk, False), (0, 0, 0))], k, hide),
                self=_score([data.get((key, enabler.pk, True), (0, 0, 0))], k, hide),
            )
        everyone = Heat(
            others=_score(
                [data.get((key, enabler.pk, False), (0, 0, 0)) for key, _label in cells],
                k,
                not rule.total_shown,
            ),
            self=_score(
                [data.get((key, enabler.pk, True), (0, 0, 0)) for key, _label in cells],
                k,
                not rule.total_shown,
            ),
        )
        rows.append((enabler, heats, everyone))
    shown_cells = [
        (key, label, None if key in rule.suppressed else sizes[key]) for key, label in cells
    ]
    return Breakdown(
        dimension=dimension,
        cells=shown_cells,
        rows=rows,
        suppressed=rule.suppressed,
        total_shown=rule.total_shown,
    )


@dataclass
class TeamReport:
    cycle: object
    supervisor: object
    size: int
    shown: bool
    levels: Breakdown | None
    shared: list


def team_report(*, cycle, supervisor):
    """The supervisor's released participants in ``cycle``, per enabler and per level."""
    team = Participant.objects.filter(cycle=cycle, supervisor=supervisor)
    size = team.count()
    k = cycle.anonymity_threshold
    shared = list(
        team.filter(shared_with_supervisor=True)
        .select_related("person", "level")
        .order_by("person__full_name")
    )
    if size < k or not anonymity.reports_visible(cycle):
        return TeamReport(cycle, supervisor, size, False, None, shared)
    levels = list(Level.objects.filter(edition=cycle.edition))
    enablers = list(Enabler.objects.filter(edition=cycle.edition))
    by_level = breakdown(team, "level_id", [(lv.pk, lv.name) for lv in levels], enablers, k)
    by_level.cells = [c for c in by_level.cells if c[2] != 0]
    return TeamReport(cycle, supervisor, size, True, by_level, shared)


@dataclass
class CohortReport:
    cycle: object
    participants: int
    response_rates: dict
    levels: Breakdown
    org_units: Breakdown
    genders: Breakdown
    pitfalls: list  # [(level, [(pitfall, Score)])]


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


def _pitfalls_by_level(answers, levels, k, suppressed_levels):
    pitfalls = {p.pk: p for p in Pitfall.objects.filter(level__in=levels).select_related("enabler")}
    sums = {}
    for (_participant, pitfall_id), (total, answered) in answers.pitfalls.items():
        t, a, people = sums.get(pitfall_id, (0, 0, 0))
        sums[pitfall_id] = (t + total, a + answered, people + 1)
    grouped = {}
    for pitfall_id, parts in sums.items():
        pitfall = pitfalls.get(pitfall_id)
        if pitfall is None:
            continue
        score = _score([parts], k, pitfall.level_id in suppressed_levels)
        if score.shown:
            grouped.setdefault(pitfall.level_id, []).append((pitfall, score))
    result = []
    for level in levels:
        ranked = sorted(grouped.get(level.pk, []), key=lambda x: (-x[1].mean, x[0].pk))
        if ranked:
            result.append((level, ranked[:PITFALLS_PER_LEVEL]))
    return result


def cohort_report(cycle):
    k = cycle.anonymity_threshold
    participants = Participant.objects.filter(cycle=cycle)
    levels = list(Level.objects.filter(edition=cycle.edition))
    enablers = list(Enabler.objects.filter(edition=cycle.edition))
    org_units = sorted(
        set(participants.exclude(org_unit="").values_list("org_unit", flat=True).distinct())
    )
    answers = answers_per_participant(participants)
    by_level = breakdown(
        participants, "level_id", [(lv.pk, lv.name) for lv in levels], enablers, k, answers
    )
    by_level.cells = [c for c in by_level.cells if c[2] != 0]
    # Leaders without an org unit are a cell of their own, under the rule like any other: left
    # out, they would be the difference between the org units and the whole cohort.
    units = [(u, u) for u in org_units] + [("", _("Not recorded"))]
    genders = [(g, str(label)) for g, label in Participant.Gender.choices] + [
        ("", _("Not recorded"))
    ]
    return CohortReport(
        cycle=cycle,
        participants=participants.count(),
        response_rates=response_rates(cycle),
        levels=by_level,
        org_units=breakdown(participants, "org_unit", units, enablers, k, answers),
        genders=breakdown(participants, "gender", genders, enablers, k, answers),
        pitfalls=_pitfalls_by_level(answers, levels, k, by_level.suppressed),
    )
