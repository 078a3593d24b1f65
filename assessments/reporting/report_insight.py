"""Issue 18's insight for one individual report: the reads the rules need, the rules applied.

``insight`` holds the rules and never touches the database; this module reads what they need in
a fixed number of grouped queries whatever the size of the cohort:

* disagreement: one query for the real answers of this leader's raters (a handful per rater and
  indicator), so the spread is judged over exactly the raters behind each shown number;
* norms: one query for the leaders of the same level in released cycles of the same edition,
  and — only when they are enough for a norm — two grouped queries for their reports' counts
  and item tallies. Each leader's number is the one their own report shows ("all except self", after
  the anonymity rule of their own cycle), so a hidden number never enters a norm.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Q

from assessments.answering.questionnaire import indicator_key
from assessments.models import Answer, Cycle, Participant, Rater
from assessments.plans import action_plans
from assessments.reporting import anonymity, insight
from assessments.reporting.reports import _TALLY_FIELDS, GROUP, SUBMITTED, _tally


@dataclass
class EnablerInsight:
    section: object  # reports.EnablerSection
    ladder: list  # [(rung label, others' Cell)], bottom rung first; empty without next level
    placement: insight.Placement | None
    agreement: str | None
    band: str | None
    differ: list  # labels of the shown columns whose raters disagree widely
    advice: insight.Advice | None


@dataclass
class ReportInsight:
    enablers: list
    item_bands: dict = field(default_factory=dict)  # item key -> band
    item_differ: dict = field(default_factory=dict)  # item key -> [column labels]
    norm_leaders: int = 0  # leaders in the norm (0: no norm)
    suggestions: list = field(default_factory=list)  # action_plans.Suggestion


def build(report, *, others_label):
    """The insight of ``report`` (``reports.individual_report``). ``others_label`` names the
    "all except self" column in the flags."""
    participant = report.participant
    per_rater = _rater_values(participant)
    norms = _norms(report)
    enablers, item_differ, item_bands = [], {}, {}
    k = report.disclosure.k
    for section in report.sections:
        ladder = []
        if section.next_level is not None:
            ladder.append(("general", section.general.others))
            if not participant.level.is_all_leaders:
                ladder.append(("own", section.own_level.others))
            ladder.append(("next", section.next_level.others))
        enabler_values = per_rater["enablers"].get(section.enabler.pk, {})
        enablers.append(
            EnablerInsight(
                section=section,
                ladder=ladder,
                placement=insight.placement([c for _key, c in ladder]) if ladder else None,
                agreement=insight.agreement(section.row.self_cell, section.row.others),
                band=_band(norms, "enablers", section.enabler.pk, section.row.others),
                differ=_differ(section.row, report.disclosure, enabler_values, k, others_label),
                advice=insight.whom_to_ask(section.evidence_gaps),
            )
        )
        for line in section.indicators:
            key = line.item.key
            values = per_rater["items"].get(key, {})
            item_differ[key] = _differ(line.row, report.disclosure, values, k, others_label)
            item_bands[key] = _band(norms, "items", line.item.indicator_id, line.row.others)
    return ReportInsight(
        enablers=enablers,
        item_bands=item_bands,
        item_differ=item_differ,
        norm_leaders=norms["leaders"] if norms else 0,
        suggestions=action_plans.suggest_focus(report),
    )


# --- disagreement ------------------------------------------------------------------------


def _rater_values(participant):
    """Per enabler and per indicator: {response id: (group, value)} of real answers, where an
    enabler's value is the rater's mean over the leader's own indicators of it. One query."""
    rows = Answer.objects.filter(
        SUBMITTED,
        response__rater__participant=participant,
        score__isnull=False,
        indicator__isnull=False,
    ).values_list(
        "response_id",
        GROUP,
        "indicator_id",
        "indicator__behaviour__enabler_id",
        "indicator__behaviour__level__position",
        "score",
    )
    items = defaultdict(dict)
    sums = defaultdict(lambda: [None, 0, 0])
    for response_id, group, indicator_id, enabler_id, position, score in rows:
        items[indicator_key(indicator_id)][response_id] = (group, score)
        if position <= participant.level.position:
            entry = sums[(enabler_id, response_id)]
            entry[0], entry[1], entry[2] = group, entry[1] + score, entry[2] + 1
    enablers = defaultdict(dict)
    for (enabler_id, response_id), (group, total, count) in sums.items():
        enablers[enabler_id][response_id] = (group, Fraction(total, count))
    return {"items": items, "enablers": enablers}


