"""What every HR page shares: HR admins only (404 for everyone else; ``assessments.access``
decides it and fetches the cycle, participant and rater of the URL), and the confirm-then-act
pattern of the cycle's actions."""

from dataclasses import dataclass
from functools import partial, wraps

from django.contrib import messages
from django.shortcuts import redirect, render

from assessments.access import hr_cycle_for, hr_required  # noqa: F401 (the HR views import it from here)
from assessments.errors import DomainError


def field_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def confirm(request, cycle, action, *, status=200, **context):
    """The confirmation page of a cycle's action: ``assessments/hr/confirm/<action>.html`` says
    what it is called, what it will do and what its button says."""
    return render(
        request,
        f"assessments/hr/confirm/{action}.html",
        {"cycle": cycle, **context},
        status=status,
    )


def cycle_action(why_not):
    """A view of one cycle's action (``cycle_id`` in the URL) gets the cycle; when
    ``why_not(cycle)`` says why the action cannot happen now, the cycle page says it instead of
    the view (the rule checks again on POST, under a lock)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, cycle_id, *args, **kwargs):
            cycle = hr_cycle_for(cycle_id)
            if problem := why_not(cycle):
                return not_now(request, cycle, problem)
            return view(request, cycle, *args, **kwargs)

        return guarded

    return decorate


def not_now(request, cycle, message):
    """A confirmation page is pointless when the action cannot happen: say why, on the cycle
    page. (The rule checks again on POST, under a lock.)"""
    messages.error(request, message)
    return redirect("hr:cycle_detail", cycle.pk)


def act(request, rule, success, *back):
    """Call ``rule()``; a DomainError becomes a message on the page the URL name and arguments
    ``back`` lead to, and so does ``success`` (a message, or a function of what the rule
    returned that gives one)."""
    try:
        result = rule()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(*back)


def run_rule(request, cycle, action, success, **kwargs):
    """Call a cycle's rule; what came of it is said on the cycle page."""
    rule = partial(action, cycle=cycle, by=request.user, **kwargs)
    return act(request, rule, success, "hr:cycle_detail", cycle.pk)


@dataclass
class Submitted:
    """What ``submit`` did: true when the rule ran, with what it returned."""

    done: bool
    result: object = None

    def __bool__(self):
        return self.done


def submit(request, form, rule, success):
    """Post a form, call a rule: on a POST whose ``form`` is valid, ``rule(cleaned_data)`` runs;
    a DomainError it raises becomes an error on the form (on its field when the form has it).
    When the rule ran, ``success`` (a message, or a function of what the rule returned that
    gives one) is queued for the next page."""
    if request.method != "POST" or not form.is_valid():
        return Submitted(done=False)
    try:
        result = rule(form.cleaned_data)
    except DomainError as error:
        field_error(form, error)
        return Submitted(done=False)
    messages.success(request, success(result) if callable(success) else success)
    return Submitted(done=True, result=result)


def failed_post_status(request):
    """A POST that did not do what it asked answers 400, with the form and its errors."""
    return 400 if request.method == "POST" else 200
