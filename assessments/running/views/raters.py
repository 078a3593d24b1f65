"""HR's rater administration: resend a link, send a failed email again, replace or remove a
rater, a rater's printed card, a rater without email added by HR."""

from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.access import hr_cycle_for, hr_delivery_for, hr_participant_for, hr_rater_of
from assessments.answering.views import leader as leader_views
from assessments.models import Rater
from assessments.running import hr_actions
from assessments.running.forms import (
    CardRaterForm,
    ReasonForm,
    ReplaceRaterForm,
)
from assessments.running.views.common import (
    act,
    failed_post_status,
    hr_required,
    submit,
)

Status = Rater.Status


# --- raters --------------------------------------------------------------------------------


@hr_required
@require_POST
def rater_resend(request, cycle_id, participant_id, rater_id):
    cycle, participant, rater = hr_rater_of(cycle_id, participant_id, rater_id)
    return act(
        request,
        partial(hr_actions.resend_link, rater=rater, by=request.user),
        _("%(name)s's link is being sent again (the same link as before).") % {"name": rater.name},
        "hr:participant_detail",
        cycle.pk,
        participant.pk,
    )


@hr_required
@require_POST
def delivery_retry(request, cycle_id, delivery_id):
    cycle = hr_cycle_for(cycle_id)
    delivery = hr_delivery_for(cycle, delivery_id)
    return act(
        request,
        partial(hr_actions.retry_delivery, delivery=delivery, by=request.user),
        _("The email is being sent again to %(to)s.") % {"to": delivery.to},
        "hr:cycle_detail",
        cycle.pk,
    )


@hr_required
@require_http_methods(["GET", "POST"])
def rater_replace(request, cycle_id, participant_id, rater_id):
    cycle, participant, rater = hr_rater_of(cycle_id, participant_id, rater_id)
    form = ReplaceRaterForm(request.POST or None, rater=rater)
    replaced = submit(
        request,
        form,
        lambda data: hr_actions.replace_rater(rater=rater, by=request.user, **data),
        lambda new: _("%(old)s was replaced by %(new)s.") % {"old": rater.name, "new": new.name},
    )
    if replaced:
        return redirect("hr:participant_detail", cycle.pk, participant.pk)
    return render(
        request,
        "assessments/hr/rater_replace.html",
        {"cycle": cycle, "participant": participant, "rater": rater, "form": form},
        status=failed_post_status(request),
    )


@hr_required
@require_http_methods(["GET", "POST"])
def rater_remove(request, cycle_id, participant_id, rater_id):
    cycle, participant, rater = hr_rater_of(cycle_id, participant_id, rater_id)
    submitted = rater.status == Status.SUBMITTED
    form = ReasonForm(request.POST or None, reason_required=submitted)
    removed = submit(
        request,
        form,
        lambda data: hr_actions.remove_rater(rater=rater, by=request.user, **data),
        _("%(name)s was removed.") % {"name": rater.name},
    )
    if removed:
        return redirect("hr:participant_detail", cycle.pk, participant.pk)
    context = {"cycle": cycle, "participant": participant, "rater": rater, "form": form}
    return render(
        request,
        "assessments/hr/rater_remove.html",
        context | {"submitted": submitted},
        status=failed_post_status(request),
    )


@hr_required
@require_http_methods(["GET"])
def rater_card(request, cycle_id, participant_id, rater_id):
    """The printable card of a rater without email, for HR to print or send to the leader."""
    cycle, participant, rater = hr_rater_of(cycle_id, participant_id, rater_id)
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
    cycle = hr_cycle_for(cycle_id)
    participant = hr_participant_for(cycle, participant_id)
    form = CardRaterForm(request.POST)
    back = ("hr:participant_detail", cycle.pk, participant.pk)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(*back)
    return act(
        request,
        partial(
            hr_actions.add_rater_without_email,
            participant=participant,
            by=request.user,
            **form.cleaned_data,
        ),
        lambda rater: (
            _("%(name)s was added. Print their card from the list of raters.")
            % {"name": rater.name}
        ),
        *back,
    )