def _differ(row, disclosure, values, k, others_label):
    """Labels of the shown anonymous units, and of "all except self", whose raters disagree."""
    labels = {unit.key: unit.label for unit in disclosure.units}
    columns = [(labels[key], cell) for key, cell in row.units.items()]
    columns.append((others_label, row.others))
    out = []
    for label, cell in columns:
        if not cell.shown:
            continue
        among = [value for group, value in values.values() if group in cell.groups]
        if insight.differs_widely(among, k):
            out.append(str(label))
    return out


# --- norms -------------------------------------------------------------------------------


def _norm_participants(participant):
    """The latest released participation per person at the leader's level and edition, with
    the leader's own participation standing for them. One query."""
    rows = (
        Participant.objects.filter(_same_norm(participant, ""))
        .order_by("person_id", "-cycle__released_at", "-pk")
        .values_list("pk", "person_id", "cycle__anonymity_threshold")
    )
    chosen = {participant.person_id: (participant.pk, participant.cycle.anonymity_threshold)}
    for pk, person_id, k in rows:
        chosen.setdefault(person_id, (pk, k))
    return dict(chosen.values())  # participant id -> k


def _same_norm(participant, prefix):
    return Q(
        **{
            f"{prefix}cycle__state": Cycle.State.RELEASED,
            f"{prefix}cycle__kind": Cycle.Kind.FULL,  # a progress pulse is no 360
            f"{prefix}cycle__edition": participant.cycle.edition,
            f"{prefix}level_id": participant.level_id,
        }
    )


def _norms(report):
    """Per enabler and indicator, every norm leader's shown "all except self" value: each
    leader's rows built as their own report builds them (``anonymity.combine_rows`` over the
    items of the leader's level, which is this report's level)."""
    participant = report.participant
    leaders = _norm_participants(participant)
    if len(leaders) < insight.norm_min_leaders():
        return None
    submitted = defaultdict(dict)
    counts = (
        Rater.objects.filter(
            _same_norm(participant, "participant__"), status=Rater.Status.SUBMITTED
        )
        .exclude(approval=Rater.Approval.REJECTED)
        .values_list("participant_id", "group")
        .annotate(n=Count("pk"))
    )
    for participant_id, group, n in counts:
        submitted[participant_id][group] = n
    disclosures = {
        pk: anonymity.disclose_units(submitted.get(pk, {}), k) for pk, k in leaders.items()
    }
    answers = Answer.objects.filter(
        SUBMITTED,
        _same_norm(participant, "response__rater__participant__"),
        indicator__behaviour__level__position__lte=participant.level.position,
    )
    who = "response__rater__participant_id"
    item_rows = answers.values(who, GROUP, "indicator_id").annotate(**_TALLY_FIELDS)
    items = defaultdict(dict)
    for row in item_rows:
        if row[who] in disclosures:
            items[(row[who], row["indicator_id"])][row[GROUP]] = _tally(row)
    values = {"leaders": len(leaders), "enablers": defaultdict(list), "items": defaultdict(list)}
    for (pk, indicator_id), by_group in items.items():
        value = insight.shown(anonymity.build_row(by_group, disclosures[pk]).others)
        if value is not None:
            values["items"][indicator_id].append(value)
    for section in report.sections:
        own = [line.item.indicator_id for line in section.indicators]
        for pk, disclosure in disclosures.items():
            row = anonymity.combine_rows([items.get((pk, i), {}) for i in own], disclosure)
            value = insight.shown(row.others)
            if value is not None:
                values["enablers"][section.enabler.pk].append(value)
    return values


def _band(norms, kind, thing, others_cell):
    if norms is None:
        return None
    return insight.norm_band(insight.shown(others_cell), norms[kind].get(thing, []))
