"""HR starts one progress pulse for a whole released cohort (issue 19, ``running/pulses.py``):
who is enrolled and who is skipped, and why, are shown before; HR chooses the close date. The
pulse is then a cycle of its own on the HR pages (monitoring, reminders, closing, release)."""

from functools import partial

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments import idempotency
from assessments.running import pulses
from assessments.running.forms import PulseCohortForm
from assessments.running.views.common import (
    cycle_action,
    failed_post_status,
    hr_required,
    submit,
)


def _started(result):
    pulse, plan = result
    return _(
        "The progress pulse is open for %(n)s leaders until %(date)s; their raters are being "
        "invited. %(skipped)s leaders were skipped."
    ) % {"n": len(plan.ready), "date": date_format(pulse.closes_on), "skipped": len(plan.skipped)}


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(pulses.window_problem)
def start(request, cycle):
    back = reverse("hr:cycle_detail", args=[cycle.pk])
    if request.method == "POST" and (seen := idempotency.repeat_of(request, fallback=back)):
        return redirect(seen)
    form = PulseCohortForm(request.POST or None, initial={"closes_on": pulses.default_close_date()})
    rule = partial(pulses.start_cohort_pulse, cycle=cycle, by=request.user)
    if started := submit(request, form, lambda data: rule(**data), _started):
        url = reverse("hr:cycle_detail", args=[started.result[0].pk])
        return redirect(idempotency.remember(request, url))
    return render(
        request,
        "assessments/hr/pulse_start.html",
        _context(cycle, form),
        status=failed_post_status(request),
    )


def _context(cycle, form):
    """Who would be enrolled (with how many raters) and who is skipped, and why."""
    plan = pulses.cohort_plan(cycle)
    first, last = pulses.window(cycle)
    return {
        "cycle": cycle,
        "form": form,
        "ready": [{"participant": p, "raters": len(plan.raters[p.pk])} for p in plan.ready],
        "skipped": [{"participant": p, "reason": reason} for p, reason in plan.skipped],
        "first_day": first,
        "last_day": last,
    }
