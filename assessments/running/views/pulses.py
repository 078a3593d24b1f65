"""HR starts one progress pulse for a whole released cohort (issue 19, ``running/pulses.py``):
who is enrolled and who is skipped, and why, are shown before; HR chooses the close date. The
pulse is then a cycle of its own on the HR pages (monitoring, reminders, closing, release)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments import idempotency
from assessments.errors import DomainError
from assessments.models import Cycle
from assessments.running import pulses
from assessments.running.forms import PulseCohortForm
from assessments.running.views.common import hr_required


@hr_required
@require_http_methods(["GET", "POST"])
def start(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id, kind=Cycle.Kind.FULL)
    back = reverse("hr:cycle_detail", args=[cycle.pk])
    problem = pulses.window_problem(cycle)
    if problem and request.method == "GET":
        messages.error(request, problem)
        return redirect(back)
    form = PulseCohortForm(
        request.POST if request.method == "POST" else None,
        initial={"closes_on": pulses.default_close_date()},
    )
    if request.method == "POST":
        if seen := idempotency.repeat_of(request, fallback=back):
            return redirect(seen)
        if form.is_valid():
            try:
                pulse, plan = pulses.start_cohort_pulse(
                    cycle=cycle, by=request.user, closes_on=form.cleaned_data["closes_on"]
                )
            except DomainError as error:
                if error.field not in form.fields:
                    messages.error(request, error.message)
                    return redirect(back)
                form.add_error(error.field, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "The progress pulse is open for %(n)s leaders until %(date)s; their "
                        "raters are being invited. %(skipped)s leaders were skipped."
                    )
                    % {
                        "n": len(plan.ready),
                        "date": date_format(pulse.closes_on),
                        "skipped": len(plan.skipped),
                    },
                )
                url = reverse("hr:cycle_detail", args=[pulse.pk])
                return redirect(idempotency.remember(request, url))
    plan = pulses.cohort_plan(cycle)
    first, last = pulses.window(cycle)
    context = {
        "cycle": cycle,
        "form": form,
        "ready": [{"participant": p, "raters": len(plan.raters[p.pk])} for p in plan.ready],
        "skipped": [{"participant": p, "reason": reason} for p, reason in plan.skipped],
        "first_day": first,
        "last_day": last,
    }
    status = 400 if form.errors else 200
    return render(request, "assessments/hr/pulse_start.html", context, status=status)
