"""What other people do between a journey's steps, through the project's own rules.

A journey does in the browser everything its person does. What someone else does meanwhile
(HR opening the cycle a leader is invited to, raters answering so that a report has content,
HR closing and releasing) is done here, with the same rule functions the views call, so that
each journey stays short. The HR journey does HR's part in the browser.
"""

import datetime

from django.utils import timezone

from assessments.answering import nominations
from assessments.models import Participant, Rater, RaterGroup, User
from assessments.reporting import sharing
from assessments.running import cycles, hr_actions, imports
from tests.assessments.helpers import fast_submit

CYCLE_NAME = "Field offices 2026"

# The people the journeys follow: the leader as HR's import names them (email, name, level,
# supervisor, org unit, gender), three peers they nominate, and the password they choose.
LEADER_EMAIL = "lucia.ortega@iom.example.org"
SUPERVISOR_EMAIL = "samuel.okoro@iom.example.org"
LEADER = (
    LEADER_EMAIL,
    "Lucía Ortega",
    "Heads of Teams",
    SUPERVISOR_EMAIL,
    "Country Office Kenya",
    "woman",
)
PEERS = [(f"Peer {n}", f"peer{n}@iom.example.org", "peer") for n in range(1, 4)]
PASSWORD = "field-office-compass-2026"


def choose_password(email, password=PASSWORD):
    """The person with ``email`` has chosen ``password`` (as "Forgotten your password?" lets
    them, which the leader and supervisor journeys do in the browser)."""
    user = User.objects.get(email=email)
    user.set_password(password)
    user.save()
    return user


def participants_csv(rows):
    """A participants file as HR would upload it: ``rows`` of (email, name, level, supervisor,
    org unit, gender)."""
    lines = ["email,full_name,level,supervisor_email,org_unit,gender"]
    lines += [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def open_cycle(hr, rows, *, approval=False, name=CYCLE_NAME):
    """HR creates a cycle, imports ``rows`` and opens it: every participant and supervisor is
    invited by email (tasks run at once in tests, into ``mail.outbox``)."""
    today = timezone.localdate()
    cycle = hr_actions.create_cycle(
        by=hr,
        name=name,
        edition="2024",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=21),
        supervisor_approval_required=approval,
    )
    imports.import_participants(cycle=cycle, data=participants_csv(rows), by=hr)
    cycles.open_cycle(cycle=cycle, by=hr)
    cycle.refresh_from_db()
    return cycle


def participant(cycle, email):
    return Participant.objects.select_related("person", "level").get(
        cycle=cycle, person__email=email
    )


def nominate(participant, raters, *, send=True):
    """The leader nominates ``raters`` (name, email, group) and sends the nominations."""
    for name, email, group in raters:
        nominations.nominate_rater(participant=participant, name=name, email=email, group=group)
    if send:
        nominations.submit_nominations(participant=participant)


def everyone_answers(cycle, *, skip_groups=()):
    """Every invited rater of the cycle who has not answered yet submits complete answers,
    bulk inserted (answering itself is what the rater and leader journeys do). Scores vary by
    item and rater, and self-ratings run higher, so that the reports have something to show."""
    waiting = (
        Rater.objects.filter(participant__cycle=cycle, status=Rater.Status.INVITED)
        .exclude(group__in=skip_groups)
        .select_related("participant__level")
    )
    for number, rater in enumerate(waiting):
        lift = 1 if rater.group == RaterGroup.SELF else 0
        fast_submit(rater, value=lambda item, n=number, lift=lift: _score(item.key, n, lift))


def _score(key, number, lift):
    return str(min(5, 2 + (sum(map(ord, key)) + number) % 3 + lift))


def close_and_release(cycle, hr):
    cycles.close_cycle(cycle=cycle, by=hr)
    cycles.release_cycle(cycle=cycle, by=hr)
    cycle.refresh_from_db()
    return cycle


def share_report(participant):
    sharing.share_report(participant=participant, shared=True)
