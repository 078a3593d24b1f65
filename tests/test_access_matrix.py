"""Every URL of the project × every role: the answer to a GET and to a POST (PRODUCT §2, §7).

The table below has one row per URL name and one column per role; each cell is "GET/POST".
A URL added without a row makes ``test_every_url_has_a_row`` fail. Answers:

    200 400 404 405   the status code (404: not yours, and nothing confirms it exists;
                      405: a POST-only action opened with GET, or a page that takes no POST)
    302               a redirect elsewhere than to sign in (a done action, or a refusal
                      explained on the page it leads to)
    L                 sent to sign in
    +                 after a POST: the POST changed the database (it was allowed and done).
                      Without "+", the POST changed nothing: no row added, removed or changed,
                      no email sent. Never 500.

The POSTs are real attempts: each carries the data that makes it succeed for the role it is
meant for (``POST_DATA``), so a refusal is the access rule's, not a form error's. Every request
runs in a savepoint rolled back afterwards, so each row starts from the same world.

Roles: ``anon`` has no account and holds no valid rater link or card code (link URLs are
opened with a wrong one); ``rater`` is the leader's peer, without an account, holding their own
link and card code; a link is a bearer key, so every signed-in role holds them too. ``leader``
takes part in an open and a released cycle under ``superv``; the released report and plan are
shared with ``superv``; ``o.leader`` takes part in the open cycle under ``o.superv``;
``superv`` was asked for feedback on the leader (My 360's feedback pages); ``outsider`` is
signed in and in nothing (staff of the Django admin); ``hr`` is an HR admin.
"""

import copy
import datetime
import functools
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments.answering.questionnaire import questionnaire_for
from assessments.answering.tokens import issue_code, issue_token
from assessments.models import (
    ActionPlan,
    Cycle,
    EmailDelivery,
    FocusArea,
    Participant,
    Rater,
    RaterGroup,
    ReportArchive,
    Throttle,
)
from assessments.reporting import tallies
from compass.models import Enabler
from tests.assessments.helpers import cycle_data, fast_submit, section_post
from tests.factories import CycleFactory, RaterFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db

