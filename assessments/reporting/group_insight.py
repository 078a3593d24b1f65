"""Issue 18 in the team and cohort reports: next-level behaviours and self–other agreement,
counted over participants, each through what their own released report shows.

Per participant and enabler, the rows of their own report — self and "all except self" over
the All leaders indicators and their own level (the enabler's row), or over one level (a rung
of the ladder), with their own units, as ``anonymity.combine_rows`` builds them
(``anonymity.released``: summed in the database) — give the agreement category and the
placement on the ladder (``insight``). ``judge`` works them out from what
``group_reports.released_parts`` read for the team or cohort report itself: no query of its own.

The counts go through the participant rule for counts (``anonymity.protect_counts``): every
table of counts a viewer reaches for one kind and enabler is decided together (the cohort's
levels and genders, on the page and in its exports; the team), so that no count, and no sum or
difference of up to three of them, counts or turns on 1..k−1 participants the viewer cannot open.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from assessments.models import Participant, RaterGroup
from assessments.reporting import anonymity, insight
from assessments.reporting.anonymity import released

AGREEMENT, NEXT_LEVEL = "agreement", "next_level"
CATEGORIES = (insight.OVER, insight.UNDER, insight.AGREE_HIGH, insight.AGREE_LOW)
REACHED, NOT_REACHED = "reached", "not_reached"
NO_FIGURES = (0,) * 9
NEXT_CATEGORIES = (REACHED, NOT_REACHED)
LEVEL, GENDER, TEAM = "level", "gender", "team"


@dataclass
class Judgement:
    """One participant's insight per enabler, as their own report shows it."""

    participant_id: int
    level_id: int
    gender: str
    agreement: dict  # enabler id -> category, or None (a number not shown)
    next_level: dict  # enabler id -> True (reached) / False (not) / None (not judged)
    # enabler ids whose next-level verdict rests on the supervisor's answers alone
    supervisor_only: set = field(default_factory=set)


def judge(parts):
    """Each participant of ``parts`` (``group_reports.released_parts``) judged per enabler."""
    enablers_of = {}
    for pid, enabler_id, _position in parts.rungs:
        enablers_of.setdefault(pid, set()).add(enabler_id)
    out = []
    for pid, (level_id, position, gender, next_part) in parts.people.items():
        disclosure = parts.disclosures[pid]
        own = (0,) if position == 0 else (0, position)

        def rung(enabler_id, *positions, pid=pid, disclosure=disclosure):
            """(self, others) over the participant's items of those levels, as their report
            builds the row (``anonymity.combine_rows``)."""
            rows = [parts.rungs.get((pid, enabler_id, p), NO_FIGURES) for p in positions]
            return released.released_cells(
                [sum(column) for column in zip(*rows, strict=True)], disclosure
            )

        judgement = Judgement(pid, level_id, gender, {}, {})
        for enabler_id in enablers_of.get(pid, ()):
            self_cell, others = rung(enabler_id, *own)
            judgement.agreement[enabler_id] = insight.agreement(self_cell, others)
            judgement.next_level[enabler_id] = None
            if next_part and (pid, enabler_id, position + 1) in parts.rungs:
                ladder = [rung(enabler_id, p)[1] for p in (*own, position + 1)]
                placed = insight.placement(ladder)
                if placed.stopped_at_hidden is None:
                    judgement.next_level[enabler_id] = placed.rung == len(ladder) - 1
                    # the rungs the verdict was read from (a rung below 3.0 ends the reading)
                    read = ladder[: placed.read]
                    if all(cell.groups <= {RaterGroup.SUPERVISOR} for cell in read):
                        judgement.supervisor_only.add(enabler_id)
        out.append(judgement)
    return out


