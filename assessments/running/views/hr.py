"""HR admins' pages: cycles, imports, monitoring, transitions, reminders and exports.

Every view is behind ``hr_required``: anonymous visitors are sent to sign in, and anyone signed
in who is not an HR admin (``access.is_hr``) gets 404, as for any page that is not theirs (the
HR pages do not confirm that they exist). Cycles have no owner: every HR admin may run every
cycle. Objects are fetched through helpers that 404 when they do not belong together (a rater of
another participant, a participant of another cycle). Transitions are confirmed: GET explains,
POST does.
"""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from assessments import access, idempotency
from assessments.answering import cards, invitations
from assessments.answering.views import leader as leader_views
from assessments.errors import DomainError
from assessments.models import Cycle, EmailDelivery, Participant, Rater, RaterGroup, ReportArchive
from assessments.reporting import report_archives
from assessments.running import cohort, cycles, exports, imports, monitoring, reminders
from assessments.running.forms import (
    CardRaterForm,
    ConfirmNameForm,
    CycleForm,
    ExtendForm,
    ImportForm,
    ParticipantFilterForm,
    ReasonForm,
    ReminderAudienceForm,
    ReminderScheduleForm,
    ReplaceRaterForm,
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


def hr_required(view):
    """Sign in first; then HR admins only, everyone else 404."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not access.is_hr(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


def _cycle(cycle_id):
    return get_object_or_404(Cycle, pk=cycle_id)


def _participant(cycle, participant_id):
    return get_object_or_404(
        Participant.objects.select_related("person", "level", "supervisor", "cycle"),
        pk=participant_id,
        cycle=cycle,
    )


def _rater(participant, rater_id):
    rater = get_object_or_404(
        Rater.objects.select_related("response"), pk=rater_id, participant=participant
    )
    rater.participant = participant
    return rater


def _field_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


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
            cycle = cohort.create_cycle(by=request.user, **form.cleaned_data)
        except DomainError as error:
            _field_error(form, error)
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
    cycle = _cycle(cycle_id)
    if cycle.state == State.RELEASED:
        messages.error(request, _("A released cycle can no longer change."))
        return redirect("hr:cycle_detail", cycle.pk)
    form = CycleForm(request.POST or None, instance=_cycle(cycle_id))
    if request.method == "POST" and form.is_valid():
        try:
            cohort.update_cycle(cycle=cycle, by=request.user, changes=form.changes())
        except DomainError as error:
            _field_error(form, error)
        else:
            messages.success(request, _("The cycle was saved."))
            return redirect("hr:cycle_detail", cycle.pk)
    return render(request, "assessments/hr/cycle_form.html", {"form": form, "cycle": cycle})


# --- monitoring ----------------------------------------------------------------------------


@hr_required
def cycle_detail(request, cycle_id):
    cycle = _cycle(cycle_id)
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


@hr_required
def participant_detail(request, cycle_id, participant_id):
    cycle = _cycle(cycle_id)
    participant = _participant(cycle, participant_id)
    raters = monitoring.raters_of(participant)
    rows = [
        {
            "rater": rater,
            "response": getattr(rater, "response", None),
            "can_resend": invitations.link_ready(rater) is None,
            "can_replace": cycle.state in (State.DRAFT, State.OPEN)
            and rater.group != RaterGroup.SELF,
            "can_remove": cycle.state != State.RELEASED and rater.group != RaterGroup.SELF,
            "has_card": not rater.has_email and cards.card_problem(rater) is None,
        }
        for rater in raters
    ]
    return render(
        request,
        "assessments/hr/participant_detail.html",
        {
            "cycle": cycle,
            "participant": participant,
            "rows": rows,
            "card_form": CardRaterForm() if cycle.state in (State.DRAFT, State.OPEN) else None,
        },
    )


# --- imports -------------------------------------------------------------------------------


def _import_view(request, cycle, *, run, template, success):
    if cycle.state not in imports.IMPORTABLE_STATES:
        messages.error(request, _("Imports are only possible while the cycle is a draft or open."))
        return redirect("hr:cycle_detail", cycle.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = run(cycle=cycle, data=form.read(), by=request.user)
            except imports.ImportRejected as rejected:
                for error in rejected.errors:
                    if error.row is None:
                        form.add_error("file", error.message)
                    else:
                        row_errors.append(error)
                if row_errors:
                    messages.error(request, rejected.message)
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, success(outcome))
                return redirect("hr:cycle_detail", cycle.pk)
        status = 400
    context = {
        "cycle": cycle,
        "form": form,
        "row_errors": row_errors,
        "max_rows": imports.MAX_ROWS,
        "max_mb": imports.MAX_BYTES // (1024 * 1024),
    }
    if template.endswith("import_participants.html"):
        context["columns"] = [
            (name, imports.COLUMN_HELP[name]) for name in imports.PARTICIPANT_COLUMNS
        ]
        context["levels"] = Level.objects.filter(edition=cycle.edition)
    return render(request, template, context, status=status)


@hr_required
@require_http_methods(["GET", "POST"])
def import_participants(request, cycle_id):
    def success(summary):
        message = _(
            "Import done: %(added)s participants added, %(updated)s updated, %(unchanged)s "
            "unchanged; %(accounts)s new accounts."
        ) % {
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "accounts": summary.accounts_created,
        }
        if summary.without_supervisor:
            message += " " + _(
                "%(n)s participants have no supervisor: check that they are at the top of "
                "the hierarchy."
            ) % {"n": summary.without_supervisor}
        return message

    return _import_view(
        request,
        _cycle(cycle_id),
        run=imports.import_participants,
        template="assessments/hr/import_participants.html",
        success=success,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def import_raters(request, cycle_id):
    return _import_view(
        request,
        _cycle(cycle_id),
        run=imports.import_raters,
        template="assessments/hr/import_raters.html",
        success=lambda added: _("Import done: %(n)s raters nominated.") % {"n": added},
    )


def _csv_download(content, filename):
    response = HttpResponse(content, content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@hr_required
def participants_template(request):
    return _csv_download(
        imports.template_csv(imports.PARTICIPANT_COLUMNS), "participants_template.csv"
    )


@hr_required
def raters_template(request):
    return _csv_download(imports.template_csv(imports.RATER_COLUMNS), "raters_template.csv")


# --- transitions ---------------------------------------------------------------------------


def _confirm(
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


def _not_now(request, cycle, message):
    """A confirmation page is pointless when the action cannot happen: say why, on the cycle
    page. (The rule checks again on POST, under a lock.)"""
    messages.error(request, message)
    return redirect("hr:cycle_detail", cycle.pk)


def _run(request, cycle, action, success, **kwargs):
    """Call a rule; a DomainError becomes a message on the cycle page."""
    try:
        action(cycle=cycle, by=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("hr:cycle_detail", cycle.pk)


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_open(request, cycle_id):
    cycle = _cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.DRAFT:
        return _not_now(request, cycle, _("Only a draft cycle can be opened."))
    if request.method == "POST":
        return _run(
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
    return _confirm(
        request, cycle, title=_("Open the cycle"), lines=lines, button=_("Open and send")
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_close(request, cycle_id):
    cycle = _cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.OPEN:
        return _not_now(request, cycle, _("Only an open cycle can be closed."))
    if request.method == "POST":
        return _run(request, cycle, cycles.close_cycle, _("The cycle is closed."))
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
    return _confirm(
        request, cycle, title=_("Close the cycle"), lines=lines, button=_("Close"), danger=True
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_reopen(request, cycle_id):
    cycle = _cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.CLOSED:
        return _not_now(
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
                    _field_error(form, error)
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
    return _confirm(
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
    cycle = _cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.CLOSED:
        return _not_now(request, cycle, _("Close the cycle before releasing its reports."))
    check = cohort.release_check(cycle)
    # When anything is short, the admin types the cycle's name: release cannot be undone.
    form = ConfirmNameForm(request.POST or None, cycle=cycle) if check.short else None
    status = 200
    if request.method == "POST":
        # Out of order, the rule refuses with its own message; in order, a short cycle needs
        # its name typed.
        if cycle.state != State.CLOSED or form is None or form.is_valid():
            return _run(
                request,
                cycle,
                cohort.release,
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
    return _confirm(
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
    cycle = _cycle(cycle_id)
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
                cohort.extend_close_date(
                    cycle=cycle, by=request.user, closes_on=form.cleaned_data["closes_on"]
                )
            except DomainError as error:
                _field_error(form, error)
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
    return _confirm(
        request,
        cycle,
        title=_("Extend the close date"),
        lines=lines,
        button=_("Extend"),
        form=form,
        status=status,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_remind(request, cycle_id):
    """Choose whom to remind, see who and how many, then send: one email per person."""
    cycle = _cycle(cycle_id)
    if request.method == "GET" and cycle.state != State.OPEN:
        return _not_now(request, cycle, _("Reminders can only be sent while the cycle is open."))
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
    cycle = _cycle(cycle_id)
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


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_report_pdfs(request, cycle_id):
    """A released cycle's reports as one zip of PDFs, built in the background."""
    cycle = _cycle(cycle_id)
    if request.method == "POST":
        try:
            report_archives.request_archive(cycle=cycle, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("hr:cycle_report_pdfs", cycle.pk)
    archive = report_archives.latest(cycle)
    context = {
        "cycle": cycle,
        "archive": archive,
        "building": archive is not None and archive.state in ("waiting", "building"),
        "released": cycle.state == State.RELEASED,
    }
    return render(request, "assessments/hr/report_pdfs.html", context)


@hr_required
def report_archive_download(request, cycle_id, archive_id):
    cycle = _cycle(cycle_id)
    archive = get_object_or_404(
        ReportArchive.objects.select_related("cycle"),
        pk=archive_id,
        cycle=cycle,
        state=ReportArchive.State.READY,
    )
    response = HttpResponse(bytes(archive.content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{report_archives.filename(archive)}"'
    return response


# --- raters --------------------------------------------------------------------------------


@hr_required
@require_POST
def rater_resend(request, cycle_id, participant_id, rater_id):
    cycle = _cycle(cycle_id)
    participant = _participant(cycle, participant_id)
    rater = _rater(participant, rater_id)
    try:
        cohort.resend_link(rater=rater, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s's link is being sent again (the same link as before).")
            % {"name": rater.name},
        )
    return redirect("hr:participant_detail", cycle.pk, participant.pk)


@hr_required
@require_POST
def delivery_retry(request, cycle_id, delivery_id):
    cycle = _cycle(cycle_id)
    delivery = get_object_or_404(EmailDelivery, pk=delivery_id, cycle=cycle)
    try:
        cohort.retry_delivery(delivery=delivery, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The email is being sent again to %(to)s.") % {"to": delivery.to}
        )
    return redirect("hr:cycle_detail", cycle.pk)


@hr_required
@require_http_methods(["GET", "POST"])
def rater_replace(request, cycle_id, participant_id, rater_id):
    cycle = _cycle(cycle_id)
    participant = _participant(cycle, participant_id)
    rater = _rater(participant, rater_id)
    form = ReplaceRaterForm(request.POST or None, rater=rater)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new = cohort.replace_rater(rater=rater, by=request.user, **form.cleaned_data)
            except DomainError as error:
                _field_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(old)s was replaced by %(new)s.") % {"old": rater.name, "new": new.name},
                )
                return redirect("hr:participant_detail", cycle.pk, participant.pk)
        status = 400
    return render(
        request,
        "assessments/hr/rater_replace.html",
        {"cycle": cycle, "participant": participant, "rater": rater, "form": form},
        status=status,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def rater_remove(request, cycle_id, participant_id, rater_id):
    cycle = _cycle(cycle_id)
    participant = _participant(cycle, participant_id)
    rater = _rater(participant, rater_id)
    submitted = rater.status == Status.SUBMITTED
    form = ReasonForm(request.POST or None, reason_required=submitted)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                cohort.remove_rater(
                    rater=rater, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                _field_error(form, error)
            else:
                messages.success(request, _("%(name)s was removed.") % {"name": rater.name})
                return redirect("hr:participant_detail", cycle.pk, participant.pk)
        status = 400
    return render(
        request,
        "assessments/hr/rater_remove.html",
        {
            "cycle": cycle,
            "participant": participant,
            "rater": rater,
            "submitted": submitted,
            "form": form,
        },
        status=status,
    )


# --- exports -------------------------------------------------------------------------------


@hr_required
def export_participation(request, cycle_id):
    cycle = _cycle(cycle_id)
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404
    participants = monitoring.sort_participants(
        monitoring.participants_with_progress(cycle), "name"
    )
    name = f"participation-{slugify(cycle.name) or cycle.pk}-{timezone.localdate().isoformat()}"
    if kind == "csv":
        return _csv_download(exports.to_csv(participants), f"{name}.csv")
    response = HttpResponse(
        exports.to_xlsx(participants, title=cycle.name), content_type=exports.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@hr_required
@require_http_methods(["GET"])
def rater_card(request, cycle_id, participant_id, rater_id):
    """The printable card of a rater without email, for HR to print or send to the leader."""
    cycle = _cycle(cycle_id)
    participant = _participant(cycle, participant_id)
    rater = _rater(participant, rater_id)
    if rater.has_email:
        raise Http404
    return leader_views.render_card(
        request,
        rater,
        back_url=reverse("hr:participant_detail", args=[cycle.pk, participant.pk]),
        back_label=participant.person.get_full_name(),
    )


@hr_required
@require_POST
def rater_add_without_email(request, cycle_id, participant_id):
    cycle = _cycle(cycle_id)
    participant = _participant(cycle, participant_id)
    form = CardRaterForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
    else:
        try:
            rater = cohort.add_rater_without_email(
                participant=participant, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s was added. Print their card from the list of raters.")
                % {"name": rater.name},
            )
    return redirect("hr:participant_detail", cycle.pk, participant.pk)