TABLE = """
url name                   anon     rater    leader   o.leader superv   o.superv outsider hr

# The provider's sign-in (oidc_*) is 404 while none is configured (with one: test_oidc.py,
# test_provider_urls_answer_every_role); loadrun_bare only with `make loadrun`. A language
# chosen signed in is kept on the account (+), otherwise in a cookie.
healthz                    200/405  200/405  200/405  200/405  200/405  200/405  200/405  200/405
home                       L/L      L/L      200/200  200/200  200/200  200/200  200/200  200/200
loadrun_bare               404/405  404/405  404/405  404/405  404/405  404/405  404/405  404/405
login                      200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200
logout                     405/L    405/L    405/L    405/L    405/L    405/L    405/L    405/L
oidc_authenticate          404/405  404/405  404/405  404/405  404/405  404/405  404/405  404/405
oidc_callback              404/405  404/405  404/405  404/405  404/405  404/405  404/405  404/405
password_change            L/L      L/L      200/200  200/200  200/200  200/200  200/200  200/200
password_change_done       L/L      L/L      200/405  200/405  200/405  200/405  200/405  200/405
password_reset             200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302
password_reset_complete    200/405  200/405  200/405  200/405  200/405  200/405  200/405  200/405
password_reset_confirm     200/200  200/200  200/200  200/200  200/200  200/200  200/200  200/200
password_reset_done        200/405  200/405  200/405  200/405  200/405  200/405  200/405  200/405
set_language               405/302  405/302  405/302+ 405/302+ 405/302+ 405/302+ 405/302+ 405/302+

# The compass: for everyone signed in.
compass:cell               L/L      L/L      200/200  200/200  200/200  200/200  200/200  200/200
compass:enabler            L/L      L/L      200/200  200/200  200/200  200/200  200/200  200/200
compass:level              L/L      L/L      200/200  200/200  200/200  200/200  200/200  200/200
compass:matrix             L/L      L/L      200/200  200/200  200/200  200/200  200/200  200/200
compass:matrix_edition     L/L      L/L      200/200  200/200  200/200  200/200  200/200  200/200

# The leader's own pages. The feedback pages are the supervisor's, as the leader's rater:
# theirs only. Reviews answer 400: the answers are not complete. The open cycle asks for no
# approvals, so the supervisor's approvals post decides nothing.
my360:approvals            L/L      L/L      404/404  404/404  200/302  404/404  404/404  404/404
my360:feedback_decline     L/L      L/L      404/404  404/404  200/302+ 404/404  404/404  404/404
my360:feedback_review      L/L      L/L      404/404  404/404  200/400  404/404  404/404  404/404
my360:feedback_section     L/L      L/L      404/404  404/404  200/302+ 404/404  404/404  404/404
my360:feedback_start       L/405    L/405    404/405  404/405  200/405  404/405  404/405  404/405
my360:feedback_thanks      L/405    L/405    404/405  404/405  200/405  404/405  404/405  404/405
my360:index                L/L      L/L      302/302  302/302  302/302  302/302  302/302  302/302
my360:nominate             L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
my360:participation        L/L      L/L      200/200  404/404  404/404  404/404  404/404  404/404
my360:rater_card           L/L      L/L      200/405  404/405  404/405  404/405  404/405  404/405
my360:remove_nomination    L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
my360:replace_nomination   L/L      L/L      200/302+ 404/404  404/404  404/404  404/404  404/404
my360:self_review          L/L      L/L      200/400  404/404  404/404  404/404  404/404  404/404
my360:self_section         L/L      L/L      200/302+ 404/404  404/404  404/404  404/404  404/404
my360:self_start           L/405    L/405    200/405  404/405  404/405  404/405  404/405  404/405
my360:self_thanks          L/405    L/405    200/405  404/405  404/405  404/405  404/405  404/405
my360:submit_nominations   L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404

# A link is a bearer key: whoever holds it answers as the rater, signed in or not; a wrong one
# finds nothing. Likewise the code of a card, typed at /r/ (rater:code).
rater:code                 200/400  200/302  200/302  200/302  200/302  200/302  200/302  200/302
rater:decline              404/404  200/302+ 200/302+ 200/302+ 200/302+ 200/302+ 200/302+ 200/302+
rater:language             405/404  405/302+ 405/302+ 405/302+ 405/302+ 405/302+ 405/302+ 405/302+
rater:review               404/404  200/400  200/400  200/400  200/400  200/400  200/400  200/400
rater:section              404/404  200/302+ 200/302+ 200/302+ 200/302+ 200/302+ 200/302+ 200/302+
rater:start                404/405  200/405  200/405  200/405  200/405  200/405  200/405  200/405
rater:thanks               404/405  200/405  200/405  200/405  200/405  200/405  200/405  200/405

# HR's pages: for anyone else signed in they do not exist. Open is tried on the draft cycle,
# re-open and release on the closed one, the PDFs and the archive on the released one.
hr:cycle_close             L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_create            L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_detail            L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
hr:cycle_edit              L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_extend            L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_open              L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_release           L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_remind            L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_reminder_schedule L/L      L/L      404/404  404/404  404/404  404/404  404/404  405/302+
hr:cycle_reopen            L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:cycle_report_pdfs       L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:dashboard               L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
hr:delivery_retry          L/L      L/L      404/404  404/404  404/404  404/404  404/404  405/302+
hr:export_participation    L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
hr:import_participants     L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:import_raters           L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:participant_detail      L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
hr:participants_template   L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
hr:rater_add_without_email L/L      L/L      404/404  404/404  404/404  404/404  404/404  405/302+
hr:rater_card              L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/405
hr:rater_remove            L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:rater_replace           L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
hr:rater_resend            L/L      L/L      404/404  404/404  404/404  404/404  404/404  405/302+
hr:raters_template         L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
hr:report_archive_download L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200

# The released report: the leader's, the supervisor's while shared, any for HR; the team
# report is the supervisor's, the cohort report HR's.
reports:cohort             L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
reports:cohort_export      L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/200
reports:individual         L/L      L/L      200/200  404/404  200/200  404/404  404/404  200/200
reports:individual_pdf     L/L      L/L      200/200  404/404  200/200  404/404  404/404  200/200
reports:individual_print   L/L      L/L      200/200  404/404  200/200  404/404  404/404  200/200
reports:individual_summary L/L      L/L      200/200  404/404  200/200  404/404  404/404  200/200
reports:share              L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
reports:team               L/L      L/L      404/404  404/404  200/200  404/404  404/404  404/404

# The plan: the leader's; the supervisor, while it is shared, reads it and comments.
plans:action_status        L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
plans:add_action           L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
plans:add_focus            L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
plans:comment              L/L      L/L      405/302+ 405/404  405/302+ 405/404  405/404  405/404
plans:delete_action        L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
plans:edit_action          L/L      L/L      200/302+ 404/404  404/404  404/404  404/404  404/404
plans:plan                 L/L      L/L      200/200  404/404  200/200  404/404  404/404  404/404
plans:remove_focus         L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404
plans:share                L/L      L/L      405/302+ 405/404  405/404  405/404  405/404  405/404

# Progress pulses (issue 19): the leader starts one from the released 360 and follows it (an
# earlier 360's pulse here); whom it asks is the leader's choice, so nobody else sees these
# pages, HR included. HR starts one for the whole released cohort.
pulses:detail              L/L      L/L      200/405  404/405  404/405  404/405  404/405  404/405
pulses:start               L/L      L/L      200/302+ 404/404  404/404  404/404  404/404  404/404
hr:pulse_start             L/L      L/L      404/404  404/404  404/404  404/404  404/404  200/302+
"""

