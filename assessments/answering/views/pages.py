"""The questionnaire's pages, whichever way the rater came (a link, signed in, a card's code):
start, the sections (saved as they go, in the background too), review and submit, decline,
the language, thanks. Each page takes the ``Access`` the entry point built."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from assessments import languages
from assessments.answering import responses
from assessments.answering.forms import DeclineForm, SectionForm
from assessments.answering.questionnaire import (
    prompt,
    rater_questionnaire,
)
from assessments.answering.views import fragments
from assessments.errors import DomainError
from assessments.models import COMMENT_MAX_LENGTH, Comment, Rater, RaterGroup
from assessments.validators import without_control_characters

Status = Rater.Status


def link_not_valid(request, cycle=None):
    """Wrong, replaced and expired links all get this page. A link of a closed cycle names that
    cycle's contact; any other names the site's contact, if one is set."""
    contact = cycle.contact if cycle is not None else settings.CONTACT_EMAIL
    return render(
        request,
        "assessments/questionnaire/link_not_valid.html",
        {"contact": contact},
        status=404,
    )


def closed(request, access):
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
        "is_pulse": participant.follows_id is not None,
        "read_only": rater.status in (Status.SUBMITTED, Status.DECLINED),
        "start_url": access.url("start"),
        "review_url": access.url("review"),
        "decline_url": access.url("decline") if rater.group != RaterGroup.SELF else None,
        "time_zone": settings.TIME_ZONE,
        # The header's language choice: a rater's is saved on the rater; a signed-in leader's
        # (self-assessment) on their account, through the site-wide address.
        "language_url": access.url("language") if access.by_token else None,
    }
    if questionnaire is not None:
        context.update(_sections_nav(access, questionnaire, answers or {}))
    return context


def _sections_nav(access, questionnaire, answers):
    nav = [
        {
            "number": s.number,
            "name": s.enabler.name,
            "url": access.url("section", s.number),
            "done": all(key in answers for key in s.item_keys),
        }
        for s in questionnaire.sections
    ]
    return {
        "sections_nav": nav,
        "sections_done": sum(1 for s in nav if s["done"]),
        "section_count": len(questionnaire.sections),
    }


def _first_open_section(questionnaire, answers):
    for section in questionnaire.sections:
        if any(key not in answers for key in section.item_keys):
            return section.number
    return 1


# --- pages -------------------------------------------------------------------------------


def start(request, access):
    rater = access.rater
    questionnaire = rater_questionnaire(rater.participant)
    response = getattr(rater, "response", None) if rater.status != Status.NOMINATED else None
    answers = responses.answers_of(response, changes=questionnaire.is_pulse)
    context = _base_context(access, questionnaire, answers)
    context["continue_url"] = access.url("section", _first_open_section(questionnaire, answers))
    context["has_answers"] = bool(answers)
    context["item_count"] = len(questionnaire.item_keys)
    context["k"] = rater.participant.cycle.anonymity_threshold
    return render(request, "assessments/questionnaire/start.html", context)


def _render_section(request, access, questionnaire, section, answers, comments, **extra):
    missing = set(extra.pop("missing", ()))
    errors = extra.pop("errors", {})
    context = _base_context(access, questionnaire, extra.pop("saved_answers", answers))
    comment = {kind: comments.get((section.enabler.pk, kind), "") for kind in Comment.Kind}
    rows, runs = fragments.section_rows(questionnaire, section, answers, missing, errors, context)
    context.update(
        {
            "section": section,
            "rows": rows,
            "runs": runs,
            "level": questionnaire.level,
            "next_level": questionnaire.next_level,
            "comment_strength": comment[Comment.Kind.STRENGTH],
            "comment_improvement": comment[Comment.Kind.IMPROVEMENT],
            "comment_errors": errors,
            "comment_max": COMMENT_MAX_LENGTH,
            "language_form_id": None if context["read_only"] else "section-form",
            "nav_html": _nav_html(questionnaire, section, context),
            "missing_count": len(missing),
            **_section_links(access, questionnaire, section),
            **extra,
        }
    )
    status = 400 if errors or extra.get("error") else 200
    html = fragments.section_page(request, questionnaire, section, context)
    if html is not None:
        return HttpResponse(html)
    return render(request, fragments.PAGE_TEMPLATE, context, status=status)


def _nav_html(questionnaire, section, context):
    if context["read_only"]:
        return None
    done = {s["number"] for s in context["sections_nav"] if s["done"]}
    return fragments.nav_html(questionnaire, section.number, done)


def _section_links(access, questionnaire, section):
    number, count = section.number, len(questionnaire.sections)
    here = access.url("section", number)
    return {
        "action_url": here,
        "previous_url": access.url("section", number - 1) if number > 1 else None,
        "next_url": access.url("section", number + 1) if number < count else None,
        "is_last": number == count,
        "sign_in_url": None
        if access.by_token
        else f"{reverse('login')}?{urlencode({'next': here})}",
    }


def section(request, access, number):
    questionnaire = rater_questionnaire(access.rater.participant)
    section = questionnaire.section(number)
    if section is None:
        raise Http404
    if request.method == "GET":
        return _show_section(request, access, questionnaire, section)
    form = SectionForm(request.POST, section=section)
    errors, saved = _save_section(access.rater, section, form)
    if is_autosave(request):
        if request.POST.get("autosave") == "beacon":  # the page is gone: nobody reads an answer
            return HttpResponse(status=400 if errors else 204)
        return _autosave_status(request, errors, saved)
    if errors:
        return _section_again(request, access, questionnaire, section, form, errors)
    return redirect(_after_save(request, access, questionnaire, number))


def _show_section(request, access, questionnaire, section):
    response = getattr(access.rater, "response", None)
    if questionnaire.is_pulse:  # its change questions, and no comments
        answers, comments = responses.answers_of(response, changes=True), {}
    else:
        answers, comments = responses.answers_and_comments(response)
    missing = ()
    if request.GET.get("check"):
        missing = [key for key in section.item_keys if key not in answers]
    return _render_section(
        request,
        access,
        questionnaire,
        section,
        answers,
        comments,
        missing=missing,
        saved_at=_stamp(response),
    )


def _save_section(rater, section, form):
    """(errors, the saved response): nothing is saved unless the whole section is valid."""
    errors, saved = form.first_errors(), None
    if not errors:
        try:
            saved = responses.save_section(
                rater=rater, section=section, values=form.values(), comments=form.comments()
            )
        except DomainError as error:
            errors[error.field or "__all__"] = error.message
    return errors, saved


def _section_again(request, access, questionnaire, section, form, errors):
    """Show what was typed, not what was saved: nothing typed is lost."""
    response = responses.Response.objects.filter(rater=access.rater).first()
    answers = responses.answers_of(response, changes=questionnaire.is_pulse)
    typed = {(section.enabler.pk, kind): text for kind, text in form.typed_comments().items()}
    return _render_section(
        request,
        access,
        questionnaire,
        section,
        {**answers, **{k: v for k, v in form.values().items() if v}},
        {**responses.comments_of(response), **typed},
        errors=errors,
        error=errors.get("__all__") or _("Nothing was saved: please correct what is marked below."),
        saved_answers=answers,
        saved_at=_stamp(response),
    )


def _after_save(request, access, questionnaire, number):
    """Where a section's buttons lead once it is saved."""
    go = request.POST.get("go", "next")
    if go.startswith("section-"):  # the section links post the answers on the way
        target = go.removeprefix("section-")
        if target.isdigit() and questionnaire.section(int(target)) is not None:
            return access.url("section", int(target))
    if go == "language":
        # Switching language from a section saves the section first: nothing typed is lost.
        _choose_language(request, access, request.POST.get("language", ""))
        return access.url("section", number)
    if go == "stay":
        return access.url("section", number) + "?saved=1"
    if go == "previous" and number > 1:
        return access.url("section", number - 1)
    if go == "next" and number < len(questionnaire.sections):
        return access.url("section", number + 1)
    return access.url("review")


