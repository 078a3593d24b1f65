"""The action plan page as display values: focus areas with their actions and the report's
numbers beside the linked items (for the leader), the conversation, and the two-step form to
add a focus area; the progress pulse (issue 19): how to start one, its progress, or its results
per focus area — for the supervisor of a shared plan only while the leader shares the 360 report
as well (they are the report's kind of numbers). A fixed number of queries whatever the number
of focus areas."""

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.access import LEADER
from assessments.answering.questionnaire import indicator_key, pitfall_key
from assessments.models import Action, Participant
from assessments.plans import action_plans
from assessments.plans.forms import ActionForm, FocusForm, PlanCommentForm
from assessments.reporting import pulse_results, reports
from assessments.reporting.anonymity import pulse_results_visible
from assessments.reporting.presenting import numbers
from assessments.reporting.presenting.individual import cell
from assessments.running import pulses

OPEN_STATUSES = (Action.Status.PLANNED, Action.Status.IN_PROGRESS)


def plan_context(
    plan,
    role,
    *,
    chosen_enabler="",
    focus_form=None,
    action_form=None,
    action_focus_id=None,
    comment_form=None,
):
    """The plan page, in a fixed number of queries whatever the number of focus areas, actions
    and comments. The leader's version also carries their report, to choose and link from."""
    participant = plan.participant
    focus_areas = list(
        plan.focus_areas.select_related("enabler").prefetch_related(
            "actions", "indicators", "pitfalls"
        )
    )
    comments = list(plan.comments.select_related("author"))
    supervisor = participant.supervisor
    context = {
        "participant": participant,
        "cycle": participant.cycle,
        "plan": plan,
        "role": role,
        "leader_name": participant.person.get_full_name(),
        "supervisor_name": supervisor.get_full_name() if supervisor else "",
        "has_supervisor": supervisor is not None,
        # The supervisor reaches the report from here only while the leader shares it too.
        "report_readable": role == LEADER or participant.shared_with_supervisor,
        "comments": [_comment(c) for c in comments],
        "comment_form": comment_form or PlanCommentForm(),
        "statuses": Action.Status.choices,
        "max_focus": action_plans.MAX_FOCUS_AREAS,
        # The forms posted with errors, for the error summary at the top of the page.
        "invalid_forms": [f for f in (focus_form, action_form, comment_form) if f is not None],
    }
    lines = {}
    if role == LEADER:
        report = reports.individual_report(participant)
        lines = {
            line.item.key: line
            for section in report.sections
            for line in (*section.indicators, *section.pitfalls)
        }
        context.update(_leader_context(report, lines, focus_areas, focus_form, chosen_enabler))
    context["pulse"] = plan_pulse(
        participant, is_leader=role == LEADER, has_focus=bool(focus_areas)
    )
    forms = {action_focus_id: action_form} if action_form is not None else {}
    context["focus_areas"] = [
        _focus(
            focus,
            lines,
            forms.get(focus.pk) or ActionForm(prefix=action_prefix(focus.pk)),
            with_numbers=role == LEADER,
        )
        for focus in focus_areas
    ]
    return context


def action_prefix(focus_id):
    return f"focus-{focus_id}"


def _comment(comment):
    author = comment.author
    return {
        "author": author.get_full_name() if author else _("A former user"),
        "created_at": comment.created_at,
        "text": comment.text,
    }


def _focus(focus, lines, action_form, *, with_numbers):
    """One focus area for the template; the leader also sees their report's numbers beside
    the linked items (others' mean, where the report shows it)."""
    today = timezone.localdate()

    def others(key):
        line = lines.get(key)
        return cell(line.row.others) if with_numbers and line else None

    return {
        "pk": focus.pk,
        "anchor": f"focus-{focus.pk}",
        "enabler": focus.enabler,
        "goal": focus.goal,
        "indicators": [
            {"text": indicator.item, "others": others(indicator_key(indicator.pk))}
            for indicator in focus.indicators.all()
        ],
        "pitfalls": [
            {"title": pitfall.title, "others": others(pitfall_key(pitfall.pk))}
            for pitfall in focus.pitfalls.all()
        ],
        "actions": [
            {
                "action": action,
                "overdue": action.due_on < today and action.status in OPEN_STATUSES,
            }
            for action in focus.actions.all()
        ],
        "action_form": action_form,
    }