COLUMNS = {
    "anon": "anonymous",
    "rater": "rater",
    "leader": "leader",
    "o.leader": "other_leader",
    "superv": "supervisor",
    "o.superv": "other_supervisor",
    "outsider": "outsider",
    "hr": "hr",
}
ROLES = list(COLUMNS.values())
CELL = re.compile(r"^(200|302|400|404|405|L)/(200|302|400|404|405|L)\+?$")


def parse(table):
    """{url name: {role: "GET/POST"}} from the table (blank lines and # comments left out)."""
    lines = [line.split() for line in table.splitlines()]
    header, *rows = [line for line in lines if line and not line[0].startswith("#")]
    roles = [COLUMNS[column] for column in header[2:]]
    assert sorted(roles) == sorted(ROLES), header
    matrix = {}
    for name, *cells in rows:
        assert len(cells) == len(roles) and all(CELL.match(c) for c in cells), name
        assert name not in matrix, f"{name}: two rows"
        matrix[name] = dict(zip(roles, cells, strict=True))
    return matrix


MATRIX = parse(TABLE)

WRONG_TOKEN = "x" * 43  # the shape of a link, no rater's
WRONG_CODE = "7K3M-Q9TX-2HVA"  # the shape of a card's code, no rater's


@pytest.fixture
def world(
    participant, rater, other_leader, other_supervisor, outsider, hr_admin, leader, supervisor
):
    """The leader's open participation (``participant``) with the peer ``rater``, two peers
    nominated but not yet invited, a rater without email (a card), and the supervisor asked
    for feedback; the other leader in the same cycle under the other supervisor; the leader's
    released participation, its report and plan shared with the supervisor; a PDF archive and
    an email that failed; a draft and a closed cycle of other people; the progress pulse the
    leader started after an earlier 360."""
    open_cycle = participant.cycle
    make_participant(open_cycle, person=other_leader, supervisor=other_supervisor)
    asked = participant.raters.get(group=RaterGroup.SUPERVISOR)
    asked.status = Rater.Status.INVITED
    asked.save(update_fields=["status"])
    nominee, _second = (
        RaterFactory(participant=participant, status=Rater.Status.NOMINATED) for _ in range(2)
    )
    card_rater = RaterFactory(participant=participant, group=RaterGroup.PARTNER, email="")

    draft = make_participant(CycleFactory(state=Cycle.State.DRAFT)).cycle
    closed = make_participant(CycleFactory(state=Cycle.State.OPEN)).cycle
    Cycle.objects.filter(pk=closed.pk).update(state=Cycle.State.CLOSED)
    closed.refresh_from_db()

    released = CycleFactory(state=Cycle.State.OPEN)
    released_part = make_participant(released, person=leader, supervisor=supervisor)
    fast_submit(self_rater(released_part), "4")
    for _ in range(3):
        fast_submit(RaterFactory(participant=released_part, group=RaterGroup.PEER), "3")
    # released 100 days ago: a progress pulse may start (issue 19)
    Cycle.objects.filter(pk=released.pk).update(
        state=Cycle.State.RELEASED, released_at=timezone.now() - datetime.timedelta(days=100)
    )
    tallies.freeze(released)  # as release_cycle does
    released_part.shared_with_supervisor = True
    released_part.save()
    plan = ActionPlan.objects.create(participant=released_part, shared_with_supervisor=True)
    focus = FocusArea.objects.create(
        plan=plan, enabler=Enabler.objects.get(slug="funding"), goal="Multi-year funding"
    )
    action = focus.actions.create(text="Meet donors", due_on=released.closes_on)
    # The progress pulse the leader started after an earlier 360 (issue 19).
    earlier = make_participant(CycleFactory(), person=leader, supervisor=supervisor)
    Cycle.objects.filter(pk=earlier.cycle_id).update(
        state=Cycle.State.RELEASED, released_at=timezone.now() - datetime.timedelta(days=300)
    )
    pulse_part = Participant.objects.create(
        cycle=CycleFactory(kind=Cycle.Kind.PULSE, follows=earlier.cycle),
        person=leader,
        level=earlier.level,
        supervisor=supervisor,
        follows=earlier,
    )
    RaterFactory(participant=pulse_part, group=RaterGroup.PEER)
    archive = ReportArchive.objects.create(
        cycle=released, state=ReportArchive.State.READY, total=1, done=1, content=b"PK"
    )
    delivery = EmailDelivery.objects.create(
        cycle=open_cycle,
        rater=rater,
        kind="invitation",
        to=rater.email,
        subject="x",
        status="failed",
    )
    return {
        "users": {
            "leader": leader,
            "other_leader": other_leader,
            "supervisor": supervisor,
            "other_supervisor": other_supervisor,
            "outsider": outsider,
            "hr": hr_admin,
        },
        "open_cycle": open_cycle,
        "draft": draft,
        "closed": closed,
        "open_part": participant,
        "peer": rater,
        "nominee": nominee,
        "asked": asked,
        "card_rater": card_rater,
        "token": issue_token(rater),
        "code": issue_code(card_rater),
        "released": released,
        "released_part": released_part,
        "focus": focus,
        "action": action,
        "pulse_part": pulse_part,
        "archive": archive,
        "delivery": delivery,
    }


