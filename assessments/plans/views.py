"""The action plan pages (PRODUCT §6): the leader writes the plan; once the leader shares it,
the supervisor reads it and joins the conversation.

Every view fetches the plan through ``access`` (``own_plan_for``, ``plan_for``), which answers
404 unless the signed-in user is the leader — or, for reading and commenting, the supervisor of
a shared plan — and only after the report is released. Focus areas and actions are fetched
through the leader's plan, so an id of someone else's answers 404 too.

Successful posts redirect (PRG); a form with errors is shown again with what was typed.

The plan also carries the progress pulse (issue 19, ``plans/pulse_views.py``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import access, idempotency
from assessments.answering.questionnaire import questionnaire_for
from assessments.errors import DomainError
from assessments.plans import action_plans, presenting
from assessments.plans.forms import (
    ActionForm,
    ActionStatusForm,
    FocusForm,
    PlanCommentForm,
    SharePlanForm,
)

# --- fetching, for this user only ------------------------------------------------------------


def _plan_url(plan, anchor=""):
    url = reverse("plans:plan", args=[plan.participant_id])
    return f"{url}#{anchor}" if anchor else url


def _apply(form, rule, **kwargs):
    """Call a rule with a valid form's data; its refusal goes next to the field it names, or
    above the form. Returns the rule's result, or None when it refused."""
    try:
        return rule(**kwargs) or True
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


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
    data = form.cleaned_data if form.is_valid() else None
    if data is not None and (
        focus := _apply(
            form,
            action_plans.add_focus,
            participant=plan.participant,
            enabler=data["enabler"],
            goal=data["goal"],
            indicator_ids=data["indicators"],
            pitfall_ids=data["pitfalls"],
        )
    ):
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
    form = ActionForm(request.POST, prefix=presenting.action_prefix(focus.pk))
    if form.is_valid() and _apply(form, action_plans.add_action, focus=focus, **form.cleaned_data):
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
    posted = request.method == "POST" and form.is_valid()
    if posted and _apply(form, action_plans.update_action, action=action, **form.cleaned_data):
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
    if form.is_valid() and _apply(
        form, action_plans.comment_on_plan, plan=plan, author=request.user, **form.cleaned_data
    ):
        message = _("Your comment was added.")
        if role == access.SUPERVISOR:
            message = _("Your comment was added; %(name)s gets an email about it.") % {
                "name": plan.participant.person.get_full_name()
            }
        messages.success(request, message)
        return redirect(idempotency.remember(request, _plan_url(plan, "comments")))
    return _render(request, plan, role, comment_form=form)


def _render(request, plan, role, **forms):
    context = presenting.plan_context(
        plan, role, chosen_enabler=request.GET.get("enabler", ""), **forms
    )
    return render(request, "assessments/plans/plan.html", context)
