"""What every HR page shares: HR admins only (404 for everyone else), the cycle, participant
and rater of the URL, and the confirm-then-act pattern of the cycle's actions."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from assessments import access
from assessments.errors import DomainError
from assessments.models import Cycle, Participant, Rater


def hr_required(view):
    """Sign in first; then HR admins only, everyone else 404."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not access.is_hr(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


def get_cycle(cycle_id):
    return get_object_or_404(Cycle, pk=cycle_id)


def get_participant(cycle, participant_id):
    return get_object_or_404(
        Participant.objects.select_related("person", "level", "supervisor", "cycle"),
        pk=participant_id,
        cycle=cycle,
    )


def get_rater(participant, rater_id):
    rater = get_object_or_404(
        Rater.objects.select_related("response"), pk=rater_id, participant=participant
    )
    rater.participant = participant
    return rater


def field_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def confirm(
    request, cycle, *, title, lines, button, danger=False, form=None, status=200, check=None
):
    return render(
        request,
        "assessments/hr/confirm.html",
        {
            "cycle": cycle,
            "title": title,
            "lines": lines,
            "button": button,
            "danger": danger,
            "form": form,
            "check": check,
        },
        status=status,
    )


def not_now(request, cycle, message):
    """A confirmation page is pointless when the action cannot happen: say why, on the cycle
    page. (The rule checks again on POST, under a lock.)"""
    messages.error(request, message)
    return redirect("hr:cycle_detail", cycle.pk)


def run_rule(request, cycle, action, success, **kwargs):
    """Call a rule; a DomainError becomes a message on the cycle page."""
    try:
        action(cycle=cycle, by=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("hr:cycle_detail", cycle.pk)