def held_by(world, role):
    """The world as ``role`` holds it: the anonymous visitor has a wrong link and code."""
    if role != "anonymous":
        return world
    return {**world, "token": WRONG_TOKEN, "code": WRONG_CODE}


def _open(w, *more):
    return [w["open_part"].pk, *more]


def _released(w, *more):
    return [w["released_part"].pk, *more]


def _cycle(w, *more):
    return [w["open_cycle"].pk, *more]


def _first_section(participant):
    return section_post(questionnaire_for(participant).sections[0], "3")


def _csv(name, text):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# The URL's arguments from the world, where it has any, and its query string.
ARGS = {
    "password_reset_confirm": lambda w: ["MQ", "bad-token"],
    "compass:matrix_edition": lambda w: ["2024"],
    "compass:enabler": lambda w: ["2024", "funding"],
    "compass:level": lambda w: ["2024", "directors"],
    "compass:cell": lambda w: ["2024", "directors", "funding"],
    "my360:participation": _open,
    "my360:nominate": _open,
    "my360:remove_nomination": lambda w: _open(w, w["nominee"].pk),
    "my360:replace_nomination": lambda w: _open(w, w["nominee"].pk),
    "my360:submit_nominations": _open,
    "my360:approvals": _open,
    "my360:rater_card": lambda w: _open(w, w["card_rater"].pk),
    "my360:self_start": _open,
    "my360:self_section": lambda w: _open(w, 1),
    "my360:self_review": _open,
    "my360:self_thanks": _open,
    "my360:feedback_start": lambda w: [w["asked"].pk],
    "my360:feedback_section": lambda w: [w["asked"].pk, 1],
    "my360:feedback_review": lambda w: [w["asked"].pk],
    "my360:feedback_decline": lambda w: [w["asked"].pk],
    "my360:feedback_thanks": lambda w: [w["asked"].pk],
    "rater:start": lambda w: [w["token"]],
    "rater:section": lambda w: [w["token"], 1],
    "rater:review": lambda w: [w["token"]],
    "rater:decline": lambda w: [w["token"]],
    "rater:thanks": lambda w: [w["token"]],
    "rater:language": lambda w: [w["token"]],
    "hr:cycle_detail": _cycle,
    "hr:cycle_edit": _cycle,
    "hr:import_participants": _cycle,
    "hr:import_raters": _cycle,
    "hr:cycle_open": lambda w: [w["draft"].pk],
    "hr:cycle_close": _cycle,
    "hr:cycle_reopen": lambda w: [w["closed"].pk],
    "hr:cycle_release": lambda w: [w["closed"].pk],
    "hr:cycle_extend": _cycle,
    "hr:cycle_remind": _cycle,
    "hr:cycle_reminder_schedule": _cycle,
    "hr:cycle_report_pdfs": lambda w: [w["released"].pk],
    "hr:report_archive_download": lambda w: [w["released"].pk, w["archive"].pk],
    "hr:export_participation": _cycle,
    "hr:participant_detail": lambda w: _cycle(w, w["open_part"].pk),
    "hr:rater_resend": lambda w: _cycle(w, w["open_part"].pk, w["peer"].pk),
    "hr:delivery_retry": lambda w: _cycle(w, w["delivery"].pk),
    "hr:rater_replace": lambda w: _cycle(w, w["open_part"].pk, w["peer"].pk),
    "hr:rater_remove": lambda w: _cycle(w, w["open_part"].pk, w["peer"].pk),
    "hr:rater_card": lambda w: _cycle(w, w["open_part"].pk, w["card_rater"].pk),
    "hr:rater_add_without_email": lambda w: _cycle(w, w["open_part"].pk),
    "reports:individual": _released,
    "reports:individual_print": _released,
    "reports:individual_summary": _released,
    "reports:individual_pdf": _released,
    "reports:share": _released,
    "reports:team": lambda w: [w["released"].pk],
    "reports:cohort": lambda w: [w["released"].pk],
    "reports:cohort_export": lambda w: [w["released"].pk],
    "plans:plan": _released,
    "plans:add_focus": _released,
    "plans:remove_focus": lambda w: _released(w, w["focus"].pk),
    "plans:add_action": lambda w: _released(w, w["focus"].pk),
    "plans:action_status": lambda w: _released(w, w["action"].pk),
    "plans:share": _released,
    "plans:comment": _released,
    "plans:edit_action": lambda w: _released(w, w["action"].pk),
    "plans:delete_action": lambda w: _released(w, w["action"].pk),
    "pulses:start": _released,
    "pulses:detail": lambda w: [w["pulse_part"].pk],
    "hr:pulse_start": lambda w: [w["released"].pk],
}
QUERY = {"hr:export_participation": "?format=csv", "reports:cohort_export": "?format=csv"}

