"""Raters without email: a printed card instead of emails (issue 19).

In field offices some partners have no email address the leader knows. The leader (or HR) adds
them with a name only; the app then gives a one-page card to print and hand over: the personal
link, its QR code (drawn here, on the server, as SVG) and a short code that can be typed at
``/r/`` (assessments/answering/tokens.py says how long guessing one takes).

What the card holder can do is what the link allows, so the card is shown only while answers
can still be given, and once a card rater has submitted, their link shows a thank-you page and
never their answers (a leader who kept a copy of the card reads nothing). A card is shown the
same way whatever the rater's progress: the leader must not learn who answered.

Emails that would go to a card rater go to the leader instead: when they are invited ("print
the card") and when reminded ("remind them"), naming every card rater the leader has in that
cycle, never saying which of them answered.
"""

from dataclasses import dataclass

import segno
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assessments.answering.tokens import absolute, issue_code, issue_token, rater_link
from assessments.models import Rater

Status = Rater.Status
Approval = Rater.Approval


@dataclass
class Card:
    rater: Rater
    link: str
    code: str  # formatted, e.g. 7K3M-Q9TX-2HVA
    qr_svg: str  # inline SVG, safe to render
    code_url: str  # where the code is typed (the site's /r/)


def card_problem(rater):
    """Why ``rater`` has no card to print now, or None."""
    if rater.has_email:
        return _("%(name)s is reached by email: there is no card to print.") % {"name": rater.name}
    # A card can still be used while the cycle takes changes: answers are taken once it opens.
    if not rater.participant.cycle.accepts_changes:
        return _("This cycle is closed: the card can no longer be used.")
    if rater.approval == Approval.REJECTED:
        return _("%(name)s was not approved as a rater.") % {"name": rater.name}
    if rater.status == Status.DECLINED:
        return _("%(name)s declined to give feedback.") % {"name": rater.name}
    return None


def qr_svg(text):
    """A QR code of ``text`` as inline SVG (segno: pure Python, nothing fetched from elsewhere).
    Error correction M survives a crease or a smudge on a printed card."""
    qr = segno.make(text, error="m", micro=False)
    return mark_safe(  # noqa: S308 - segno writes the SVG; the text is only encoded in it
        qr.svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=True)
    )


def card_for(rater):
    """The card of ``rater`` (who has no email). Gives them their link and code if they have
    none yet; the same link and code every time after that."""
    link = rater_link(issue_token(rater))
    code = issue_code(rater)
    return Card(
        rater=rater,
        link=link,
        code=code,
        qr_svg=qr_svg(link),
        code_url=absolute(reverse("rater:code")),
    )


def leader_card_url(rater):
    return absolute(reverse("my360:rater_card", args=[rater.participant_id, rater.pk]))


def card_raters_of(participant):
    """The leader's raters without email who still count (not declined, not rejected), by
    name: what a notice to the leader lists."""
    return list(
        participant.raters.filter(email="")
        .exclude(status=Status.DECLINED)
        .exclude(approval=Approval.REJECTED)
        .order_by("name")
    )
