"""HR admins' pages about cycles: the dashboard, a cycle's settings, its page, its transitions.
The other HR pages sit beside this module: participants (and imports, the export), raters,
reminders, archives; ``common`` holds what they share.

Every view is behind ``hr_required``: anonymous visitors are sent to sign in, and anyone signed
in who is not an HR admin (``access.is_hr``) gets 404, as for any page that is not theirs (the
HR pages do not confirm that they exist). Cycles have no owner: every HR admin may run every
cycle. Objects are fetched through helpers that 404 when they do not belong together (a rater of
another participant, a participant of another cycle). Transitions are confirmed: GET explains,
POST does.
"""

import datetime
from functools import partial

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments import idempotency
from assessments.access import hr_cycle_for
from assessments.models import Cycle, EmailDelivery, Rater, RaterGroup
from assessments.running import cycles, hr_actions, monitoring, pulses, reminders
from assessments.running.forms import (
    ConfirmNameForm,
    CycleForm,
    ExtendForm,
    ParticipantFilterForm,
    ReasonForm,
)
from assessments.running.views.common import (
    confirm,
    cycle_action,
    failed_post_status,
    hr_required,
    run_rule,
    submit,
)
from compass.models import Level

State = Cycle.State
Status = Rater.Status

PER_PAGE = 50
AUDIT_SHOWN = 50

# --- dashboard and cycle settings ----------------------------------------------------------