def _verdicts(judged, kind, enabler_ids, *, known_supervisor):
    """{(kind, enabler id): {participant id: anonymity.Verdict}} of the participants judged."""
    out = {}
    for enabler_id in enabler_ids:
        verdicts = {}
        for judgement in judged:
            if kind == AGREEMENT:
                category = judgement.agreement.get(enabler_id)
                known = False
            else:
                reached = judgement.next_level.get(enabler_id)
                category = None if reached is None else REACHED if reached else NOT_REACHED
                known = known_supervisor and enabler_id in judgement.supervisor_only
            if category is not None:
                verdicts[judgement.participant_id] = anonymity.Verdict(category, counts=not known)
        out[(kind, enabler_id)] = verdicts
    return out


def team_counts(judged, enabler_ids, k, *, may_open=frozenset()):
    """Per enabler, how many team members show next-level behaviours, as the supervisor may
    read it: members who shared their report (``may_open``) do not count toward k, nor do
    verdicts that rest on the supervisor's own answers. {enabler id: anonymity.Counts}."""
    members = frozenset(j.participant_id for j in judged)
    verdicts = _verdicts(judged, NEXT_LEVEL, enabler_ids, known_supervisor=True)
    rule = anonymity.protect_counts(
        [(TEAM, {TEAM: members})], verdicts, NEXT_CATEGORIES, k, frozenset(may_open)
    )
    return {e: rule[((NEXT_LEVEL, e), TEAM, TEAM)] for e in enabler_ids}


@dataclass
class CohortCounts:
    """The cohort's counts: {(enabler id, dimension, cell key): anonymity.Counts} of agreement
    (levels and genders) and of next-level behaviours (levels; None without a next-level
    part), with the cells [(key, label)] that have leaders."""

    levels: list
    genders: list
    agreement: dict
    next_level: dict | None


def cohort_counts(judged, enabler_ids, levels, k, *, next_level_part):
    """Agreement per level and by gender, next-level behaviours per level: the reader is
    anyone the export may be passed to, who opens no report."""
    genders = [(g, str(label)) for g, label in Participant.Gender.choices]
    genders.append(("", _("Not recorded")))
    by_level = {key: set() for key, _label in levels}
    by_gender = {key: set() for key, _label in genders}
    for judgement in judged:
        by_level.setdefault(judgement.level_id, set()).add(judgement.participant_id)
        by_gender.setdefault(judgement.gender, set()).add(judgement.participant_id)
    dimensions = [(LEVEL, by_level), (GENDER, by_gender)]
    verdicts = _verdicts(judged, AGREEMENT, enabler_ids, known_supervisor=False)
    agreement = anonymity.protect_counts(dimensions, verdicts, CATEGORIES, k)
    next_counts = None
    if next_level_part:
        verdicts = _verdicts(judged, NEXT_LEVEL, enabler_ids, known_supervisor=False)
        next_counts = anonymity.protect_counts(dimensions[:1], verdicts, NEXT_CATEGORIES, k)
    return CohortCounts(
        levels=[(key, label) for key, label in levels if by_level[key]],
        genders=[(key, label) for key, label in genders if by_gender[key]],
        agreement={(e, d, key): c for ((_kind, e), d, key), c in agreement.items()},
        next_level=None
        if next_counts is None
        else {(e, d, key): c for ((_kind, e), d, key), c in next_counts.items()},
    )


def cohort_blocks(counts, table, dimension, enablers):
    """The cells of one dimension of ``counts`` (``CohortCounts``) as the page and the exports
    show them: [(label, rows)], where ``rows`` is None for a cell of fewer than k leaders, else
    [(enabler, anonymity.Counts)] for the enablers on which someone there is judged."""
    table = counts.agreement if table == AGREEMENT else counts.next_level
    cells = counts.levels if dimension == LEVEL else counts.genders
    out = []
    for key, label in cells:
        entries = [(enabler, table[(enabler.pk, dimension, key)]) for enabler in enablers]
        if all(c.reason == "suppressed" for _enabler, c in entries):
            out.append((label, None))
        else:
            out.append((label, [(e, c) for e, c in entries if c.reason != "none"]))
    return out