# What a POST carries: what makes it succeed for the role the URL is for (none: empty).
LATER = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
SOON = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()
POST_DATA = {
    "set_language": lambda w: {"language": "fr", "next": "/"},
    "password_reset": lambda w: {"email": "nobody@example.org"},
    "rater:code": lambda w: {"code": w["code"]},
    "rater:section": lambda w: _first_section(w["peer"].participant),
    "rater:decline": lambda w: {"reason": "I have not worked with her."},
    "rater:language": lambda w: {"language": "fr"},
    "my360:nominate": lambda w: {
        "name": "Kofi Boateng",
        "email": "kofi@example.org",
        "group": "peer",
    },
    "my360:replace_nomination": lambda w: {"name": "Kofi Boateng", "email": "kofi@example.org"},
    "my360:self_section": lambda w: _first_section(w["open_part"]),
    "my360:feedback_section": lambda w: _first_section(w["open_part"]),
    "my360:feedback_decline": lambda w: {"reason": "Too new in the post."},
    "hr:cycle_create": lambda w: cycle_data(name="Leaders 2027"),
    "hr:cycle_edit": lambda w: cycle_data(
        name="Renamed",
        opens_on=w["open_cycle"].opens_on.isoformat(),
        closes_on=w["open_cycle"].closes_on.isoformat(),
    ),
    "hr:import_participants": lambda w: {
        "file": _csv("people.csv", "email,full_name,level\nnew@example.org,Nia New,Directors")
    },
    "hr:import_raters": lambda w: {
        "file": _csv(
            "raters.csv",
            "participant_email,rater_email,rater_name,group\n"
            f"{w['open_part'].person.email},ama2@example.org,Ama Two,peer",
        )
    },
    "hr:cycle_reopen": lambda w: {"reason": "Two offices lost connectivity."},
    "hr:cycle_release": lambda w: {"cycle_name": w["closed"].name},
    "hr:cycle_extend": lambda w: {"closes_on": LATER},
    "hr:cycle_reminder_schedule": lambda w: {"every_days": "7", "days_before_close": "2"},
    "hr:rater_replace": lambda w: {"name": "Kofi Boateng", "email": "kofi@example.org"},
    "hr:rater_remove": lambda w: {"reason": ""},  # none needed: the rater has not submitted
    "hr:rater_add_without_email": lambda w: {"name": "Kofi Mensah", "group": "partner"},
    "reports:share": lambda w: {"shared": "0"},
    "plans:add_focus": lambda w: {"enabler": "workforce", "goal": "Grow the team"},
    "plans:add_action": lambda w: {
        f"focus-{w['focus'].pk}-text": "Call donors",
        f"focus-{w['focus'].pk}-due_on": LATER,
    },
    "plans:action_status": lambda w: {"status": "done"},
    "plans:share": lambda w: {"shared": "0"},
    "plans:comment": lambda w: {"text": "Well done."},
    "plans:edit_action": lambda w: {"text": "Call two donors", "due_on": LATER},
    "pulses:start": lambda w: {
        "raters": [r.pk for r in w["released_part"].raters.filter(group=RaterGroup.PEER)]
    },
    "hr:pulse_start": lambda w: {"closes_on": SOON},
}


