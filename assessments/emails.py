"""Emails, each a text and an HTML template under templates/emails/.

Every email is sent on its own and recorded (``EmailDelivery``): one that fails — a bad address,
a refusing server — stops nothing else, and HR sees it on the cycle page with a retry. Every
email names a real contact (the cycle's) and has it as Reply-To: the sender is a no-reply one.
"""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from assessments import languages
from assessments.answering.cards import card_raters_of, leader_card_url
from assessments.answering.tokens import absolute
from assessments.models import EmailDelivery, RaterGroup

logger = logging.getLogger(__name__)


def send(*, to, subject, template, context, cycle=None, kind=None, **record):
    """Send one email; record it (``kind``, and the rater, participant or object it is about)
    and return whether it left. A failure is recorded, never raised."""
    contact = cycle.contact if cycle is not None else settings.CONTACT_EMAIL
    context = {
        **context,
        "site_url": settings.SITE_URL,
        "contact": contact,
        "time_zone": settings.TIME_ZONE,
    }
    error = ""
    try:
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"emails/{template}.txt", context),
            to=[to],
            reply_to=[contact] if contact else None,
        )
        message.attach_alternative(
            render_to_string(f"emails/{template}.html", context), "text/html"
        )
        message.send()
    except Exception as exc:  # any failure of this one email must not stop the others
        error = f"{type(exc).__name__}: {exc}"[:500]
        logger.warning("Email %s could not be sent: %s", kind or template, type(exc).__name__)
    EmailDelivery.objects.create(
        cycle=cycle,
        kind=kind or template,
        to=to,
        subject=subject[:300],
        status=EmailDelivery.Status.FAILED if error else EmailDelivery.Status.SENT,
        error=error,
        **record,
    )
    return not error


def set_password_link(user):
    """A link to choose a password, for people whose account was made for them by HR and who
    never chose one; None for everyone else, and when password sign-in is off (they sign in
    through the organisation's provider)."""
    if not settings.PASSWORD_SIGN_IN or user.has_usable_password():
        return None
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return absolute(path)


def send_invitation(rater, link, *, reminder=False):
    with languages.speaking(languages.of_rater(rater)):
        return _send_invitation(rater, link, reminder=reminder)


def _send_invitation(rater, link, *, reminder):
    participant = rater.participant
    cycle = participant.cycle
    context = {
        "rater": rater,
        "leader": participant.person,
        "cycle": cycle,
        "link": link,
        "reminder": reminder,
    }
    if rater.group == RaterGroup.SELF:
        person = participant.person
        context["my_360_link"] = absolute(reverse("my360:participation", args=[participant.pk]))
        context["set_password_link"] = set_password_link(person)
        subject = _("Your 360 in %(cycle)s: self-assessment and nominations") % {"cycle": cycle}
        template = "participant_invitation"
    elif cycle.is_pulse:
        # A progress pulse (running/pulses.py): the 360 it follows is named.
        context["followed"] = cycle.follows
        subject = _("A short follow-up on %(leader)s's leadership") % {
            "leader": participant.person.get_full_name()
        }
        template = "pulse_invitation"
    else:
        subject = _("Feedback for %(leader)s (%(cycle)s)") % {
            "leader": participant.person.get_full_name(),
            "cycle": cycle,
        }
        template = "rater_invitation"
    if reminder:
        subject = _("Reminder: %(subject)s") % {"subject": subject}
    return send(
        to=rater.email,
        subject=subject,
        template=template,
        context=context,
        cycle=cycle,
        kind="reminder" if reminder else "invitation",
        rater=rater,
    )


def send_approval_request(participant):
    supervisor = participant.supervisor
    with languages.speaking(languages.of_user(supervisor, fallback=participant.cycle.language)):
        return _send_approval_request(participant)


def _send_approval_request(participant):
    return send(
        cycle=participant.cycle,
        kind="approval_request",
        participant=participant,
        to=participant.supervisor.email,
        subject=_("%(leader)s's raters are waiting for your approval")
        % {"leader": participant.person.get_full_name()},
        template="approval_request",
        context={
            "participant": participant,
            "link": absolute(reverse("my360:approvals", args=[participant.pk])),
            # Supervisors whose account HR's import created choose a password first.
            "set_password_link": set_password_link(participant.supervisor),
        },
    )