def is_autosave(request):
    """A background save (the page's script, or htmx), not a press of a button."""
    return bool(
        request.headers.get("HX-Request")
        or request.headers.get("X-Autosave")
        or request.POST.get("autosave")
    )


def _stamp(response):
    """When the response was last saved (ms since the epoch): the page's script forgets what it
    kept on the device once the server has a save newer than the one the typing started from."""
    return str(int(response.updated_at.timestamp() * 1000)) if response is not None else "0"


def _autosave_status(request, errors, saved=None):
    """The line the page's script shows after a background save (a template, like any HTML)."""
    message = None
    if errors:
        message = errors.get("__all__") or _("Not saved: check the answers on this page.")
        if len(errors) == 1 and not errors.get("__all__"):
            message = _("Not saved: %(reason)s") % {"reason": next(iter(errors.values()))}
    context = {"error": message, "time": time_format(timezone.localtime())}  # reader's format
    response = render(request, "assessments/questionnaire/_autosave_status.html", context)
    if errors:
        response["X-Autosave-Error"] = "1"
    elif saved is not None:
        response["X-Saved-At"] = _stamp(saved)
    return response


def review(request, access):
    rater = access.rater
    questionnaire = rater_questionnaire(rater.participant)
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
    answers = responses.answers_of(response, changes=questionnaire.is_pulse)
    missing_by_section = _missing_by_section(access, questionnaire, answers)
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
    status = 400 if error else 200
    return render(request, "assessments/questionnaire/review.html", context, status=status)


