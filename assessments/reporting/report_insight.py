"""Issue 18's insight for one individual report: the reads the rules need, the rules applied.

``insight`` holds the rules and never touches the database; this module reads what they need in
a fixed number of grouped queries whatever the size of the cohort, from the figures frozen at
release (``tallies``), as the reports do:

* disagreement: no query of its own — the report's own per-item tallies carry the sum of
  squares of the answers, so the spread is judged over exactly the answers behind each shown
  number (``anonymity.parts_behind``);
* norms: one query for the leaders of the same level in released cycles of the same edition,
  and — only when they are enough for a norm — one grouped query for their reports' rater
  counts and one for their item tallies (and one more, live, only where a cycle was released
  without its tallies). Each leader's number is the one their own report shows ("all except
  self", after the anonymity rule of their own cycle), so a hidden number never enters a norm.

  A norm is the same for every leader of the level (issue 20: at 1,000 participants it reads
  some hundred thousand tallies), so each process keeps the last few it worked out, keyed by
  everything they rest on: every norm leader's participation, threshold and the moment their
  cycle's figures were frozen, and the report's enablers and indicators. A released cycle's
  answers, raters and figures never change (a re-freeze stamps a new moment), and a new
  release, a removal or a change of level changes the leaders: a norm is never stale. Only
  norms resting on frozen figures are kept, in two layers under the same key: the process's
  last few, in front of Django's shared cache (the database cache in production), so one
  process's work serves every worker. A norm is kept there as numbers only: per enabler and
  indicator, the distinct values and how many leaders stand below each. Release enqueues
  ``warm_norms``, which works out and caches the norm of every level of the released cycle in
  the background, so the first report after a release finds it; a report with a norm read
  live, or one whose norm no layer holds, reads and works it out as described above.
"""

import hashlib
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.tasks import task

from assessments.answering.questionnaire import rater_questionnaire
from assessments.models import Cycle, Participant, Rater
from assessments.plans import action_plans
from assessments.reporting import anonymity, insight, tallies


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


@dataclass(frozen=True)
class Norms:
    """Every norm leader's shown "all except self" value per enabler and indicator, as
    (distinct values ascending, leaders below each value and then all of them): a few dozen
    numbers however many leaders, since a shown value has one decimal."""

    leaders: int
    enablers: dict  # enabler pk -> (values, below)
    items: dict  # indicator id -> (values, below)

    def band(self, kind, thing, others_cell):
        """Where ``others_cell`` stands among the leaders (``insight.norm_band``)."""
        values, below = getattr(self, kind).get(thing, ((), (0,)))
        value = insight.shown(others_cell)
        if value is None or below[-1] < insight.norm_min_leaders():
            return None
        return insight.band_from_counts(
            below[-1],
            above=below[-1] - below[bisect_right(values, value)],
            below=below[bisect_left(values, value)],
        )


def _counted(values):
    """``Norms``' (distinct values ascending, leaders below each and then all) of ``values``."""
    distinct, below = [], [0]
    for value in sorted(values):
        if distinct and distinct[-1] == value:
            below[-1] += 1
        else:
            distinct.append(value)
            below.append(below[-1] + 1)
    return tuple(distinct), tuple(below)


NORMS_KEPT = 32  # norms a process keeps: a few per level of the latest releases
NORMS_CACHED_SECONDS = 60 * 60 * 24 * 60  # in the shared cache: the weeks reports are read
_kept_norms = OrderedDict()


