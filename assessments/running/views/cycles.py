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

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from assessments import idempotency
from assessments.errors import DomainError
from assessments.models import Cycle, EmailDelivery, Rater, RaterGroup
from assessments.running import cycles, hr_actions, monitoring, reminders
from assessments.running.forms import (
    ConfirmNameForm,
    CycleForm,
    ExtendForm,
    ParticipantFilterForm,
    ReasonForm,
)
from assessments.running.views.common import (
    confirm,
    field_error,
    get_cycle,
    hr_required,
    not_now,
    run_rule,
)
from compass.models import Level

State = Cycle.State
Status = Rater.Status

PER_PAGE = 50
AUDIT_SHOWN = 50

AUDIT_LABELS = {
    "create": gettext_lazy("Created"),
    "edit": gettext_lazy("Edited"),
    "import": gettext_lazy("Participants imported"),
    "import_raters": gettext_lazy("Raters imported"),
    "open": gettext_lazy("Opened"),
    "resend": gettext_lazy("Link resent"),
    "replace_rater": gettext_lazy("Rater replaced"),
    "remove_rater": gettext_lazy("Rater removed"),
    "replace_nomination": gettext_lazy("Nominee replaced by the leader"),
    "withdraw_nomination": gettext_lazy("Nominee withdrawn by the leader"),
    "extend": gettext_lazy("Close date extended"),
    "remind": gettext_lazy("Reminders sent"),
    "reminder_schedule": gettext_lazy("Reminder schedule set"),
    "close": gettext_lazy("Closed"),
    "reopen": gettext_lazy("Re-opened"),
    "release": gettext_lazy("Reports released"),
    "retry_email": gettext_lazy("Email sent again"),
    "add_card_rater": gettext_lazy("Rater without email added"),
}


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
    if request.method == "POST" and form.is_valid():
        try:
            cycle = hr_actions.create_cycle(by=request.user, **form.cleaned_data)
        except DomainError as error:
            field_error(form, error)
        else:
            messages.success(
                request,
                _("The cycle %(name)s was created. Import its participants next.")
                % {"name": cycle.name},
            )
            return redirect(
                idempotency.remember(request, reverse("hr:cycle_detail", args=[cycle.pk]))
            )
    return render(request, "assessments/hr/cycle_form.html", {"form": form, "cycle": None})


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request, cycle_id):
    cycle = get_cycle(cycle_id)
    if cycle.state == State.RELEASED:
        messages.error(request, _("A released cycle can no longer change."))
        return redirect("hr:cycle_detail", cycle.pk)
    form = CycleForm(request.POST or None, instance=get_cycle(cycle_id))
    if request.method == "POST" and form.is_valid():
        try:
            hr_actions.update_cycle(cycle=cycle, by=request.user, changes=form.changes())
        except DomainError as error:
            field_error(form, error)
        else:
            messages.success(request, _("The cycle was saved."))
            return redirect("hr:cycle_detail", cycle.pk)
    return render(request, "assessments/hr/cycle_form.html", {"form": form, "cycle": cycle})


# --- monitoring ----------------------------------------------------------------------------


