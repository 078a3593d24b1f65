"""The action plan pages (PRODUCT §6): the leader writes the plan; once the leader shares it,
the supervisor reads it and joins the conversation.

Every view fetches the plan through ``access`` (``own_plan_for``, ``plan_for``), which answers
404 unless the signed-in user is the leader — or, for reading and commenting, the supervisor of
a shared plan — and only after the report is released. Focus areas and actions are fetched
through the leader's plan, so an id of someone else's answers 404 too.

Successful posts redirect (PRG); a form with errors is shown again with what was typed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import access, idempotency
from assessments.answering.questionnaire import indicator_key, pitfall_key, questionnaire_for
from assessments.errors import DomainError
from assessments.models import Action
from assessments.plans import action_plans
from assessments.plans.forms import (
    ActionForm,
    ActionStatusForm,
    FocusForm,
    PlanCommentForm,
    SharePlanForm,
)
from assessments.reporting import reports
from assessments.reporting.presenting.individual import cell

OPEN_STATUSES = (Action.Status.PLANNED, Action.Status.IN_PROGRESS)


# --- fetching, for this user only ------------------------------------------------------------


def _plan_url(plan, anchor=""):
    url = reverse("plans:plan", args=[plan.participant_id])
    return f"{url}#{anchor}" if anchor else url


def _form_error(form, error):
    """Put a rule's refusal next to the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- pages ---------------------------------------------------------------------------------


@login_required
def plan(request, participant_id):
    plan, role = access.plan_for(request.user, participant_id)
    return _render(request, plan, role)