def project_url_names():
    """Every named URL of the project, Django's admin aside (it has its own staff check)."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_a_row():
    assert project_url_names() == set(MATRIX), "add the new URL to TABLE with its answers"
    assert set(ARGS) <= set(MATRIX) and set(POST_DATA) <= set(MATRIX)


# What a refused POST must leave as it was: every row of the app's tables and the users' (wrong
# links and codes are counted in Throttle: that is the limit's job), and the outbox. Read with
# plain SQL, one query a table: it runs after each of some 1,500 requests.
@functools.cache
def _tables():
    models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in ("assessments", "auth", "django_tasks_database")
        and m not in (Throttle, Permission)
    ]
    quote = connection.ops.quote_name  # the models' own table names, nothing typed by anyone

    def key(m):  # a composite primary key (the tallies') orders by each of its columns
        return ", ".join(quote(field.column) for field in m._meta.pk_fields)

    return [f"SELECT * FROM {quote(m._meta.db_table)} ORDER BY {key(m)}" for m in models]  # noqa: S608


def _state():
    with connection.cursor() as cursor:
        rows = []
        for sql in _tables():
            cursor.execute(sql)
            rows.append(cursor.fetchall())
    return rows, len(mail.outbox)


def _answer(response):
    if response.status_code == 302:
        return "L" if response.url.startswith(reverse("login")) else "302"
    return str(response.status_code)


def _attempt(client, method, url, data, before):
    """(answer, changed): the request in a savepoint rolled back afterwards; the client's
    cookies (a sign-out, a language) and the outbox put back."""
    cookies, outbox = copy.deepcopy(client.cookies), list(mail.outbox)
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        changed = _state() != before
        transaction.set_rollback(True)
    client.cookies, mail.outbox = cookies, outbox
    assert response.status_code != 500, url
    return _answer(response), changed


def _sign_in(client, world, role):
    if role in world["users"]:
        client.force_login(world["users"][role])


def observe(client, world, role):
    """({url name: "GET/POST[+]"} as ``role`` gets them, [url names whose GET changed the
    database])."""
    _sign_in(client, world, role)
    w = held_by(world, role)
    before = _state()
    seen, changed_by_get = {}, []
    for name in MATRIX:
        url = reverse(name, args=ARGS.get(name, lambda w: [])(w)) + QUERY.get(name, "")
        got, changed = _attempt(client, "get", url, {}, before)
        if changed:
            changed_by_get.append(name)
        data = POST_DATA.get(name, lambda w: {})(w)
        posted, changed = _attempt(client, "post", url, data, before)
        seen[name] = f"{got}/{posted}{'+' if changed else ''}"
    return seen, changed_by_get


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_every_role_as_expected(client, world, role):
    seen, changed_by_get = observe(client, world, role)
    wrong = {
        name: (seen[name], row[role]) for name, row in MATRIX.items() if seen[name] != row[role]
    }
    assert wrong == {}, f"{role}: (got, expected) per URL"
    assert changed_by_get == [], "a GET changes nothing"


@pytest.mark.parametrize("role", ROLES)
def test_a_code_form_posted_empty_answers_400_whoever_posts_it(client, world, role):
    _sign_in(client, world, role)
    assert client.post(reverse("rater:code"), {"code": ""}).status_code == 400


def test_the_django_admin_is_for_staff_only(client, hr_admin):
    assert _answer(client.get(reverse("admin:index"))) == "302"  # to the admin's sign-in
    client.force_login(hr_admin)
    assert _answer(client.get(reverse("admin:index"))) == "302"


# --- objects that do not belong together: 404, even for HR ---------------------------------


def test_a_participant_of_another_cycle_is_404(as_hr, world):
    url = reverse("hr:participant_detail", args=[world["draft"].pk, world["open_part"].pk])
    assert as_hr.get(url).status_code == 404


@pytest.mark.parametrize("name", ["rater_resend", "rater_replace", "rater_remove"])
def test_a_rater_of_another_participant_is_404_and_stays_as_it_was(as_hr, world, name):
    stranger = RaterFactory(participant=make_participant(world["open_cycle"]))
    args = [world["open_cycle"].pk, world["open_part"].pk, stranger.pk]
    before = _state()
    data = {"reason": "x", "name": "A", "email": "a@example.org"}
    assert as_hr.post(reverse(f"hr:{name}", args=args), data).status_code == 404
    assert _state() == before


def test_the_card_of_another_participants_rater_is_404(as_hr, world):
    stranger = RaterFactory(participant=make_participant(world["open_cycle"]), email="")
    args = [world["open_cycle"].pk, world["open_part"].pk, stranger.pk]
    assert as_hr.get(reverse("hr:rater_card", args=args)).status_code == 404


def test_unknown_ids_are_404(as_hr, compass):
    assert as_hr.get(reverse("hr:cycle_detail", args=[999999])).status_code == 404