def send_plan_comment_notice(comment):
    with languages.speaking(languages.of_participant(comment.plan.participant)):
        return _send_plan_comment_notice(comment)


def _send_plan_comment_notice(comment):
    participant = comment.plan.participant
    return send(
        cycle=participant.cycle,
        kind="plan_comment",
        object_id=comment.pk,
        to=participant.person.email,
        subject=_("%(author)s commented on your action plan")
        % {"author": comment.author.get_full_name() if comment.author else _("Your supervisor")},
        template="plan_comment",
        context={
            "comment": comment,
            "participant": participant,
            "link": absolute(reverse("plans:plan", args=[participant.pk])),
        },
    )


def send_report_ready(participant):
    with languages.speaking(languages.of_participant(participant)):
        return _send_report_ready(participant)


def _to_leader(participant, *, kind, subject, template, link, **context):
    """An email to the leader of ``participant`` about their participation, with the link to
    choose a password when HR made their account and they never chose one."""
    person = participant.person
    return send(
        cycle=participant.cycle,
        kind=kind,
        participant=participant,
        to=person.email,
        subject=subject,
        template=template,
        context={
            "participant": participant,
            "leader": person,
            "cycle": participant.cycle,
            "link": absolute(link),
            "set_password_link": set_password_link(person),
            **context,
        },
    )


def _send_report_ready(participant):
    if participant.cycle.is_pulse:
        return _to_leader(
            participant,
            kind="report_ready",
            subject=_("The results of your progress pulse are in your action plan"),
            template="pulse_ready",
            link=reverse("plans:plan", args=[participant.follows_id]) + "#pulse",
        )
    return _to_leader(
        participant,
        kind="report_ready",
        subject=_("Your 360 report for %(cycle)s is ready") % {"cycle": participant.cycle},
        template="report_ready",
        link=reverse("reports:individual", args=[participant.pk]),
    )


def send_pulse_started(participant):
    """HR started a progress pulse for the cohort: the leader is told whom it asks and where to
    follow it (a leader who starts their own needs no email)."""
    with languages.speaking(languages.of_participant(participant)):
        return _to_leader(
            participant,
            kind="pulse_started",
            subject=_("A progress pulse on your action plan has started"),
            template="pulse_started",
            link=reverse("pulses:detail", args=[participant.pk]),
            followed=participant.cycle.follows,
        )


def send_reminder_digest(address, items):
    """One reminder listing every open request of one person: ``items`` are (rater, link)."""
    first = items[0][0]
    if len(items) == 1:
        participant = first.participant
        subject = _("Reminder: %(subject)s") % {
            "subject": _("Feedback for %(leader)s (%(cycle)s)")
            % {"leader": participant.person.get_full_name(), "cycle": participant.cycle}
            if first.group != RaterGroup.SELF
            else _("Your 360 in %(cycle)s: self-assessment and nominations")
            % {"cycle": participant.cycle}
        }
    else:
        subject = _("Reminder: %(n)s requests for your feedback") % {"n": len(items)}
    requests = [
        {
            "rater": rater,
            "leader": rater.participant.person,
            "cycle": rater.participant.cycle,
            "is_self": rater.group == RaterGroup.SELF,
            "link": link,
        }
        for rater, link in items
    ]
    return send(
        to=address,
        subject=subject,
        template="reminder_digest",
        context={"name": first.name, "requests": requests},
        cycle=first.participant.cycle,
        kind="reminder",
        rater=first,
    )


def send_card_notice(participant, *, reminder=False, rater=None):
    """To the leader, for their raters without email (answering/cards.py): print the cards,
    or remind those raters. It names every card rater still counted in the cycle, so a
    reminder never says which of them has not answered."""
    raters = card_raters_of(participant)
    if not raters:
        return False
    cycle = participant.cycle
    subject = (
        _("Remind your raters without email (%(cycle)s)")
        if reminder
        else _("Print the cards of your raters without email (%(cycle)s)")
    ) % {"cycle": cycle}
    return send(
        cycle=cycle,
        kind="card_reminder" if reminder else "card_notice",
        participant=participant,
        rater=rater,
        to=participant.person.email,
        subject=subject,
        template="card_notice",
        context={
            "leader": participant.person,
            "cycle": cycle,
            "reminder": reminder,
            "cards": [{"name": r.name, "url": leader_card_url(r)} for r in raters],
        },
    )