def _leader_context(report, lines, focus_areas, focus_form, chosen_enabler):
    """Suggestions, and the two-step form to add a focus area: first the enabler (a GET
    parameter, so it works without JavaScript), then that enabler's items of the report."""
    sections = {section.enabler.slug: section for section in report.sections}
    focused = {focus.enabler_id for focus in focus_areas}
    can_add = len(focus_areas) < action_plans.MAX_FOCUS_AREAS
    choosable = [s.enabler for s in report.sections if s.enabler.pk not in focused]
    checked = set()
    if focus_form is None:
        slug = chosen_enabler
        chosen = sections.get(slug) if can_add else None
        if chosen is not None and chosen.enabler.pk in focused:
            chosen = None
        focus_form = FocusForm(
            initial={"enabler": slug},
            enablers=[s.enabler for s in report.sections],
            items=[line.item for line in lines.values()],
        )
    else:
        # A form with errors: show it again with the enabler and the items that were ticked.
        chosen = sections.get(focus_form.data.get("enabler", ""))
        checked = {
            *(indicator_key(value) for value in focus_form.data.getlist("indicators")),
            *(pitfall_key(value) for value in focus_form.data.getlist("pitfalls")),
        }
    return {
        "suggestions": [
            {
                "enabler": suggestion.enabler,
                "reasons": suggestion.reasons,
                "focused": suggestion.enabler.pk in focused,
            }
            for suggestion in action_plans.suggest_focus(report)
        ],
        "can_add_focus": can_add,
        "choosable": choosable,
        "focus_form": focus_form,
        "focus_errors": [*focus_form.non_field_errors(), *focus_form["enabler"].errors],
        "chosen": _chosen(chosen, report, checked) if chosen is not None else None,
    }


def _chosen(section, report, checked):
    """The chosen enabler's behaviours and pitfalls, with the leader's numbers beside them."""

    def choice(line, value):
        return {
            "id": f"link-{line.item.key}",
            "value": value,
            "text": line.item.text,
            "title": line.item.title,
            "self": cell(line.row.self_cell),
            "others": cell(line.row.others),
            "checked": line.item.key in checked,
        }

    groups = [
        (
            title,
            [
                choice(line, line.item.indicator_id)
                for line in section.indicators
                if line.is_general == general
            ],
        )
        for title, general in (
            (_("All leaders"), True),
            (report.participant.level.name, False),
        )
    ]
    return {
        "enabler": section.enabler,
        "indicator_groups": [(title, choices) for title, choices in groups if choices],
        "pitfalls": [choice(line, line.item.pitfall_id) for line in section.pitfalls],
    }


# --- the progress pulse (issue 19) ------------------------------------------------------------


def plan_pulse(participant, *, is_leader, has_focus):
    """The progress pulse part of the plan page: how to start one, its progress, or its results
    per focus area. ``participant`` carries ``pulse_id`` (the plan views annotate it)."""
    pulse_id = getattr(participant, "pulse_id", None)
    if pulse_id is None:
        if not is_leader:
            return None
        problem = pulses.window_problem(participant.cycle)
        first, last = pulses.window(participant.cycle)
        return {
            "state": "none",
            "problem": problem,
            "needs_focus": problem is None and not has_focus,
            "can_start": problem is None and has_focus,
            "first_day": first,
            "last_day": last,
        }
    pulse = Participant.objects.select_related("cycle").get(pk=pulse_id)
    context = {"state": pulse.cycle.state, "cycle": pulse.cycle, "pulse": pulse}
    if not pulse_results_visible(pulse.cycle):
        if is_leader:
            context["asked"], context["answered"] = pulse_results.progress(pulse)
        return context
    if not is_leader and not participant.shared_with_supervisor:
        context["numbers_hidden"] = True
        return context
    results = pulse_results.pulse_results(participant, pulse)
    context["withheld_reason"] = results.withheld_reason
    context["k"] = participant.cycle.anonymity_threshold
    context["rows"] = [
        {
            "enabler": focus.enabler,
            "indicators": focus.indicators,
            "before": cell(focus.before),
            "after": cell(focus.after),
            "change": numbers.signed(focus.change) if focus.change is not None else None,
            "effect": _signed_cell(focus.effect),
        }
        for focus in results.focuses
    ]
    return context


def _signed_cell(value):
    """A mean on the −3 … +3 scale with its sign, as printed (one decimal)."""
    shown = cell(value)
    if value.shown:
        shown["text"] = numbers.signed(value.mean)
    return shown