@hr_required
def dashboard(request):
    return render(
        request,
        "assessments/hr/dashboard.html",
        {"cycles": monitoring.cycles_with_rates()},
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_create(request):
    today = timezone.localdate()
    form = CycleForm(
        request.POST or None,
        initial={"opens_on": today, "closes_on": today + datetime.timedelta(days=21)},
    )
    if request.method == "POST" and (
        seen := idempotency.repeat_of(request, fallback=reverse("hr:dashboard"))
    ):
        return redirect(seen)
    created = submit(
        request,
        form,
        lambda data: hr_actions.create_cycle(by=request.user, **data),
        lambda cycle: (
            _("The cycle %(name)s was created. Import its participants next.")
            % {"name": cycle.name}
        ),
    )
    if created:
        url = reverse("hr:cycle_detail", args=[created.result.pk])
        return redirect(idempotency.remember(request, url))
    return render(request, "assessments/hr/cycle_form.html", {"form": form, "cycle": None})


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(cycles.why_not_edit)
def cycle_edit(request, cycle):
    form = CycleForm(request.POST or None, instance=hr_cycle_for(cycle.pk))
    rule = partial(hr_actions.update_cycle, cycle=cycle, by=request.user)
    if submit(request, form, lambda data: rule(changes=form.changes()), _("The cycle was saved.")):
        return redirect("hr:cycle_detail", cycle.pk)
    return render(request, "assessments/hr/cycle_form.html", {"form": form, "cycle": cycle})


# --- monitoring ----------------------------------------------------------------------------


def _participant_rows(request, cycle):
    """One page of the cycle's participants, filtered and sorted as asked."""
    filter_form = ParticipantFilterForm(
        request.GET or None,
        cycle=cycle,
        levels=Level.objects.filter(edition=cycle.edition),
        org_units=monitoring.org_units(cycle),
    )
    filters, sort = filter_form.filters()
    participants = monitoring.sort_participants(
        monitoring.filter_participants(
            monitoring.participants_with_progress(cycle), cycle=cycle, **filters
        ),
        sort,
    )
    page = Paginator(participants, PER_PAGE).get_page(request.GET.get("page"))
    k = cycle.anonymity_threshold
    rows = [{"participant": p, "groups": monitoring.group_progress(p, k)} for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return {"filter_form": filter_form, "page": page, "rows": rows, "query": query.urlencode()}


@hr_required
def cycle_detail(request, cycle_id):
    cycle = hr_cycle_for(cycle_id)
    context = {
        "cycle": cycle,
        **_participant_rows(request, cycle),
        "totals": monitoring.cycle_totals(cycle),
        "group_labels": [label for value, label in RaterGroup.choices if value != "self"],
        "audit": [
            {"event": event, "label": event.get_action_display()}
            for event in cycle.audit_events.select_related("actor")[:AUDIT_SHOWN]
        ],
        "audit_shown": AUDIT_SHOWN,
        "status_labels": dict(Status.choices),
        "next_reminder": reminders.next_reminder(cycle),
        "failed_deliveries": list(
            cycle.deliveries.filter(status=EmailDelivery.Status.FAILED).order_by("pk")[:50]
        ),
        "time_zone": settings.TIME_ZONE,
    }
    context.update(_pulse_context(cycle))
    return render(request, "assessments/hr/cycle_detail.html", context)


def _pulse_context(cycle):
    """A progress pulse names the 360 it follows; a released 360 lists its pulses with their
    response rates (one query) and says when one can start (``running/pulses.py``)."""
    if cycle.is_pulse:
        return {
            "followed": cycle.follows,
            "followed_url": reverse("hr:cycle_detail", args=[cycle.follows_id]),
        }
    if cycle.state != State.RELEASED:
        return {}
    return {
        "pulses": list(monitoring.cycles_with_rates().filter(follows=cycle)),
        "pulse_window": pulses.window(cycle),
        "pulse_problem": pulses.window_problem(cycle),
    }


# --- transitions: the guard says why not, on the confirmation page and on POST alike -------


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(cycles.why_not_open)
def cycle_open(request, cycle):
    if request.method == "POST":
        message = _("The cycle is open. Invitations are being sent in the background.")
        return run_rule(request, cycle, cycles.open_cycle, message)
    return confirm(
        request,
        cycle,
        "open",
        emails=monitoring.invitations_on_opening(cycle),
        participants=cycle.participants.count(),
    )


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(cycles.why_not_close)
def cycle_close(request, cycle):
    if request.method == "POST":
        return run_rule(request, cycle, cycles.close_cycle, _("The cycle is closed."))
    return confirm(request, cycle, "close", waiting=monitoring.cycle_totals(cycle)["remindable"])


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(cycles.why_not_reopen)
def cycle_reopen(request, cycle):
    form = ReasonForm(request.POST or None, reason_required=True)
    rule = partial(cycles.reopen_cycle, cycle=cycle, by=request.user)
    if submit(
        request, form, lambda data: rule(reason=data["reason"]), _("The cycle is open again.")
    ):
        return redirect("hr:cycle_detail", cycle.pk)
    return confirm(request, cycle, "reopen", form=form, status=failed_post_status(request))


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(cycles.why_not_release)
def cycle_release(request, cycle):
    check = hr_actions.release_check(cycle)
    # When anything is short, the admin types the cycle's name: release cannot be undone.
    form = ConfirmNameForm(request.POST or None, cycle=cycle) if check.short else None
    if request.method == "POST" and (form is None or form.is_valid()):
        message = _("Reports are released. Participants are being told by email.")
        return run_rule(request, cycle, cycles.release_cycle, message)
    return confirm(
        request, cycle, "release", form=form, status=failed_post_status(request), check=check
    )


def _extended(cycle):
    message = _("The close date is now %(date)s.") % {"date": date_format(cycle.closes_on)}
    if cycle.state == State.CLOSED:
        message += " " + _("The cycle is still closed: re-open it to take answers.")
    return message


@hr_required
@require_http_methods(["GET", "POST"])
@cycle_action(cycles.why_not_extend)
def cycle_extend(request, cycle):
    later = max(cycle.closes_on, timezone.localdate()) + datetime.timedelta(7)
    form = ExtendForm(request.POST or None, initial={"closes_on": later})
    rule = partial(cycles.extend_close_date, cycle=cycle, by=request.user)
    if submit(request, form, lambda data: rule(**data), _extended):
        return redirect("hr:cycle_detail", cycle.pk)
    return confirm(request, cycle, "extend", form=form, status=failed_post_status(request))