@hr_required
def cycle_detail(request, cycle_id):
    cycle = get_cycle(cycle_id)
    levels = Level.objects.filter(edition=cycle.edition)
    filter_form = ParticipantFilterForm(
        request.GET or None,
        cycle=cycle,
        levels=levels,
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
    audit = [
        {"event": event, "label": AUDIT_LABELS.get(event.action, event.action)}
        for event in cycle.audit_events.select_related("actor")[:AUDIT_SHOWN]
    ]
    context = {
        "cycle": cycle,
        "totals": monitoring.cycle_totals(cycle),
        "filter_form": filter_form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "group_labels": [label for value, label in RaterGroup.choices if value != "self"],
        "audit": audit,
        "audit_shown": AUDIT_SHOWN,
        "status_labels": dict(Status.choices),
        "next_reminder": reminders.next_reminder(cycle),
        "failed_deliveries": list(
            cycle.deliveries.filter(status=EmailDelivery.Status.FAILED).order_by("pk")[:50]
        ),
        "time_zone": settings.TIME_ZONE,
    }
    return render(request, "assessments/hr/cycle_detail.html", context)


# --- transitions ---------------------------------------------------------------------------


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_open(request, cycle_id):
    cycle = get_cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.DRAFT:
        return not_now(request, cycle, _("Only a draft cycle can be opened."))
    if request.method == "POST":
        return run_rule(
            request,
            cycle,
            cycles.open_cycle,
            _("The cycle is open. Invitations are being sent in the background."),
        )
    participants = cycle.participants.count()
    emails = monitoring.invitations_on_opening(cycle)
    lines = [
        _(
            "Opening lets participants take their self-assessment and nominate raters, and "
            "raters give feedback until the close date (%(closes)s)."
        )
        % {"closes": date_format(cycle.closes_on)},
        _(
            "%(emails)s emails will be sent, in the background: a self-assessment and "
            "nomination link to each of the %(participants)s participants, and a feedback link "
            "to each supervisor."
        )
        % {"emails": emails, "participants": participants},
        _("The rules of the cycle (threshold, rater limits, approvals) are then fixed."),
    ]
    return confirm(
        request, cycle, title=_("Open the cycle"), lines=lines, button=_("Open and send")
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_close(request, cycle_id):
    cycle = get_cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.OPEN:
        return not_now(request, cycle, _("Only an open cycle can be closed."))
    if request.method == "POST":
        return run_rule(request, cycle, cycles.close_cycle, _("The cycle is closed."))
    totals = monitoring.cycle_totals(cycle)
    lines = [
        _(
            "Closing stops all answers: rater links stop working and drafts are kept but never "
            "counted."
        ),
        _(
            "%(waiting)s raters have a link and have not answered yet. You can still re-open "
            "the cycle, with a reason, until reports are released."
        )
        % {"waiting": totals["remindable"]},
    ]
    return confirm(
        request, cycle, title=_("Close the cycle"), lines=lines, button=_("Close"), danger=True
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_reopen(request, cycle_id):
    cycle = get_cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.CLOSED:
        return not_now(
            request, cycle, _("Only a closed cycle that is not released can be re-opened.")
        )
    form = ReasonForm(request.POST or None, reason_required=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                cycles.reopen_cycle(
                    cycle=cycle, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                if error.field == "reason":
                    field_error(form, error)
                else:
                    messages.error(request, error.message)
                    return redirect("hr:cycle_detail", cycle.pk)
            else:
                messages.success(request, _("The cycle is open again."))
                return redirect("hr:cycle_detail", cycle.pk)
        status = 400
    lines = [
        _(
            "Re-opening lets raters answer again with the links they have, until the close "
            "date. Extend the close date first if it has passed."
        ),
        _("The reason is kept in the audit trail."),
    ]
    return confirm(
        request,
        cycle,
        title=_("Re-open the cycle"),
        lines=lines,
        button=_("Re-open"),
        form=form,
        status=status,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_release(request, cycle_id):
    cycle = get_cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.CLOSED:
        return not_now(request, cycle, _("Close the cycle before releasing its reports."))
    check = hr_actions.release_check(cycle)
    # When anything is short, the admin types the cycle's name: release cannot be undone.
    form = ConfirmNameForm(request.POST or None, cycle=cycle) if check.short else None
    status = 200
    if request.method == "POST":
        # Out of order, the rule refuses with its own message; in order, a short cycle needs
        # its name typed.
        if cycle.state != State.CLOSED or form is None or form.is_valid():
            return run_rule(
                request,
                cycle,
                hr_actions.release,
                _("Reports are released. Participants are being told by email."),
            )
        status = 400
    lines = [
        _(
            "Releasing makes reports available and is final: the cycle can never be re-opened "
            "and no answer can change afterwards."
        ),
        _("Each of the %(n)s participants gets an email that their report is ready.")
        % {"n": check.totals["participants"]},
    ]
    return confirm(
        request,
        cycle,
        title=_("Release the reports"),
        lines=lines,
        button=_("Release reports"),
        danger=True,
        form=form,
        status=status,
        check=check,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_extend(request, cycle_id):
    cycle = get_cycle(cycle_id)
    if cycle.state == State.RELEASED:
        messages.error(request, _("Reports are released: the cycle can no longer be extended."))
        return redirect("hr:cycle_detail", cycle.pk)
    form = ExtendForm(
        request.POST or None,
        initial={"closes_on": max(cycle.closes_on, timezone.localdate()) + datetime.timedelta(7)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                hr_actions.extend_close_date(
                    cycle=cycle, by=request.user, closes_on=form.cleaned_data["closes_on"]
                )
            except DomainError as error:
                field_error(form, error)
            else:
                message = _("The close date is now %(date)s.") % {
                    "date": date_format(form.cleaned_data["closes_on"])
                }
                if cycle.state == State.CLOSED:
                    message += " " + _("The cycle is still closed: re-open it to take answers.")
                messages.success(request, message)
                return redirect("hr:cycle_detail", cycle.pk)
        status = 400
    lines = [
        _("The cycle closes on %(date)s. Choose a later date; raters see it in their reminders.")
        % {"date": date_format(cycle.closes_on)}
    ]
    return confirm(
        request,
        cycle,
        title=_("Extend the close date"),
        lines=lines,
        button=_("Extend"),
        form=form,
        status=status,
    )