def build(report, *, others_label):
    """The insight of ``report`` (``reports.individual_report``). ``others_label`` names the
    "all except self" column in the flags."""
    participant = report.participant
    sections = tuple(
        (section.enabler.pk, tuple(line.item.indicator_id for line in section.indicators))
        for section in report.sections
    )
    norms = _norms(participant, sections)
    enablers, item_differ, item_bands = [], {}, {}
    for section in report.sections:
        ladder = []
        if section.next_level is not None:
            ladder.append(("general", section.general.others))
            if not participant.level.is_all_leaders:
                ladder.append(("own", section.own_level.others))
            ladder.append(("next", section.next_level.others))
        own = [report.tallies.get(line.item.key, {}) for line in section.indicators]
        enablers.append(
            EnablerInsight(
                section=section,
                ladder=ladder,
                placement=insight.placement([c for _key, c in ladder]) if ladder else None,
                agreement=insight.agreement(section.row.self_cell, section.row.others),
                band=_band(norms, "enablers", section.enabler.pk, section.row.others),
                differ=_differ(section.row, report.disclosure, own, others_label),
                advice=insight.whom_to_ask(section.evidence_gaps),
            )
        )
        for line in section.indicators:
            key = line.item.key
            item = [report.tallies.get(key, {})]
            item_differ[key] = _differ(line.row, report.disclosure, item, others_label)
            item_bands[key] = _band(norms, "items", line.item.indicator_id, line.row.others)
    return ReportInsight(
        enablers=enablers,
        item_bands=item_bands,
        item_differ=item_differ,
        norm_leaders=norms.leaders if norms else 0,
        suggestions=action_plans.suggest_focus(report),
    )


# --- disagreement ------------------------------------------------------------------------


def _differ(row, disclosure, item_tallies, others_label):
    """Labels of the shown anonymous units, and of "all except self", whose raters disagree,
    judged over the answers each shown number rests on (``item_tallies``: one {group: Tally}
    per indicator of the row)."""
    labels = {unit.key: unit.label for unit in disclosure.units}
    columns = [(labels[key], key, cell) for key, cell in row.units.items()]
    columns.append((others_label, None, row.others))
    out = []
    for label, unit_key, cell in columns:
        if not cell.shown:
            continue
        behind = anonymity.parts_behind(item_tallies, disclosure, unit_key)
        if insight.views_differ(behind, disclosure.k):
            out.append(str(label))
    return out


# --- norms -------------------------------------------------------------------------------


def _norm_participants(participant):
    """The latest released participation per person at the leader's level and edition, with
    the leader's own participation standing for them, as {participant id: (k, tallied_at)}
    (``tallied_at`` None: not frozen). One query."""
    rows = (
        Participant.objects.filter(_same_norm(participant, ""))
        .order_by("person_id", "-cycle__released_at", "-pk")
        .values_list("pk", "person_id", "cycle__anonymity_threshold", "cycle__tallied_at")
    )
    cycle = participant.cycle
    chosen = {
        participant.person_id: (
            participant.pk,
            (cycle.anonymity_threshold, cycle.tallied_at),
        )
    }
    for pk, person_id, k, tallied_at in rows:
        chosen.setdefault(person_id, (pk, (k, tallied_at)))
    return dict(chosen.values())


def _same_norm(participant, prefix):
    return Q(
        **{
            f"{prefix}cycle__state": Cycle.State.RELEASED,
            f"{prefix}cycle__kind": Cycle.Kind.FULL,  # a progress pulse is no 360
            f"{prefix}cycle__edition": participant.cycle.edition,
            f"{prefix}level_id": participant.level_id,
        }
    )


def _norms(participant, sections):
    """The ``Norms`` of ``participant``'s report, whose ``sections`` are (enabler pk, its
    indicator ids), or None when the leaders are too few for one; kept per process and in the
    shared cache when every leader's figures are frozen (the module's docstring says why it is
    never stale)."""
    leaders = _norm_participants(participant)
    if len(leaders) < insight.norm_min_leaders():
        return None
    if not all(tallied_at is not None for _k, tallied_at in leaders.values()):
        return _work_out_norms(participant, leaders, sections)
    key = _norms_key(sections, leaders)
    norms = _kept_norms.get(key)
    if norms is None:
        cached = cache.get(key)
        if cached is not None:
            norms = Norms(*cached)
        else:
            norms = _work_out_norms(participant, leaders, sections)
            cached = (norms.leaders, norms.enablers, norms.items)
            cache.set(key, cached, NORMS_CACHED_SECONDS)
        _kept_norms[key] = norms
        while len(_kept_norms) > NORMS_KEPT:
            _kept_norms.popitem(last=False)
    return norms


