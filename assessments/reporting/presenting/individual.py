"""The individual report as display values (``present``), and its comparison with the
previous cycle (``since_previous``), for the page, the print view, the PDF and the archive."""

from django.utils.translation import gettext as _

from assessments import access
from assessments.answering.questionnaire import BEHAVIOUR_SCALE, PITFALL_SCALE
from assessments.models import ANONYMOUS_GROUPS, Comment, FocusArea, RaterGroup
from assessments.plans import action_plans
from assessments.reporting import charts, reports
from assessments.reporting.anonymity import others_withheld
from assessments.reporting.presenting import numbers

# Column keys of the named columns; unit keys ("peer", …, and the pooled "others") never start
# with an underscore, so the two cannot collide.
SELF_COLUMN, SUPERVISOR_COLUMN, OTHERS_COLUMN = "_self", "_supervisor", "_all_except_self"

# From this share of "not observed" answers on, the report suggests whom to ask next time.
EVIDENCE_HINT_SHARE = 0.30


def present(report, *, viewer):
    """The template context for one individual report: display strings, no model logic."""
    participant = report.participant
    columns = _columns(report)
    sections = [_section(report, section, columns) for section in report.sections]
    # The gender-responsive leadership skills follow the enablers under a heading of their own.
    grl = [section for section in sections if section["is_grl"]]
    if grl:
        grl[0]["first_grl"] = True
    all_pitfalls = sum(len(section.pitfalls) for section in report.sections)
    self_answered = any(g.group == RaterGroup.SELF and g.submitted for g in report.groups)
    if self_answered:
        no_blind_spots = _("No blind spots: nowhere do you rate yourself 1.0 or more above others.")
        no_hidden_strengths = _(
            "No hidden strengths: nowhere do others rate you 1.0 or more above yourself."
        )
    else:
        no_blind_spots = no_hidden_strengths = _(
            "There is no self-assessment to compare with: it was not submitted."
        )
    return {
        "participant": participant,
        "cycle": participant.cycle,
        "level": participant.level,
        "viewer_role": access.report_role(viewer, participant),
        "k": report.disclosure.k,
        "withheld_reason": report.disclosure.withheld_reason,
        "groups": report.groups,
        "columns": columns,
        "span": len(columns) + 1,
        "behaviour_scale": BEHAVIOUR_SCALE,
        "pitfall_scale": PITFALL_SCALE,
        "sections": sections,
        "levels": _levels(report),
        "gap_tables": [
            (
                _("Blind spots"),
                [_gap_line(x) for x in report.blind_spots],
                no_blind_spots,
            ),
            (
                _("Hidden strengths"),
                [_gap_line(x) for x in report.hidden_strengths],
                no_hidden_strengths,
            ),
        ],
        "ranked_tables": [
            (_("Five highest"), [_ranked(line) for line in report.highest]),
            (_("Five lowest"), [_ranked(line) for line in report.lowest]),
        ],
        "pitfalls": [_pitfall(line) for line in report.pitfalls],
        "pitfalls_not_shown": all_pitfalls - len(report.pitfalls),
        "has_pitfalls": bool(all_pitfalls),
        "pitfall_chart": _pitfall_chart(report.pitfalls) if report.pitfalls else "",
        "pitfall_flag": numbers.flag_text(),
        "comment_sections": [s for s in sections if s["has_comments"]],
        "evidence": _evidence(report),
        "share": _share(participant),
    }


def cell(value):
    """One number for a template: its text and answer count, or why it is not shown."""
    if value.shown:
        return {"state": "shown", "text": numbers.score(value.mean), "n": value.n}
    if value.too_few:
        return {"state": "too_few"}
    return {"state": "none"}


def _columns(report):
    columns = [
        {"key": SELF_COLUMN, "label": str(RaterGroup.SELF.label), "kind": charts.SELF},
        {
            "key": SUPERVISOR_COLUMN,
            "label": str(RaterGroup.SUPERVISOR.label),
            "kind": charts.SUPERVISOR,
        },
    ]
    columns += [
        {"key": u.key, "label": u.label, "kind": charts.UNIT} for u in report.disclosure.units
    ]
    columns.append({"key": OTHERS_COLUMN, "label": _("All except self"), "kind": charts.OTHERS})
    return columns


def _row_values(row, columns):
    named = {
        SELF_COLUMN: row.self_cell,
        SUPERVISOR_COLUMN: row.supervisor,
        OTHERS_COLUMN: row.others,
    }
    return [
        named[column["key"]] if column["key"] in named else row.units[column["key"]]
        for column in columns
    ]


def _row_cells(row, columns):
    return [cell(value) for value in _row_values(row, columns)]


