"""Reports: figures frozen at release, filtered through the anonymity rule, shaped for the pages.

Only submitted responses count: drafts are kept but never reported. The figures per item come
from ``tallies`` (summed once at release, or live before it); each report is a fixed number of
queries whatever the number of raters or participants; Python only combines the rows (a handful
per item) and applies ``anonymity``.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from assessments.answering.questionnaire import rater_questionnaire
from assessments.models import Comment, Rater, RaterGroup
from assessments.reporting import anonymity, tallies

BLIND_SPOT_GAP = 1.0
PITFALL_FLAG = 3.5
TOP_N = 5

GROUP = "response__rater__group"
SUBMITTED = Q(response__submitted_at__isnull=False)


@dataclass
class GroupSummary:
    group: str
    label: str
    invited: int = 0
    submitted: int = 0
    declined: int = 0


@dataclass
class IndicatorLine:
    item: object
    enabler: object
    row: anonymity.Row
    is_general: bool

    @property
    def gap(self):
        """Self minus others, where both are shown (``anonymity.gap``)."""
        return anonymity.gap(self.row.self_cell, self.row.others)


@dataclass
class EnablerSection:
    enabler: object
    row: anonymity.Row  # all behaviour indicators of the enabler
    general: anonymity.Row  # All leaders indicators
    own_level: anonymity.Row  # the participant's level indicators
    next_level: anonymity.Row | None = None  # the level above, in a cycle with a next-level part
    indicators: list = field(default_factory=list)
    next_indicators: list = field(default_factory=list)  # not in the enabler score
    pitfalls: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    evidence_gaps: list = field(default_factory=list)  # (label, share of not observed)
    is_grl: bool = False  # a skill of the gender-responsive leadership section, on its own row

    @property
    def gap(self):
        return anonymity.gap(self.row.self_cell, self.row.others)


@dataclass
class IndividualReport:
    participant: object
    disclosure: anonymity.Disclosure
    groups: list
    sections: list
    highest: list
    lowest: list
    pitfalls: list
    blind_spots: list
    hidden_strengths: list
    next_level: object = None  # the level above, in a cycle with a next-level part
    tallies: dict = field(default_factory=dict)  # item key -> {group: Tally}, as read
    questionnaire: object = None  # the structure it was built on (the process's shared one)

    @property
    def units(self):
        return self.disclosure.units


def _group_summaries(participant):
    counts = (
        Rater.objects.filter(participant=participant)
        .exclude(approval=Rater.Approval.REJECTED)
        .values("group", "status")
        .annotate(n=Count("pk"))
    )
    summaries = {g: GroupSummary(group=g, label=label) for g, label in RaterGroup.choices}
    for row in counts:
        summary = summaries[row["group"]]
        if row["status"] != Rater.Status.NOMINATED:
            summary.invited += row["n"]
        if row["status"] == Rater.Status.SUBMITTED:
            summary.submitted += row["n"]
        if row["status"] == Rater.Status.DECLINED:
            summary.declined += row["n"]
    return list(summaries.values())


def _grouped(rows, key):
    """{key(row): {group: Tally}} from grouped rows."""
    out = {}
    for row in rows:
        out.setdefault(key(row), {})[row[GROUP]] = row["tally"]
    return out


def individual_report(participant):
    """Everything of PRODUCT §5's individual report, in a fixed number of queries."""
    cycle = participant.cycle
    groups = _group_summaries(participant)
    disclosure = anonymity.disclose_units(
        {g.group: g.submitted for g in groups}, cycle.anonymity_threshold
    )
    # the compass's structure as the process keeps it for the rater pages (read, never changed)
    questionnaire = rater_questionnaire(participant)
    per_item = tallies.participant_tallies(participant).items

    comments_by_enabler = {}
    comment_rows = Comment.objects.filter(SUBMITTED, response__rater__participant=participant)
    for row in comment_rows.values("enabler_id", "kind", "text", GROUP):
        label = anonymity.comment_label(row[GROUP], disclosure)
        if label is None:
            continue
        comments_by_enabler.setdefault(row["enabler_id"], []).append(
            {"label": label, "kind": row["kind"], "text": row["text"]}
        )

    sections, indicator_lines, pitfall_lines = [], [], []
    for section in questionnaire.sections:
        enabler = section.enabler
        report_section = EnablerSection(
            enabler=enabler,
            is_grl=section.is_grl,
            row=anonymity.combine_rows(
                [per_item.get(i.key, {}) for i in [*section.general_items, *section.level_items]],
                disclosure,
            ),
            general=anonymity.combine_rows(
                [per_item.get(i.key, {}) for i in section.general_items], disclosure
            ),
            own_level=anonymity.combine_rows(
                [per_item.get(i.key, {}) for i in section.level_items], disclosure
            ),
            next_level=anonymity.combine_rows(
                [per_item.get(i.key, {}) for i in section.next_items], disclosure
            )
            if section.next_items
            else None,
        )
        for item in [*section.general_items, *section.level_items]:
            line = IndicatorLine(
                item=item,
                enabler=enabler,
                row=anonymity.build_row(per_item.get(item.key, {}), disclosure),
                is_general=item in section.general_items,
            )
            report_section.indicators.append(line)
            if not section.is_grl:  # the compass's rankings and gaps are the compass's own
                indicator_lines.append(line)
        for item in section.next_items:
            report_section.next_indicators.append(
                IndicatorLine(
                    item=item,
                    enabler=enabler,
                    row=anonymity.build_row(per_item.get(item.key, {}), disclosure),
                    is_general=False,
                )
            )
        for item in section.pitfall_items:
            line = IndicatorLine(
                item=item,
                enabler=enabler,
                row=anonymity.build_row(per_item.get(item.key, {}), disclosure),
                is_general=False,
            )
            report_section.pitfalls.append(line)
            pitfall_lines.append(line)
        report_section.comments = anonymity.shuffled_comments(
            comments_by_enabler.get(enabler.pk, []), seed=participant.pk
        )
        report_section.evidence_gaps = _evidence_gaps(section, per_item, disclosure)
        sections.append(report_section)

    compass_sections = [section for section in sections if not section.is_grl]
    shown_others = [line for line in indicator_lines if line.row.others.shown]
    by_others = sorted(shown_others, key=lambda line: (-line.row.others.mean, line.item.key))
    return IndividualReport(
        participant=participant,
        disclosure=disclosure,
        groups=groups,
        sections=sections,
        highest=by_others[:TOP_N],
        # the lowest never repeat the highest when fewer than ten indicators can be shown
        lowest=list(reversed(by_others[max(TOP_N, len(by_others) - TOP_N) :])),
        pitfalls=sorted(
            (line for line in pitfall_lines if line.row.others.shown),
            key=lambda line: (-line.row.others.mean, line.item.key),
        ),
        blind_spots=[
            x
            for x in [*compass_sections, *indicator_lines]
            if x.gap is not None and x.gap >= BLIND_SPOT_GAP
        ],
        hidden_strengths=[
            x
            for x in [*compass_sections, *indicator_lines]
            if x.gap is not None and -x.gap >= BLIND_SPOT_GAP
        ],
        next_level=questionnaire.next_level,
        tallies=per_item,
        questionnaire=questionnaire,
    )


def _evidence_gaps(section, per_item, disclosure):
    """Per unit (and the supervisor): the share of "not observed" among its answers here,
    counted by ``anonymity.evidence_share`` (shown atoms only; "too few answers" otherwise)."""
    columns = [(str(RaterGroup.SUPERVISOR.label), None)]
    columns += [(unit.label, unit.key) for unit in disclosure.units]
    groups_of = {unit.key: unit.groups for unit in disclosure.units}
    # the leader's own items: a next-level part's indicators are apart
    item_tallies = [
        per_item.get(item.key, {}) for item in section.items if item not in section.next_items
    ]
    gaps = []
    for label, unit_key in columns:
        share = anonymity.evidence_share(item_tallies, disclosure, unit_key)
        if share is None:
            continue
        too_few = share == "too_few"
        gaps.append(
            {
                "label": label,
                "share": None if too_few else share[0],
                "too_few": too_few,
                "answers": None if too_few else share[1],
                "groups": frozenset({RaterGroup.SUPERVISOR})
                if unit_key is None
                else groups_of[unit_key],
            }
        )
    return gaps