def forget_kept_norms():
    """This process forgets the norms it keeps (they stay in the shared cache)."""
    _kept_norms.clear()


def _norms_key(sections, leaders):
    """One key for everything a frozen norm rests on, the same in every process."""
    rest_on = repr((sections, [(pk, k, at.timestamp()) for pk, (k, at) in sorted(leaders.items())]))
    return "report-norm:" + hashlib.sha256(rest_on.encode()).hexdigest()


@task
def warm_norms(cycle_id):
    """Work out and cache the norm of every level of a released 360 (enqueued by release), so
    that no report after the release waits for it. Returns the levels warmed."""
    first_of_level = (
        Participant.objects.filter(
            cycle_id=cycle_id, cycle__state=Cycle.State.RELEASED, cycle__kind=Cycle.Kind.FULL
        )
        .values("level_id")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    participants = Participant.objects.filter(pk__in=list(first_of_level)).select_related("cycle")
    for participant in participants:
        _norms(participant, _sections(rater_questionnaire(participant)))
    return len(participants)


def _sections(questionnaire):
    """(enabler pk, indicator ids) of each section, as the individual report shows them."""
    return tuple(
        (
            section.enabler.pk,
            tuple(item.indicator_id for item in [*section.general_items, *section.level_items]),
        )
        for section in questionnaire.sections
    )


def _work_out_norms(participant, leaders, sections):
    """Per enabler and indicator, every norm leader's shown "all except self" value: each
    leader's rows built as their own report builds them (``anonymity.combine_rows`` over the
    items of the leader's level, which is this report's level), from their tallies."""
    submitted = {}
    counts = (
        Rater.objects.filter(
            _same_norm(participant, "participant__"), status=Rater.Status.SUBMITTED
        )
        .exclude(approval=Rater.Approval.REJECTED)
        .values_list("participant_id", "group")
        .annotate(n=Count("pk"))
    )
    for participant_id, group, n in counts:
        submitted.setdefault(participant_id, {})[group] = n
    disclosures = {
        pk: anonymity.disclose_units(submitted.get(pk, {}), k) for pk, (k, _f) in leaders.items()
    }
    same = Participant.objects.filter(_same_norm(participant, ""))
    rows = []
    for frozen in {tallied_at is not None for _k, tallied_at in leaders.values()}:
        # live: a cycle released without its tallies (a test, a path that skipped them)
        of_kind = same.filter(cycle__tallied_at__isnull=not frozen)
        rows += tallies.item_rows(None, of_kind, frozen=frozen)
    items = {}
    for pk, group, indicator_id, _pitfall, _enabler, _level, total, answered, not_observed in rows:
        if indicator_id is not None and pk in disclosures:
            tally = anonymity.Tally(total or 0, answered, answered, not_observed)
            items.setdefault((pk, indicator_id), {})[group] = tally
    values = {"enablers": {}, "items": {}}
    for (pk, indicator_id), by_group in items.items():
        value = insight.shown(anonymity.build_row(by_group, disclosures[pk]).others)
        if value is not None:
            values["items"].setdefault(indicator_id, []).append(value)
    for enabler_id, own in sections:
        for pk, disclosure in disclosures.items():
            row = anonymity.combine_rows([items.get((pk, i), {}) for i in own], disclosure)
            value = insight.shown(row.others)
            if value is not None:
                values["enablers"].setdefault(enabler_id, []).append(value)
    return Norms(
        leaders=len(leaders),
        enablers={k: _counted(vs) for k, vs in values["enablers"].items()},
        items={k: _counted(vs) for k, vs in values["items"].items()},
    )


def _band(norms, kind, thing, others_cell):
    if norms is None:
        return None
    return norms.band(kind, thing, others_cell)