@login_required
@require_POST
def add_focus(request, participant_id):
    plan = access.own_plan_for(request.user, participant_id)
    if seen := idempotency.repeat_of(request, fallback=_plan_url(plan)):
        return redirect(seen)
    questionnaire = questionnaire_for(plan.participant)
    form = FocusForm(
        request.POST,
        enablers=[section.enabler for section in questionnaire.sections],
        items=questionnaire.items,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            focus = action_plans.add_focus(
                participant=plan.participant,
                enabler=data["enabler"],
                goal=data["goal"],
                indicator_ids=data["indicators"],
                pitfall_ids=data["pitfalls"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("%(enabler)s is now a focus area. Add the actions that will get you there.")
                % {"enabler": focus.enabler.name},
            )
            return redirect(idempotency.remember(request, _plan_url(plan, f"focus-{focus.pk}")))
    return _render(request, plan, access.LEADER, focus_form=form)


@login_required
@require_POST
def remove_focus(request, participant_id, focus_id):
    plan = access.own_plan_for(request.user, participant_id)
    focus = access.focus_of(plan, focus_id)
    action_plans.remove_focus(focus=focus)
    messages.success(
        request,
        _("%(enabler)s is no longer a focus area; its actions were removed with it.")
        % {"enabler": focus.enabler.name},
    )
    return redirect(_plan_url(plan))


@login_required
@require_POST
def add_action(request, participant_id, focus_id):
    plan = access.own_plan_for(request.user, participant_id)
    focus = access.focus_of(plan, focus_id)
    if seen := idempotency.repeat_of(request, fallback=_plan_url(plan, f"focus-{focus.pk}")):
        return redirect(seen)
    form = ActionForm(request.POST, prefix=_action_prefix(focus.pk))
    if form.is_valid():
        try:
            action_plans.add_action(
                focus=focus, text=form.cleaned_data["text"], due_on=form.cleaned_data["due_on"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The action was added."))
            return redirect(idempotency.remember(request, _plan_url(plan, f"focus-{focus.pk}")))
    return _render(request, plan, access.LEADER, action_form=form, action_focus_id=focus.pk)


@login_required
@require_POST
def action_status(request, participant_id, action_id):
    plan = access.own_plan_for(request.user, participant_id)
    action = access.action_of(plan, action_id)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
    else:
        try:
            action = action_plans.set_action_status(
                action=action, status=form.cleaned_data["status"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("“%(action)s” is now: %(status)s.")
                % {"action": str(action), "status": action.get_status_display()},
            )
    return redirect(_plan_url(plan, f"focus-{action.focus_id}"))


@login_required
def edit_action(request, participant_id, action_id):
    plan = access.own_plan_for(request.user, participant_id)
    action = access.action_of(plan, action_id)
    initial = {"text": action.text, "due_on": action.due_on}
    form = ActionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action_plans.update_action(
                action=action, text=form.cleaned_data["text"], due_on=form.cleaned_data["due_on"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The action was saved."))
            return redirect(_plan_url(plan, f"action-{action.pk}"))
    context = {
        "participant": plan.participant,
        "cycle": plan.participant.cycle,
        "action": action,
        "form": form,
        "plan_url": _plan_url(plan, f"action-{action.pk}"),
    }
    return render(request, "assessments/plans/action_edit.html", context)


@login_required
@require_POST
def delete_action(request, participant_id, action_id):
    plan = access.own_plan_for(request.user, participant_id)
    action = access.action_of(plan, action_id)
    action_plans.delete_action(action=action)
    messages.success(request, _("“%(action)s” was deleted.") % {"action": str(action)})
    return redirect(_plan_url(plan, f"focus-{action.focus_id}"))


@login_required
@require_POST
def share(request, participant_id):
    plan = access.own_plan_for(request.user, participant_id)
    form = SharePlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to share your plan or to stop sharing it."))
        return redirect(_plan_url(plan, "share"))
    try:
        plan = action_plans.share_plan(plan=plan, shared=form.cleaned_data["shared"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        name = plan.participant.supervisor.get_full_name()
        if plan.shared_with_supervisor:
            messages.success(
                request,
                _("%(name)s can now read your action plan and comment on it.") % {"name": name},
            )
        else:
            messages.success(
                request, _("Your action plan is no longer shared with %(name)s.") % {"name": name}
            )
    return redirect(_plan_url(plan, "share"))


@login_required
@require_POST
def comment(request, participant_id):
    plan, role = access.plan_for(request.user, participant_id)
    if seen := idempotency.repeat_of(request, fallback=_plan_url(plan, "comments")):
        return redirect(seen)
    form = PlanCommentForm(request.POST)
    if form.is_valid():
        try:
            action_plans.comment_on_plan(
                plan=plan, author=request.user, text=form.cleaned_data["text"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            if role == access.SUPERVISOR:
                message = _("Your comment was added; %(name)s gets an email about it.") % {
                    "name": plan.participant.person.get_full_name()
                }
            else:
                message = _("Your comment was added.")
            messages.success(request, message)
            return redirect(idempotency.remember(request, _plan_url(plan, "comments")))
    return _render(request, plan, role, comment_form=form)


# --- presenting the plan -------------------------------------------------------------------


def _action_prefix(focus_id):
    return f"focus-{focus_id}"


def _render(
    request,
    plan,
    role,
    *,
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
        "report_readable": role == access.LEADER or participant.shared_with_supervisor,
        "comments": [_comment(c) for c in comments],
        "comment_form": comment_form or PlanCommentForm(),
        "statuses": Action.Status.choices,
        "max_focus": action_plans.MAX_FOCUS_AREAS,
        # The forms posted with errors, for the error summary at the top of the page.
        "invalid_forms": [f for f in (focus_form, action_form, comment_form) if f is not None],
    }
    lines = {}
    if role == access.LEADER:
        report = reports.individual_report(participant)
        lines = {
            line.item.key: line
            for section in report.sections
            for line in (*section.indicators, *section.pitfalls)
        }
        context.update(_leader_context(request, report, lines, focus_areas, focus_form))
    forms = {action_focus_id: action_form} if action_form is not None else {}
    context["focus_areas"] = [
        _focus(
            focus,
            lines,
            forms.get(focus.pk) or ActionForm(prefix=_action_prefix(focus.pk)),
            with_numbers=role == access.LEADER,
        )
        for focus in focus_areas
    ]
    return render(request, "assessments/plans/plan.html", context)


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


def _leader_context(request, report, lines, focus_areas, focus_form):
    """Suggestions, and the two-step form to add a focus area: first the enabler (a GET
    parameter, so it works without JavaScript), then that enabler's items of the report."""
    sections = {section.enabler.slug: section for section in report.sections}
    focused = {focus.enabler_id for focus in focus_areas}
    can_add = len(focus_areas) < action_plans.MAX_FOCUS_AREAS
    choosable = [s.enabler for s in report.sections if s.enabler.pk not in focused]
    checked = set()
    if focus_form is None:
        slug = request.GET.get("enabler", "")
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
