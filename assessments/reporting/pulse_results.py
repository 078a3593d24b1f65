"""What a progress pulse (issue 19, ``running/pulses.py``) shows on the action plan it follows up.

Per focus area of the pulse: the change since the 360 — the pulse's "all except self" on the
focus area's indicators minus the 360's on the same indicators, each built as its own report
builds it — and the mean answer to "Over the past months, has this leader become more or less
effective at this?" (−3 … +3). Every number goes through the anonymity rule
(``anonymity``, rules 13–15): units disclosed from each round's own submitted responses with the
360's threshold, rows from shown atoms, pooled so that no number rests on the supervisor alone,
"too few answers" otherwise; one decimal. Nothing shows before the pulse is released.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum

from assessments.answering.questionnaire import indicator_key
from assessments.models import ANONYMOUS_GROUPS, ChangeAnswer, PulseFocus, Rater
from assessments.reporting import anonymity, tallies
from assessments.reporting.anonymity import Tally
from compass.models import Indicator


@dataclass
class FocusResult:
    enabler: object
    indicators: int  # how many indicators the pulse asked about
    before: anonymity.Cell  # the 360's all except self on them
    after: anonymity.Cell  # the pulse's
    effect: anonymity.Cell  # the mean of −3 … +3

    @property
    def change(self):
        """After minus before as both are printed, where both are shown."""
        return anonymity.gap(self.after, self.before)


@dataclass
class PulseResults:
    pulse: object  # the pulse participation
    focuses: list = field(default_factory=list)
    withheld_reason: str = ""  # why no anonymous answer of the pulse can be shown, if so


def _submitted_by_group(participants):
    """{participant id: {group: submitted responses}} in one query."""
    rows = (
        Rater.objects.filter(participant__in=participants, status=Rater.Status.SUBMITTED)
        .exclude(approval=Rater.Approval.REJECTED)
        .values_list("participant_id", "group")
        .annotate(n=Count("pk"))
    )
    out = {participant.pk: {} for participant in participants}
    for participant_id, group, n in rows:
        out[participant_id][group] = n
    return out


def _change_tallies(pulse):
    """{enabler id: {group: Tally}} of the submitted change answers (one query). Each rater
    answers the question once per enabler, so raters with a real answer are the answers."""
    rows = (
        ChangeAnswer.objects.filter(
            response__rater__participant=pulse, response__submitted_at__isnull=False
        )
        .values_list("enabler_id", "response__rater__group")
        .annotate(
            total=Sum("score"),
            answered=Count("score"),
            not_observed=Count("pk", filter=Q(score__isnull=True)),
        )
    )
    out = {}
    for enabler_id, group, total, answered, not_observed in rows:
        out.setdefault(enabler_id, {})[group] = Tally(
            total=total or 0, answered=answered, raters=answered, not_observed=not_observed
        )
    return out


def pulse_results(participant, pulse):
    """The released ``pulse`` (a pulse participation following ``participant``) as the action
    plan shows it; None before the pulse is released. Seven queries."""
    if not anonymity.pulse_results_visible(pulse.cycle):
        return None
    k = participant.cycle.anonymity_threshold
    submitted = _submitted_by_group([participant, pulse])
    before_units = anonymity.disclose_units(submitted[participant.pk], k)
    after_units = anonymity.disclose_units(submitted[pulse.pk], k)

    def anonymous(counts):
        return any(counts.get(group) for group in ANONYMOUS_GROUPS)

    before_items = tallies.participant_tallies(participant).items
    after_items = tallies.participant_tallies(pulse).items
    changes = _change_tallies(pulse)
    focuses = (
        PulseFocus.objects.filter(participant=pulse)
        .select_related("enabler")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.only("pk")))
        .order_by("position")
    )
    results = PulseResults(pulse=pulse, withheld_reason=after_units.withheld_reason)
    for focus in focuses:
        keys = [indicator_key(indicator.pk) for indicator in focus.indicators.all()]
        before = anonymity.combine_rows([before_items.get(key, {}) for key in keys], before_units)
        after = anonymity.combine_rows([after_items.get(key, {}) for key in keys], after_units)
        effect = anonymity.build_row(changes.get(focus.enabler_id, {}), after_units)
        results.focuses.append(
            FocusResult(
                enabler=focus.enabler,
                indicators=len(keys),
                before=anonymity.pooled_others(
                    before, before_units, anonymous(submitted[participant.pk])
                ),
                after=anonymity.pooled_others(after, after_units, anonymous(submitted[pulse.pk])),
                effect=anonymity.pooled_others(effect, after_units, anonymous(submitted[pulse.pk])),
            )
        )
    return results


def progress(pulse):
    """(raters asked, raters who submitted) of a pulse participation, in one query: the count
    a leader sees while the pulse runs (as My 360 shows how many of a group answered)."""
    counts = Rater.objects.filter(participant=pulse).aggregate(
        asked=Count("pk", filter=~Q(status=Rater.Status.NOMINATED)),
        answered=Count("pk", filter=Q(status=Rater.Status.SUBMITTED)),
    )
    return counts["asked"], counts["answered"]
