"""Emails, each a text and an HTML template under templates/emails/."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import RaterGroup


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def send(*, to, subject, template, context):
    context = {**context, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()


def set_password_link(user):
    """A link to choose a password, for people whose account was made for them by HR; None
    when password sign-in is off (they sign in through the organisation's provider)."""
    if not settings.PASSWORD_SIGN_IN:
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
        context["set_password_link"] = (
            None if person.has_usable_password() else set_password_link(person)
        )
        subject = _("Your 360 in %(cycle)s: self-assessment and nominations") % {"cycle": cycle}
        template = "participant_invitation"
    else:
        subject = _("Feedback for %(leader)s (%(cycle)s)") % {
            "leader": participant.person.get_full_name(),
            "cycle": cycle,
        }
        template = "rater_invitation"
    if reminder:
        subject = _("Reminder: %(subject)s") % {"subject": subject}
    send(to=rater.email, subject=subject, template=template, context=context)


def send_approval_request(participant):
    send(
        to=participant.supervisor.email,
        subject=_("%(leader)s's raters are waiting for your approval")
        % {"leader": participant.person.get_full_name()},
        template="approval_request",
        context={
            "participant": participant,
            "link": absolute(reverse("my360:approvals", args=[participant.pk])),
            # Supervisors whose account HR's import created choose a password first.
            "set_password_link": None
            if participant.supervisor.has_usable_password()
            else set_password_link(participant.supervisor),
        },
    )


def send_plan_comment_notice(comment):
    participant = comment.plan.participant
    send(
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
    person = participant.person
    send(
        to=person.email,
        subject=_("Your 360 report for %(cycle)s is ready") % {"cycle": participant.cycle},
        template="report_ready",
        context={
            "participant": participant,
            "leader": person,
            "cycle": participant.cycle,
            "link": absolute(reverse("reports:individual", args=[participant.pk])),
            # Leaders whose account HR created and who never chose a password need one to
            # sign in and read the report.
            "set_password_link": None
            if person.has_usable_password()
            else set_password_link(person),
        },
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
    send(
        to=address,
        subject=subject,
        template="reminder_digest",
        context={"name": first.name, "requests": requests},
    )
