"""Answering the questionnaire, by personal link (raters) or signed in (the self-assessment).

Both ways reach the same views: a small ``Access`` says whose answers these are and how to
link between the pages. Every page works without JavaScript (plain form posts); htmx only adds
a background save when an answer changes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments import access as access_rules
from assessments import languages
from assessments.answering.tokens import (
    RaterLookup,
    find_rater_by_code,
    issue_token,
    normalize_code,
)
from assessments.answering.views import pages
from assessments.models import Rater
from assessments.throttle import client_address, count, hit
from assessments.validators import without_control_characters

# One narrow query finds whose link or self-assessment this is: the rater, their leader's name,
# the cycle's dates and state, and the response if there is one. The level comes with the
# questionnaire, which each process builds once (``rater_questionnaire``).
RATER_QUERYSET = (
    Rater.objects.select_related("participant__cycle", "participant__person", "response")
    .only(
        "group",
        "status",
        "language",
        "user_id",
        "email",
        "participant__level_id",
        "participant__follows_id",  # a progress pulse's questionnaire is the participant's own
        "participant__language",
        "participant__cycle__language",
        "participant__cycle__next_level_part",
        "participant__cycle__grl_edition",
        "participant__person__full_name",
        "participant__person__email",
        "participant__person__language",
        "participant__cycle__name",
        "participant__cycle__state",
        "participant__cycle__kind",
        "participant__cycle__opens_on",
        "participant__cycle__closes_on",
        "participant__cycle__anonymity_threshold",
        "participant__cycle__contact_email",
        "participant__cycle__created_by_id",
        "response__submitted_at",
        "response__updated_at",
    )
    .order_by()  # by primary key: the model's ordering would join the leader's name
)
RATER_LOOKUP = RaterLookup(RATER_QUERYSET)  # compiled once per process (tokens.py)


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
    """The rater of this link, and whether their cycle still takes answers (open, and not past
    the end of its close date even if the closing job has not run yet)."""
    rater = RATER_LOOKUP.find(token)
    if rater is None:
        return None, False
    return Access(rater=rater, by_token=True, key=token), rater.participant.cycle.accepts_answers()


def _self_access(request, participant_id):
    rater = access_rules.self_assessment_for(request.user, participant_id, RATER_QUERYSET)
    return Access(rater=rater, by_token=False, key=participant_id)


# --- by personal link ----------------------------------------------------------------------


def _by_token(page):
    @never_cache
    def view(request, token, **kwargs):
        access, answering = _token_access(token)
        if access is None:
            # Counted per real client, after a miss only: a valid link is never refused.
            misses = hit("rater-link", client_address(request), window=settings.RATER_LINK_WINDOW)
            if misses > settings.RATER_LINK_ATTEMPTS:
                return render(request, "assessments/questionnaire/too_many.html", status=429)
            return pages.link_not_valid(request)
        languages.activate_for_request(request, access.rater.language)
        if not answering:
            return pages.link_not_valid(request, access.rater.participant.cycle)
        if pages.answers_hidden(access.rater) and page is not pages.thanks:
            return redirect(access.url("thanks"))
        return page(request, access, **kwargs)

    view.__name__ = page.__name__.lstrip("_")
    return view


start = require_http_methods(["GET"])(_by_token(pages.start))
section = require_http_methods(["GET", "POST"])(_by_token(pages.section))
review = require_http_methods(["GET", "POST"])(_by_token(pages.review))
decline = require_http_methods(["GET", "POST"])(_by_token(pages.decline))
thanks = require_http_methods(["GET"])(_by_token(pages.thanks))
language = require_http_methods(["POST"])(_by_token(pages.language))


def _sign_in_first(request):
    """Signed out (the idle sign-out, say): a background save gets 401 — the script keeps what
    was typed and says so in place — never the sign-in page; anything else goes to sign in."""
    if request.method == "POST" and pages.is_autosave(request):
        return HttpResponse(escape(_("You were signed out. Sign in again to save.")), status=401)
    return redirect_to_login(request.get_full_path())


# --- signed in: the self-assessment --------------------------------------------------------


def _signed_in(page, *, prefix, key, access_for):
    """A questionnaire page reached signed in; ``access_for(request, the URL's key)`` finds
    whose answers these are (404 for anyone else's)."""

    @never_cache
    def view(request, **kwargs):
        if not request.user.is_authenticated:
            return _sign_in_first(request)
        access = access_for(request, kwargs.pop(key))
        if not access.rater.participant.cycle.accepts_answers():
            return pages.closed(request, access)
        return page(request, access, **kwargs)

    view.__name__ = f"{prefix}_{page.__name__.lstrip('_')}"
    return view


def _self(page):
    return _signed_in(page, prefix="self", key="participant_id", access_for=_self_access)


self_start = require_http_methods(["GET"])(_self(pages.start))
self_section = require_http_methods(["GET", "POST"])(_self(pages.section))
self_review = require_http_methods(["GET", "POST"])(_self(pages.review))
self_thanks = require_http_methods(["GET"])(_self(pages.thanks))


# --- signed in: feedback asked of the user (no email link needed) ---------------------------


def _feedback_access(request, rater_id):
    rater = access_rules.own_feedback_request(request.user, rater_id)
    return Access(rater=rater, by_token=False, key=rater_id, by_account=True)


def _as_account(page):
    return _signed_in(page, prefix="feedback", key="rater_id", access_for=_feedback_access)


feedback_start = require_http_methods(["GET"])(_as_account(pages.start))
feedback_section = require_http_methods(["GET", "POST"])(_as_account(pages.section))
feedback_review = require_http_methods(["GET", "POST"])(_as_account(pages.review))
feedback_decline = require_http_methods(["GET", "POST"])(_as_account(pages.decline))
feedback_thanks = require_http_methods(["GET"])(_as_account(pages.thanks))


# --- by short code (raters with a printed card) --------------------------------------------

CODE_SCOPE = "rater-link"  # wrong codes and wrong links share one count per client


@never_cache
@require_http_methods(["GET", "POST"])
def code(request):
    """/r/: type the short code of a printed card, go on to the questionnaire.

    Unlike a link (256 bits), a code is short, so the limit is checked *before* the code is
    looked up: past RATER_LINK_ATTEMPTS wrong codes or links in the window, nothing is looked
    up at all, and a right guess cannot be told from a wrong one (answering/tokens.py)."""
    typed = without_control_characters(request.POST.get("code", ""))[:40]
    error = None
    if request.method == "POST":
        address = client_address(request)
        window = settings.RATER_LINK_WINDOW
        if count(CODE_SCOPE, address, window=window) >= settings.RATER_LINK_ATTEMPTS:
            return render(request, "assessments/questionnaire/too_many.html", status=429)
        error, rater = _look_up_code(typed, address, window)
        if rater is not None:
            return redirect("rater:start", issue_token(rater))
    return render(
        request,
        "assessments/questionnaire/code.html",
        {"code": typed, "error": error},
        status=400 if error else 200,
    )


def _look_up_code(typed, address, window):
    """(error, rater) for a typed code; a wrong code counts against the client."""
    if normalize_code(typed) is None:
        # Not even the shape of a code: nothing is looked up, nothing counted.
        error = _("A code has 12 letters and digits, as on your card (for example 7K3M-Q9TX-2HVA).")
        return error, None
    rater = find_rater_by_code(typed, Rater.objects.only("link_secret", "token_hash"))
    if rater is None:
        hit(CODE_SCOPE, address, window=window)
        return _("This code does not work. Check it against your card and type it again."), None
    return None, rater
