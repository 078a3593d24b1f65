"""HR's reminders: now, to an audience HR chooses and previews, or on a schedule."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.access import hr_cycle_for
from assessments.errors import DomainError
from assessments.models import Cycle
from assessments.running import monitoring, reminders
from assessments.running.forms import (
    ReminderAudienceForm,
    ReminderScheduleForm,
)
from assessments.running.views.common import (
    cycle_action,
    failed_post_status,
    hr_required,
)

State = Cycle.State


def _send(request, cycle, form):
    try:
        plan = reminders.remind(cycle=cycle, by=request.user, **form.chosen())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "%(n)s reminders are being sent in the background, in %(emails)s emails "
                "(one per person)."
            )
            % {"n": plan.requests, "emails": plan.emails},
        )
    return redirect("hr:cycle_detail", cycle.pk)


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(reminders.why_not_remind)
def cycle_remind(request, cycle):
    """Choose whom to remind, see who and how many, then send: one email per person."""
    # Nothing chosen (the first visit, or a bare POST) means everyone who has not answered.
    data = (request.POST if request.method == "POST" else request.GET) or {"audience": "all"}
    form = ReminderAudienceForm(data, org_units=monitoring.org_units(cycle), pulse=cycle.is_pulse)
    if request.method == "POST" and form.is_valid():
        return _send(request, cycle, form)
    schedule = {"every_days": cycle.remind_every_days}
    schedule["days_before_close"] = cycle.remind_days_before_close
    context = {
        "cycle": cycle,
        "form": form,
        "plan": reminders.preview(reminders.audience_raters(cycle, **form.chosen()))
        if form.is_valid()
        else None,
        "schedule_form": ReminderScheduleForm(initial=schedule),
        "next_reminder": reminders.next_reminder(cycle),
    }
    return render(
        request, "assessments/hr/remind.html", context, status=failed_post_status(request)
    )


@hr_required
@require_POST
def cycle_reminder_schedule(request, cycle_id):
    cycle = hr_cycle_for(cycle_id)
    form = ReminderScheduleForm(request.POST)
    if form.is_valid():
        try:
            cycle = reminders.set_schedule(
                cycle=cycle,
                by=request.user,
                every_days=form.cleaned_data["every_days"],
                days_before_close=form.cleaned_data["days_before_close"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            next_day = reminders.next_reminder(cycle)
            messages.success(
                request,
                _("Reminder schedule saved. Next scheduled reminder: %(date)s.")
                % {"date": date_format(next_day) if next_day else _("none")},
            )
        return redirect("hr:cycle_detail", cycle.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("hr:cycle_remind", cycle.pk)
