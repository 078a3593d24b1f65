"""Signed-in pages of leaders and supervisors: home, My 360, nominations and approvals.

Every view fetches the participation through a helper that answers 404 unless it belongs to the
signed-in user (as the leader, or as the supervisor for approvals), so a page of someone else's
never confirms that it exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import access, idempotency
from assessments.answering import cards, nominations
from assessments.answering.forms import ApprovalForm, NominationForm, ReplaceNominationForm
from assessments.errors import DomainError
from assessments.models import (
    ANONYMOUS_GROUPS,
    CHANGING_STATES,
    NOMINATED_GROUPS,
    Cycle,
    Participant,
    Rater,
    RaterGroup,
)
from assessments.reporting import anonymity

Status = Rater.Status
Approval = Rater.Approval


@login_required
def home(request):
    participations = (
        Participant.objects.filter(person=request.user)
        .select_related("cycle", "level")
        .order_by("-cycle__opens_on", "cycle__name")
    )
    team = (
        Participant.objects.filter(
            supervisor=request.user, cycle__state__in=CHANGING_STATES, cycle__kind=Cycle.Kind.FULL
        )
        .select_related("cycle", "person")
        .annotate(pending=Count("raters", filter=Q(raters__approval=Approval.PENDING)))
        .order_by("cycle__closes_on", "cycle__name", "person__full_name")
    )
    return render(
        request,
        "home.html",
        {
            "shared_plans": access.shared_plans_for(request.user),
            "feedback_requests": access.feedback_requests(request.user),
            "participations": participations,
            "team": team,
            "team_reports": access.team_report_cycles_for(request.user),
            "shared_reports": access.shared_reports_for(request.user),
            "is_hr": access.is_hr(request.user),
        },
    )


@login_required
def index(request):
    return redirect("home")


def _rater_groups(participant, raters, counts):
    """The raters per group, in the compass's order, with the cycle's limits beside them.

    A nominee the leader sees as "Invited" can be corrected (replaced or withdrawn); the rule
    refuses it once they started, in words that do not say whether they started or submitted.
    """
    limits = participant.cycle.rater_limits()
    can_change = participant.cycle.accepts_changes
    groups = []
    for group in RaterGroup:
        members = [rater for rater in raters if rater.group == group]
        anonymous = group in ANONYMOUS_GROUPS
        rows = [_rater_row(rater, can_change=can_change) for rater in members]
        fewest, most = limits.get(group, (None, None))
        groups.append(
            {
                "value": group.value,
                "label": group.label,
                "rows": rows,
                "anonymous": anonymous,
                "nominated": group in NOMINATED_GROUPS,
                "count": counts.get(group),
                "fewest": fewest,
                "most": most,
                "answered": sum(1 for rater in members if rater.status == Status.SUBMITTED),
            }
        )
    return groups


def _rater_row(rater, *, can_change):
    if not anonymity.leader_sees_progress(rater):
        status_label = Status.INVITED.label
    else:
        status_label = rater.get_status_display()
    return {
        "rater": rater,
        "status_label": status_label,
        "card": not rater.has_email and cards.card_problem(rater) is None,
        "removable": can_change
        and rater.group in NOMINATED_GROUPS
        and rater.status != Status.DECLINED,
    }


def _render_participation(request, participant, form=None):
    raters = list(participant.raters.all())
    counts = nominations.group_counts(participant)
    context = {
        "participant": participant,
        "cycle": participant.cycle,
        "can_change": participant.cycle.accepts_changes,
        "self_rater": next((r for r in raters if r.group == RaterGroup.SELF), None),
        "groups": _rater_groups(participant, raters, counts),
        "problems": nominations.nomination_problems(participant, counts),
        "form": form or NominationForm(),
    }
    return render(request, "assessments/my360/participation.html", context)


@login_required
def participation(request, participant_id):
    participant = access.own_participation(request.user, participant_id)
    if participant.follows_id is not None:  # a progress pulse has its own page
        return redirect("pulses:detail", participant.pk)
    return _render_participation(request, participant)


@login_required
@require_POST
def nominate(request, participant_id):
    participant = access.own_participation(request.user, participant_id)
    url = reverse("my360:participation", args=[participant.pk])
    if seen := idempotency.repeat_of(request, fallback=url):
        return redirect(seen)
    form = NominationForm(request.POST)
    if form.is_valid():
        try:
            rater = nominations.nominate_rater(participant=participant, **form.rater_fields())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s was added to your raters (%(group)s).")
                % {"name": rater.name, "group": rater.get_group_display()},
            )
            return redirect(idempotency.remember(request, url))
    return _render_participation(request, participant, form)


@login_required
@require_POST
def remove_nomination(request, participant_id, rater_id):
    participant, rater = access.own_nominee_for(request.user, participant_id, rater_id)
    try:
        nominations.remove_nomination(rater=rater, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s was removed from your raters.") % {"name": rater.name}
        )
    return redirect("my360:participation", participant.pk)


@login_required
@require_http_methods(["GET", "POST"])
def replace_nomination(request, participant_id, rater_id):
    """Correct a nominee: someone else in their place (the page also offers removing them)."""
    participant, rater = access.own_nominee_for(request.user, participant_id, rater_id)
    form = ReplaceNominationForm.for_rater(rater, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = nominations.replace_nomination(rater=rater, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(old)s was replaced by %(new)s.") % {"old": rater.name, "new": new.name},
            )
            return redirect("my360:participation", participant.pk)
    context = {"participant": participant, "cycle": participant.cycle, "rater": rater, "form": form}
    return render(
        request,
        "assessments/my360/nominee_change.html",
        context,
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def submit_nominations(request, participant_id):
    participant = access.own_participation(request.user, participant_id)
    try:
        nominations.submit_nominations(participant=participant)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        cycle = participant.cycle
        if cycle.supervisor_approval_required and participant.supervisor is not None:
            message = _(
                "Your nominations were sent to %(supervisor)s for approval. Your raters are "
                "invited once they are approved."
            ) % {"supervisor": participant.supervisor.get_full_name()}
        elif cycle.is_open:
            message = _("Your nominations were sent: each rater receives an invitation by email.")
        else:
            message = _("Your nominations are saved: your raters are invited when the cycle opens.")
        messages.success(request, message)
    return redirect("my360:participation", participant.pk)


@login_required
def approvals(request, participant_id):
    participant = access.supervised_participation(request.user, participant_id)
    raters = list(
        participant.raters.filter(group__in=NOMINATED_GROUPS).exclude(approval=Approval.NOT_NEEDED)
    )
    # Nothing is decided before the leader sends the nominations, nor after the cycle closed.
    deciding = (
        participant.nominations_submitted_at is not None and participant.cycle.accepts_changes
    )
    pending = [r for r in raters if r.approval == Approval.PENDING] if deciding else []
    form = ApprovalForm(request.POST if request.method == "POST" else None, raters=pending)
    if request.method == "POST" and form.is_valid():
        _decide(request, participant, form)
        return redirect("my360:approvals", participant.pk)
    context = {
        "participant": participant,
        "cycle": participant.cycle,
        "deciding": deciding,
        "form": form,
        "decided": [r for r in raters if r.approval != Approval.PENDING],
        "waiting": [r for r in raters if r.approval == Approval.PENDING and not deciding],
    }
    return render(request, "assessments/my360/approvals.html", context)


def _decide(request, participant, form):
    """The supervisor's decisions, and a message that says what they did."""
    approved, rejected = form.decisions(
        approve_rest="approve_all" in request.POST, shown=request.POST.getlist("shown")
    )
    if not (approved or rejected):
        messages.info(request, _("Nothing was decided: choose approve or reject for a rater."))
        return
    try:
        nominations.decide_nominations(
            participant=participant,
            supervisor=request.user,
            approved_ids=approved,
            rejected_ids=rejected,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return
    if participant.cycle.is_open:
        message = _(
            "Approved: %(approved)s. Rejected: %(rejected)s. "
            "Approved raters receive their invitation by email now."
        )
    else:
        message = _(
            "Approved: %(approved)s. Rejected: %(rejected)s. "
            "Approved raters are invited when the cycle opens."
        )
    messages.success(request, message % {"approved": len(approved), "rejected": len(rejected)})


@login_required
@require_GET
def rater_card(request, participant_id, rater_id):
    """The printable card of one of the leader's raters without email (answering/cards.py)."""
    participant, rater = access.own_nominee_for(request.user, participant_id, rater_id, email="")
    rater.participant = participant
    return render_card(
        request,
        rater,
        back_url=reverse("my360:participation", args=[participant.pk]),
        back_label=_("Back to My 360"),
    )


def render_card(request, rater, *, back_url, back_label):
    """The card page, for the leader and for HR alike; a message instead when there is no
    card to print now."""
    problem = cards.card_problem(rater)
    if problem:
        messages.error(request, problem)
        return redirect(back_url)
    return render(
        request,
        "assessments/cards/card.html",
        {
            "card": cards.card_for(rater),
            "rater": rater,
            "cycle": rater.participant.cycle,
            "leader_name": rater.participant.person.get_full_name(),
            "back_url": back_url,
            "back_label": back_label,
        },
    )
