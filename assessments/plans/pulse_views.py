"""The leader's progress pulse pages (issue 19): starting one from a released 360, following it.
The rules are in ``running/pulses.py``; the results show on the action plan
(``plans/presenting.py``). HR starts one for a whole cohort from its cycle page
(``running/views/pulses.py``) and follows it there, as any cycle.

Both pages answer 404 to anyone but the leader (``access.own_released_360``, ``own_pulse``).
Posts redirect (PRG); a form with errors is shown again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessments import access
from assessments.answering import cards
from assessments.errors import DomainError
from assessments.models import Rater, RaterGroup
from assessments.plans.forms import PulseRatersForm
from assessments.reporting.anonymity import (
    leader_sees_progress,
)
from assessments.running import pulses

Status = Rater.Status
GROUP_LABELS = dict(RaterGroup.choices)


def _by_group(raters):
    """[(group label, [raters])] in the compass's order, groups without raters left out."""
    grouped = {}
    for rater in raters:
        grouped.setdefault(rater.group, []).append(rater)
    return [(GROUP_LABELS[g], grouped[g]) for g in RaterGroup.values if g in grouped]


# --- pages ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request, participant_id):
    participant = access.own_released_360(request.user, participant_id)
    if (existing := pulses.pulse_of(participant)) is not None:
        return redirect("pulses:detail", existing.pk)
    candidates = list(pulses.candidate_raters(participant))
    form = PulseRatersForm(
        request.POST if request.method == "POST" else None,
        raters=candidates,
        initial={"raters": [rater.pk for rater in candidates]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pulse = pulses.start_pulse(
                participant=participant, by=request.user, rater_ids=form.cleaned_data["raters"]
            )
        except DomainError as error:
            form.add_error("raters" if error.field == "raters" else None, error.message)
        else:
            messages.success(request, _started(pulse))
            return redirect("pulses:detail", pulse.pk)
    context = _start_context(participant, candidates, form)
    status = 400 if form.errors else 200
    return render(request, "assessments/pulses/start.html", context, status=status)


def _started(pulse):
    return _(
        "Your progress pulse is open until %(date)s: the raters you chose get their invitation "
        "by email now."
    ) % {"date": date_format(pulse.cycle.closes_on)}


def _start_context(participant, candidates, form):
    """What the pulse would ask, whom (ticked as posted, or all), and why it cannot start."""
    chosen = {str(value) for value in (form["raters"].value() or [])}
    first, last = pulses.window(participant.cycle)
    return {
        "participant": participant,
        "cycle": participant.cycle,
        "problem": pulses.start_problem(participant),
        "first_day": first,
        "last_day": last,
        "closes_on": pulses.default_close_date(),
        "k": participant.cycle.anonymity_threshold,
        "areas": pulses.questions_preview(participant),
        "groups": [
            (label, [{"rater": r, "checked": str(r.pk) in chosen} for r in raters])
            for label, raters in _by_group(candidates)
        ],
        "form": form,
    }


@login_required
@require_GET
def detail(request, participant_id):
    """The leader's pulse: who was asked, how many answered, the cards to print; the results
    are on the action plan."""
    pulse = access.own_pulse(request.user, participant_id)
    context = {
        "pulse": pulse,
        "cycle": pulse.cycle,
        "followed": pulse.follows,
        "groups": _asked(pulse),
        "plan_url": reverse("plans:plan", args=[pulse.follows_id]) + "#pulse",
    }
    return render(request, "assessments/pulses/detail.html", context)


def _asked(pulse):
    """The raters per group, with the progress a leader may see and the cards to print."""
    groups = []
    for label, members in _by_group(list(pulse.raters.all())):
        rows = []
        for rater in members:
            rater.participant = pulse  # the card rules read the cycle: spare them a query
            # Whether one named peer answered would tell whose answers make a group.
            seen = leader_sees_progress(rater)
            rows.append(
                {
                    "rater": rater,
                    "status": rater.get_status_display() if seen else Status.INVITED.label,
                    "card": not rater.has_email and cards.card_problem(rater) is None,
                }
            )
        answered = sum(1 for rater in members if rater.status == Status.SUBMITTED)
        groups.append({"label": label, "rows": rows, "answered": answered})
    return groups
