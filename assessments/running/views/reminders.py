"""HR's reminders: now, to an audience HR chooses and previews, or on a schedule."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.errors import DomainError
from assessments.models import Cycle
from assessments.running import monitoring, reminders
from assessments.running.forms import (
    ReminderAudienceForm,
    ReminderScheduleForm,
)
from assessments.running.views.common import (
    get_cycle,
    hr_required,
    not_now,
)

State = Cycle.State


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_remind(request, cycle_id):
    """Choose whom to remind, see who and how many, then send: one email per person."""
    cycle = get_cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.OPEN:
        return not_now(request, cycle, _("Reminders can only be sent while the cycle is open."))
    units = monitoring.org_units(cycle)
    # Nothing chosen (the first visit, or a bare POST) means everyone who has not answered.
    data = (request.POST if request.method == "POST" else request.GET) or {"audience": "all"}
    form = ReminderAudienceForm(data, org_units=units)
    if request.method == "POST" and form.is_valid():
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
    plan = None
    if form.is_valid():
        plan = reminders.preview(reminders.audience_raters(cycle, **form.chosen()))
    schedule_form = ReminderScheduleForm(
        initial={
            "every_days": cycle.remind_every_days,
            "days_before_close": cycle.remind_days_before_close,
        }
    )
    context = {
        "cycle": cycle,
        "form": form,
        "plan": plan,
        "schedule_form": schedule_form,
        "next_reminder": reminders.next_reminder(cycle),
    }
    return render(
        request,
        "assessments/hr/remind.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@hr_required
@require_POST
def cycle_reminder_schedule(request, cycle_id):
    cycle = get_cycle(cycle_id)
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