def _missing_by_section(access, questionnaire, answers):
    """What is left to answer, per section, with a link that marks it there."""
    is_self = access.rater.group == RaterGroup.SELF
    missing_by_section = []
    for section in questionnaire.sections:
        missing = [
            {
                "key": item.key,
                "is_pitfall": item.is_pitfall,
                "title": item.title,
                "text": prompt(item, is_self=is_self),
            }
            for item in section.items
            if item.key not in answers
        ]
        if missing:
            missing_by_section.append(
                {
                    "section": section,
                    "url": access.url("section", section.number) + "?check=1",
                    "items": missing,
                }
            )
    return missing_by_section


def decline(request, access):
    if access.rater.group == RaterGroup.SELF:
        raise Http404
    error = None
    if request.method == "POST":
        form = DeclineForm(request.POST)
        if not form.is_valid():
            error = form.errors["reason"][0]
        else:
            try:
                responses.decline(rater=access.rater, reason=form.cleaned_data["reason"])
            except DomainError as problem:
                error = problem.message
            else:
                return redirect(access.url("start"))
    context = _base_context(access, None)
    context["error"] = error
    context["reason"] = without_control_characters(request.POST.get("reason", ""))
    return render(
        request,
        "assessments/questionnaire/decline.html",
        context,
        status=400 if error else 200,
    )


def _choose_language(request, access, code):
    if access.by_token:
        languages.choose_for_rater(access.rater, code)
    else:
        languages.choose_for_user(request.user, code)
    if languages.is_supported(code):
        languages.activate_for_request(request, code)


def language(request, access):
    """A rater's choice of language from any questionnaire page but a section's (which saves
    its answers first): saved on the rater, answers untouched; back to the page it came from."""
    _choose_language(request, access, request.POST.get("language", ""))
    target = request.POST.get("next", "")
    if not target.startswith(access.url("start")):
        target = access.url("start")
    response = redirect(target)
    return response


def answers_hidden(rater):
    """A rater with a printed card who has submitted: the card may have been copied, so the
    link shows only the thank-you page from then on, never the answers (answering/cards.py)."""
    return not rater.has_email and rater.status == Status.SUBMITTED


def thanks(request, access):
    context = _base_context(access, None)
    context["answers_hidden"] = answers_hidden(access.rater)
    return render(request, "assessments/questionnaire/thanks.html", context)