def _bar(column, value):
    if value.shown:
        return charts.Bar(label=column["label"], value=value.mean, kind=column["kind"])
    return charts.Bar(label=column["label"], note=_("too few answers") if value.too_few else "")


def _section(report, section, columns):
    enabler = section.enabler
    lines = {True: [], False: []}
    for line in section.indicators:
        lines[line.is_general].append(
            {"key": line.item.key, "text": line.item.text, "cells": _row_cells(line.row, columns)}
        )
    groups = [
        {
            "title": _("Gender-responsive leadership") if section.is_grl else _("All leaders"),
            "lines": lines[True],
        }
    ]
    if lines[False]:
        groups.append({"title": report.participant.level.name, "lines": lines[False]})
    if section.next_indicators:
        groups.append(
            {
                "title": _("Next level: %(level)s") % {"level": report.next_level.name},
                "lines": [
                    {
                        "key": line.item.key,
                        "text": line.item.text,
                        "cells": _row_cells(line.row, columns),
                    }
                    for line in section.next_indicators
                ],
            }
        )
    strengths = [c for c in section.comments if c["kind"] == Comment.Kind.STRENGTH]
    improvements = [c for c in section.comments if c["kind"] == Comment.Kind.IMPROVEMENT]
    return {
        "enabler": enabler,
        "is_grl": section.is_grl,
        "anchor": f"{'grl' if section.is_grl else 'enabler'}-{enabler.slug}",
        "score": _row_cells(section.row, columns),
        "indicator_groups": groups,
        "chart": charts.score_chart(
            chart_id=f"chart-{enabler.slug}",
            title=_("%(enabler)s: mean score per rater group, 1 to 5") % {"enabler": enabler.name},
            bars=[
                _bar(column, value)
                for column, value in zip(columns, _row_values(section.row, columns), strict=True)
            ],
        ),
        "has_comments": bool(section.comments),
        "comment_kinds": [
            (_("Strengths"), strengths),
            (_("Could do differently"), improvements),
        ],
    }


def _levels(report):
    """Per enabler, the All-leaders indicators against the participant's own level's."""
    own_level = not report.participant.level.is_all_leaders
    return {
        "own_level": own_level,
        "rows": [
            {
                "enabler": section.enabler.name,
                "general": [cell(section.general.self_cell), cell(section.general.others)],
                "own": [cell(section.own_level.self_cell), cell(section.own_level.others)]
                if own_level
                else [],
            }
            for section in report.sections
        ],
    }


def _gap_line(entry):
    if isinstance(entry, reports.EnablerSection):
        what, context = entry.enabler.name, _("Enabler score")
    else:
        what, context = entry.item.text, entry.enabler.name
    return {
        "what": what,
        "context": context,
        "is_enabler": isinstance(entry, reports.EnablerSection),
        "self": cell(entry.row.self_cell),
        "others": cell(entry.row.others),
        "gap": numbers.signed(entry.gap),
    }


def _ranked(line):
    return {"text": line.item.text, "enabler": line.enabler.name, "others": cell(line.row.others)}


def _pitfall(line):
    return {
        "title": line.item.title,
        "text": line.item.text,
        "enabler": line.enabler.name,
        "self": cell(line.row.self_cell),
        "others": cell(line.row.others),
        "flagged": numbers.flagged(line.row.others.mean),
    }


def _pitfall_chart(lines):
    flag = _("often or more")
    return charts.pitfall_chart(
        chart_id="chart-pitfalls",
        title=_("Pitfalls: how often others see them, 1 never to 5 almost always"),
        bars=[
            charts.Bar(
                label=line.item.title,
                value=line.row.others.mean,
                kind=charts.FLAGGED if numbers.flagged(line.row.others.mean) else charts.PITFALL,
                flag=flag if numbers.flagged(line.row.others.mean) else "",
            )
            for line in lines
        ],
        flag_at=reports.PITFALL_FLAG,
    )


def _evidence(report):
    """Shares of "not observed" per enabler and column, and a hint where a share is high."""
    # The same labels as ``reports._evidence_gaps`` gives its entries.
    labels = [str(RaterGroup.SUPERVISOR.label), *[unit.label for unit in report.disclosure.units]]
    rows, hints = [], []
    for section in report.sections:
        by_label = {gap["label"]: gap for gap in section.evidence_gaps}
        cells = []
        for label in labels:
            gap = by_label.get(label)
            if gap is None:
                cells.append(None)
                continue
            if gap["too_few"]:
                cells.append({"text": _("too few answers"), "high": False})
                continue
            high = gap["share"] >= EVIDENCE_HINT_SHARE
            cells.append({"text": numbers.percent(gap["share"]), "high": high})
            if high:
                hints.append(
                    {
                        "enabler": section.enabler.name,
                        "group": label,
                        "share": numbers.percent(gap["share"]),
                    }
                )
        rows.append({"enabler": section.enabler.name, "cells": cells})
    return {
        "labels": labels,
        "rows": rows,
        "hints": hints,
        "threshold": numbers.percent(EVIDENCE_HINT_SHARE),
    }


