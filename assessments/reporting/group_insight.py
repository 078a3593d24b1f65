"""Issue 18 in the team and cohort reports: next-level behaviours and self–other agreement,
counted over participants, each through what their own released report shows.

Per participant and enabler, the cells of their own report (``anonymity.disclose_units`` and
``anonymity.build_row`` with their cycle's k) give the agreement category and the placement on
the ladder (``insight``). Those are then counted per team, per level or per gender, and the
counts go through the participant rule (``anonymity.suppress_breakdown``): a count of 1..k−1
participants is not shown, nor the count that would let a reader recover it.

Three queries whatever the number of participants: the participants, submitted raters per
participant and group, and tallies per participant, indicator and group — from which each
participant's enabler and ladder rows are built as their own report builds them
(``anonymity.combine_rows`` over the indicators of their own levels, or of one level).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from assessments.models import Answer, Rater
from assessments.reporting import anonymity, insight
from assessments.reporting.reports import _TALLY_FIELDS, GROUP, SUBMITTED, _tally

CATEGORIES = (insight.OVER, insight.UNDER, insight.AGREE_HIGH, insight.AGREE_LOW)
REACHED, NOT_REACHED = "reached", "not_reached"


@dataclass
class Judgement:
    """One participant's insight per enabler, as their own report shows it."""

    participant_id: int
    level_id: int
    gender: str
    agreement: dict  # enabler id -> category or None
    next_level: dict  # enabler id -> True (reached) / False (not) / None (not judged or no part)


def judgements(participants):
    """``participants`` (a queryset of one cycle) judged per enabler, in three queries."""
    people = list(
        participants.order_by().values_list(
            "pk",
            "level_id",
            "level__position",
            "gender",
            "cycle__anonymity_threshold",
            "cycle__next_level_part",
        )
    )
    submitted = defaultdict(dict)
    counts = (
        Rater.objects.filter(participant__in=participants, status=Rater.Status.SUBMITTED)
        .exclude(approval=Rater.Approval.REJECTED)
        .values_list("participant_id", "group")
        .annotate(n=Count("pk"))
    )
    for participant_id, group, n in counts:
        submitted[participant_id][group] = n
    rows = (
        Answer.objects.filter(
            SUBMITTED, response__rater__participant__in=participants, indicator__isnull=False
        )
        .values(
            "response__rater__participant_id",
            GROUP,
            "indicator_id",
            "indicator__behaviour__enabler_id",
            "indicator__behaviour__level__position",
        )
        .annotate(**_TALLY_FIELDS)
    )
    # {(participant, enabler, level position): {indicator: {group: Tally}}}
    items = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        key = (
            row["response__rater__participant_id"],
            row["indicator__behaviour__enabler_id"],
            row["indicator__behaviour__level__position"],
        )
        items[key][row["indicator_id"]][row[GROUP]] = _tally(row)
    enabler_ids = {enabler_id for (_pk, enabler_id, _position) in items}

    def rung(pk, enabler_id, *positions):
        """A row over the participant's items of those levels, as their report builds it."""
        tallies = [t for p in positions for t in items.get((pk, enabler_id, p), {}).values()]
        return anonymity.combine_rows(tallies, disclosure)

    out = []
    for pk, level_id, position, gender, k, next_part in people:
        disclosure = anonymity.disclose_units(submitted.get(pk, {}), k)
        own = (0,) if position == 0 else (0, position)
        agreement, next_level = {}, {}
        for enabler_id in enabler_ids:
            row = rung(pk, enabler_id, *own)
            agreement[enabler_id] = insight.agreement(row.self_cell, row.others)
            next_level[enabler_id] = None
            if next_part and (pk, enabler_id, position + 1) in items:
                ladder = [rung(pk, enabler_id, p).others for p in (*own, position + 1)]
                placed = insight.placement(ladder)
                if placed.stopped_at_hidden is None:
                    next_level[enabler_id] = placed.rung == len(ladder) - 1
        out.append(Judgement(pk, level_id, gender, agreement, next_level))
    return out


def _counted(members, k, may_open):
    """{key: the count of ``members[key]``, or None where the participant rule hides it}, and
    whether the total may be shown. Participants whose reports the viewer may open do not
    count toward k (PRODUCT §5.5): what they add, the viewer can read anyway."""
    rule = anonymity.suppress_breakdown(
        {key: len(ids - may_open) for key, ids in members.items()}, k
    )
    counts = {key: None if key in rule.suppressed else len(ids) for key, ids in members.items()}
    return counts, rule.total_shown


def next_level_counts(judged, enabler_ids, k, may_open=frozenset()):
    """Per enabler: how many participants show next-level behaviours, and how many do not,
    among those whose reports judge it; each count under the participant rule."""

    def verdict(judgement, enabler_id):
        reached = judgement.next_level.get(enabler_id)
        return None if reached is None else REACHED if reached else NOT_REACHED

    return _distribution(judged, enabler_ids, k, may_open, (REACHED, NOT_REACHED), verdict)


def agreement_distribution(judged, enabler_ids, k, may_open=frozenset()):
    """Per enabler: how many participants fall in each agreement category; each count under
    the participant rule."""

    def category(judgement, enabler_id):
        return judgement.agreement.get(enabler_id)

    return _distribution(judged, enabler_ids, k, may_open, CATEGORIES, category)


def _distribution(judged, enabler_ids, k, may_open, keys, key_of):
    """Per enabler: the participants under each of ``keys`` (``key_of(judgement, enabler_id)``,
    None when their report does not judge it), counted under the participant rule."""
    out = {}
    for enabler_id in enabler_ids:
        members = {key: set() for key in keys}
        for judgement in judged:
            key = key_of(judgement, enabler_id)
            if key is not None:
                members[key].add(judgement.participant_id)
        counts, total_shown = _counted(members, k, may_open)
        judged_count = sum(len(ids) for ids in members.values())
        out[enabler_id] = {
            "counts": counts,
            "judged": judged_count if total_shown else None,
            "any": bool(judged_count),
        }
    return out


def by_cell(judged, key, cells, k):
    """``judged`` split by ``key`` (a level id or a gender) into ``cells`` [(key, label)];
    a cell with fewer than k participants is left out whole (with its complement, as in the
    heatmaps)."""
    sizes = dict.fromkeys((cell for cell, _label in cells), 0)
    groups = defaultdict(list)
    for judgement in judged:
        value = key(judgement)
        if value in sizes:
            sizes[value] += 1
            groups[value].append(judgement)
    rule = anonymity.suppress_breakdown(sizes, k)
    return [
        (cell, label, None if cell in rule.suppressed else groups[cell])
        for cell, label in cells
        if sizes[cell]
    ]
