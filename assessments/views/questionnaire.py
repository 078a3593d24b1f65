"""Answering the questionnaire, by personal link (raters) or signed in (the self-assessment).

Both ways reach the same views: a small ``Access`` says whose answers these are and how to
link between the pages. Every page works without JavaScript (plain form posts); htmx only adds
a background save when an answer changes.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import access as access_rules
from .. import responses
from ..errors import DomainError
from ..models import COMMENT_MAX_LENGTH, Comment, Cycle, Rater, RaterGroup
from ..questionnaire import NOT_OBSERVED, NOT_OBSERVED_LABEL, build_questionnaire
from ..tokens import find_rater, record_wrong_link, too_many_wrong_links

Status = Rater.Status

RATER_QUERYSET = Rater.objects.select_related(
    "participant__cycle", "participant__person", "participant__level"
)


@dataclass
class Access:
    rater: Rater
    by_token: bool
    key: str | int  # the token, the participant id of the self-assessment, or the rater id
    # Signed in as the person the feedback is asked of (home's "Feedback requested from you").
    by_account: bool = False

    @property
    def namespace(self):
        return "rater" if self.by_token else "my360"

    def url(self, page, *args):
        if self.by_token:
            name = f"rater:{page}"
        elif self.by_account:
            name = f"my360:feedback_{page}"
        else:
            name = f"my360:self_{page}"
        return reverse(name, args=[self.key, *args])


def _token_access(token):
    rater = find_rater(token, RATER_QUERYSET)
    if rater is None or rater.participant.cycle.state != Cycle.State.OPEN:
        return None
    return Access(rater=rater, by_token=True, key=token)


def _self_access(request, participant_id):
    rater = get_object_or_404(
        RATER_QUERYSET,
        participant_id=participant_id,
        participant__person=request.user,
        group=RaterGroup.SELF,
    )
    return Access(rater=rater, by_token=False, key=participant_id)


def _link_not_valid(request):
    """Wrong, replaced and expired links all get this page: nothing says which it was."""
    return render(request, "assessments/questionnaire/link_not_valid.html", status=404)


def _closed(request, access):
    return render(
        request,
        "assessments/questionnaire/closed.html",
        _base_context(access, None),
        status=200,
    )


def _base_context(access, questionnaire, answers=None):
    rater = access.rater
    participant = rater.participant
    context = {
        "access": access,
        "rater": rater,
        "participant": participant,
        "leader_name": participant.person.get_full_name(),
        "cycle": participant.cycle,
        "is_self": rater.group == RaterGroup.SELF,
        "is_supervisor": rater.group == RaterGroup.SUPERVISOR,
        "read_only": rater.status in (Status.SUBMITTED, Status.DECLINED),
        "start_url": access.url("start"),
        "review_url": access.url("review"),
        "decline_url": access.url("decline") if rater.group != RaterGroup.SELF else None,
    }
    if questionnaire is not None:
        answers = answers or {}
        context["sections_nav"] = [
            {
                "number": s.number,
                "name": s.enabler.name,
                "url": access.url("section", s.number),
                "done": all(key in answers for key in s.item_keys),
            }
            for s in questionnaire.sections
        ]
        context["sections_done"] = sum(1 for s in context["sections_nav"] if s["done"])
        context["section_count"] = len(questionnaire.sections)
    return context


def _first_open_section(questionnaire, answers):
    for section in questionnaire.sections:
        if any(key not in answers for key in section.item_keys):
            return section.number
    return 1


# --- pages -------------------------------------------------------------------------------


def _start(request, access):
    rater = access.rater
    questionnaire = build_questionnaire(rater.participant.level)
    response = getattr(rater, "response", None) if rater.status != Status.NOMINATED else None
    answers = responses.answers_of(response)
    context = _base_context(access, questionnaire, answers)
    context["continue_url"] = access.url("section", _first_open_section(questionnaire, answers))
    context["has_answers"] = bool(answers)
    context["item_count"] = len(questionnaire.item_keys)
    context["k"] = rater.participant.cycle.anonymity_threshold
    return render(request, "assessments/questionnaire/start.html", context)


def _section_rows(section, answers, missing, errors):
    def row(item):
        current = answers.get(item.key)
        current = str(current) if current is not None else None
        choices = [(str(v), label) for v, label in item.scale]
        choices.append((NOT_OBSERVED, NOT_OBSERVED_LABEL))
        return {
            "item": item,
            "choices": [
                {"value": v, "label": label, "checked": v == current, "id": f"{item.key}-{v}"}
                for v, label in choices
            ],
            "missing": item.key in missing,
            "error": errors.get(item.key),
        }

    return {
        "general": [row(i) for i in section.general_items],
        "level": [row(i) for i in section.level_items],
        "pitfalls": [row(i) for i in section.pitfall_items],
    }


def _read_section_post(section, data):
    """The posted answers and comments of one section, and what is wrong with them."""
    values = {item.key: data.get(item.key, "") for item in section.items}
    comments = {kind: data.get(f"comment_{kind}", "") for kind in Comment.Kind.values}
    errors = {}
    for kind, text in comments.items():
        if len(text) > COMMENT_MAX_LENGTH:
            errors[f"comment_{kind}"] = _(
                "Please keep this under %(max)s characters (it has %(n)s)."
            ) % {"max": COMMENT_MAX_LENGTH, "n": len(text)}
    return values, comments, errors


def _render_section(request, access, questionnaire, section, answers, comments, **extra):
    missing = set(extra.pop("missing", ()))
    errors = extra.pop("errors", {})
    context = _base_context(access, questionnaire, extra.pop("saved_answers", answers))
    enabler_id = section.enabler.pk
    context.update(
        {
            "section": section,
            "rows": _section_rows(section, answers, missing, errors),
            "level": access.rater.participant.level,
            "comment_strength": comments.get((enabler_id, Comment.Kind.STRENGTH), ""),
            "comment_improvement": comments.get((enabler_id, Comment.Kind.IMPROVEMENT), ""),
            "comment_errors": errors,
            "comment_max": COMMENT_MAX_LENGTH,
            "action_url": access.url("section", section.number),
            "previous_url": access.url("section", section.number - 1)
            if section.number > 1
            else None,
            "next_url": access.url("section", section.number + 1)
            if section.number < len(questionnaire.sections)
            else None,
            "is_last": section.number == len(questionnaire.sections),
            "missing_count": len(missing),
            **extra,
        }
    )
    status = 400 if errors or extra.get("error") else 200
    return render(request, "assessments/questionnaire/section.html", context, status=status)


def _section(request, access, number):
    rater = access.rater
    questionnaire = build_questionnaire(rater.participant.level)
    section = questionnaire.section(number)
    if section is None:
        raise Http404
    if request.method == "GET":
        response = getattr(rater, "response", None)
        answers = responses.answers_of(response)
        comments = responses.comments_of(response)
        missing = ()
        if request.GET.get("check"):
            missing = [key for key in section.item_keys if key not in answers]
        return _render_section(
            request, access, questionnaire, section, answers, comments, missing=missing
        )

    values, posted_comments, errors = _read_section_post(section, request.POST)
    if not errors:
        try:
            responses.save_section(
                rater=rater, section=section, values=values, comments=posted_comments
            )
        except DomainError as error:
            if error.field:
                errors[error.field] = error.message
            else:
                errors["__all__"] = error.message
    if request.headers.get("HX-Request"):
        return _autosave_status(errors)
    if errors:
        # Show what was typed, not what was saved: nothing typed is lost.
        response = responses.Response.objects.filter(rater=rater).first()
        answers = responses.answers_of(response)
        shown_answers = {**answers, **{k: v for k, v in values.items() if v}}
        shown_comments = {
            **responses.comments_of(response),
            **{(section.enabler.pk, kind): text for kind, text in posted_comments.items()},
        }
        return _render_section(
            request,
            access,
            questionnaire,
            section,
            shown_answers,
            shown_comments,
            errors=errors,
            error=errors.get("__all__")
            or _("Nothing was saved: please correct what is marked below."),
            saved_answers=answers,
        )
    go = request.POST.get("go", "next")
    if go == "stay":
        return redirect(access.url("section", number) + "?saved=1")
    if go == "previous" and number > 1:
        return redirect(access.url("section", number - 1))
    if go == "next" and number < len(questionnaire.sections):
        return redirect(access.url("section", number + 1))
    return redirect(access.url("review"))


def _autosave_status(errors):
    if errors:
        message = errors.get("__all__") or _("Not saved: check the answers on this page.")
        return HttpResponse(
            f'<span class="text-danger" role="alert">{escape(message)}</span>', status=200
        )
    stamp = timezone.localtime().strftime("%H:%M")
    return HttpResponse(
        f'<span class="text-success">{escape(_("Draft saved at %(time)s") % {"time": stamp})}'
        "</span>"
    )


def _review(request, access):
    rater = access.rater
    questionnaire = build_questionnaire(rater.participant.level)
    error = None
    if request.method == "POST":
        try:
            responses.submit_response(rater=rater, questionnaire=questionnaire)
        except responses.IncompleteResponse as incomplete:
            error = incomplete.message
        except DomainError as problem:
            error = problem.message
        else:
            return redirect(access.url("thanks"))
    response = responses.Response.objects.filter(rater=rater).first()
    answers = responses.answers_of(response)
    missing_by_section = []
    for section in questionnaire.sections:
        missing = [item for item in section.items if item.key not in answers]
        if missing:
            missing_by_section.append(
                {
                    "section": section,
                    "url": access.url("section", section.number) + "?check=1",
                    "items": missing,
                }
            )
    context = _base_context(access, questionnaire, answers)
    context.update(
        {
            "missing_by_section": missing_by_section,
            "missing_count": sum(len(m["items"]) for m in missing_by_section),
            "answered_count": len(answers),
            "item_count": len(questionnaire.item_keys),
            "error": error,
        }
    )
    return render(
        request,
        "assessments/questionnaire/review.html",
        context,
        status=400 if error else 200,
    )


def _decline(request, access):
    if access.rater.group == RaterGroup.SELF:
        raise Http404
    error = None
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        if len(reason) > 2000:
            error = _("Please keep the reason under 2000 characters.")
        else:
            try:
                responses.decline(rater=access.rater, reason=reason)
            except DomainError as problem:
                error = problem.message
            else:
                return redirect(access.url("start"))
    context = _base_context(access, None)
    context["error"] = error
    context["reason"] = request.POST.get("reason", "")
    return render(
        request,
        "assessments/questionnaire/decline.html",
        context,
        status=400 if error else 200,
    )


def _thanks(request, access):
    return render(request, "assessments/questionnaire/thanks.html", _base_context(access, None))


# --- by personal link ----------------------------------------------------------------------


def _by_token(page):
    @never_cache
    def view(request, token, **kwargs):
        address = request.META.get("REMOTE_ADDR", "")
        if too_many_wrong_links(address):
            return render(request, "assessments/questionnaire/too_many.html", status=429)
        access = _token_access(token)
        if access is None:
            record_wrong_link(address)
            return _link_not_valid(request)
        return page(request, access, **kwargs)

    view.__name__ = page.__name__.lstrip("_")
    return view


start = require_http_methods(["GET"])(_by_token(_start))
section = require_http_methods(["GET", "POST"])(_by_token(_section))
review = require_http_methods(["GET", "POST"])(_by_token(_review))
decline = require_http_methods(["GET", "POST"])(_by_token(_decline))
thanks = require_http_methods(["GET"])(_by_token(_thanks))


# --- signed in: the self-assessment --------------------------------------------------------


def _signed_in(page):
    @login_required
    @never_cache
    def view(request, participant_id, **kwargs):
        access = _self_access(request, participant_id)
        if access.rater.participant.cycle.state != Cycle.State.OPEN:
            return _closed(request, access)
        return page(request, access, **kwargs)

    view.__name__ = f"self_{page.__name__.lstrip('_')}"
    return view


self_start = require_http_methods(["GET"])(_signed_in(_start))
self_section = require_http_methods(["GET", "POST"])(_signed_in(_section))
self_review = require_http_methods(["GET", "POST"])(_signed_in(_review))
self_thanks = require_http_methods(["GET"])(_signed_in(_thanks))


# --- signed in: feedback asked of the user (no email link needed) ---------------------------


def _as_account(page):
    @login_required
    @never_cache
    def view(request, rater_id, **kwargs):
        rater = access_rules.own_feedback_request(request.user, rater_id)
        return page(
            request, Access(rater=rater, by_token=False, key=rater_id, by_account=True), **kwargs
        )

    view.__name__ = f"feedback_{page.__name__.lstrip('_')}"
    return view


feedback_start = require_http_methods(["GET"])(_as_account(_start))
feedback_section = require_http_methods(["GET", "POST"])(_as_account(_section))
feedback_review = require_http_methods(["GET", "POST"])(_as_account(_review))
feedback_decline = require_http_methods(["GET", "POST"])(_as_account(_decline))
feedback_thanks = require_http_methods(["GET"])(_as_account(_thanks))