def _share(participant):
    supervisor = participant.supervisor
    return {
        "shared": participant.shared_with_supervisor,
        "supervisor_name": supervisor.get_full_name() if supervisor else "",
        "has_supervisor": supervisor is not None,
    }


# --- the action plan and the previous cycle -----------------------------------------------


def plan_link(participant, viewer):
    """Item 9's link to the action plan: for the leader always ("build" while it has no focus
    area yet), for the supervisor only while the leader shares the plan. One query at most."""
    role = access.plan_role(viewer, participant)
    if role == access.LEADER:
        started = FocusArea.objects.filter(plan__participant=participant).exists()
        return {"role": role, "started": started}
    return {"role": role} if role else None


def since_previous(report, *, viewer):
    """The change per enabler since the same person's previous released 360, for whoever may
    read this report; the previous plan's actions too when the reader is the leader.

    A fixed number of queries: one to find the previous participation and, when there is one,
    its report's grouped queries (and two for the previous plan, for the leader).
    """
    participant = report.participant
    previous = action_plans.previous_participation(participant)
    # Earlier numbers only for a reader who may open that earlier report (issue 12): a
    # supervisor with this report shared, but not the previous one, sees no earlier numbers.
    if previous is None or not access.may_open_report(viewer, previous):
        return {"since_previous": None}
    before = reports.individual_report(previous)
    old_sections = {section.enabler.slug: section for section in before.sections}
    now_sections = {section.enabler.slug: section for section in report.sections}
    rows = []
    for change in action_plans.change_since_previous(report, before):
        now = now_sections[change.enabler.slug].row
        old = old_sections.get(change.enabler.slug)
        old = old.row if old else None
        rows.append(
            {
                "enabler": change.enabler.name,
                # self, then all except self
                "comparisons": [
                    _comparison(
                        (old.self_cell, old.self_cell.too_few) if old else None,
                        (now.self_cell, now.self_cell.too_few),
                        change.self_change,
                    ),
                    _comparison(
                        (old.others, _others_too_few(before, old)) if old else None,
                        (now.others, _others_too_few(report, now)),
                        change.others_change,
                    ),
                ],
            }
        )
    return {
        "since_previous": {
            "participant": previous,
            "cycle": previous.cycle,
            "level": previous.level,
            "level_changed": previous.level_id != participant.level_id,
            "rows": rows,
            "plan": _previous_plan(previous) if participant.person_id == viewer.pk else None,
        }
    }


def _others_too_few(report, row):
    """Whether "all except self" is missing because answers were too few to show, rather than
    absent (``anonymity.others_withheld``)."""
    anonymous_answered = any(g.submitted for g in report.groups if g.group in ANONYMOUS_GROUPS)
    return others_withheld(row, report.disclosure, anonymous_answered)


def _comparison(before, now, change):
    """Before → now and the change, or why they cannot be compared. ``before`` and ``now`` are
    (cell, whether it is hidden for too few answers); ``before`` is None when the enabler was
    not in the previous report.

    ``change`` comes from ``action_plans.change_since_previous``: None unless both numbers are
    shown in their own reports, so a change never rests on a hidden number.
    """
    reasons = []
    if before is None:
        reasons.append(_("not in your previous 360"))
    elif not before[0].shown:
        reasons.append(_("too few answers last time") if before[1] else _("no answers last time"))
    if not now[0].shown:
        reasons.append(_("too few answers this time") if now[1] else _("no answers this time"))
    return {
        "before": _compared_cell(*before) if before is not None else {"state": "none"},
        "now": _compared_cell(*now),
        "change": numbers.signed(change) if change is not None else None,
        "reason": "; ".join(str(reason) for reason in reasons),
    }


def _compared_cell(value, too_few):
    return {"state": "too_few"} if too_few else cell(value)


def _previous_plan(previous):
    """What the leader planned last time, with each action's status (two queries)."""
    focus_areas = (
        FocusArea.objects.filter(plan__participant=previous)
        .select_related("enabler")
        .prefetch_related("actions")
    )
    return [
        {"enabler": focus.enabler.name, "goal": focus.goal, "actions": list(focus.actions.all())}
        for focus in focus_areas
    ]
