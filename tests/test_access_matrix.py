"""Every URL of the project × every role, and the answer each must get (PRODUCT §2, §7).

A URL added without a row here makes ``test_every_url_has_a_row`` fail. Answers:
200 page, LOGIN redirect to sign-in, REDIRECT elsewhere, 404 not yours (nothing confirms it
exists), 405 a POST-only action opened with GET. Never 500.
"""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from assessments.answering.tokens import issue_token
from assessments.models import (
    ActionPlan,
    Cycle,
    EmailDelivery,
    FocusArea,
    Rater,
    RaterGroup,
    ReportArchive,
)
from assessments.reporting import tallies
from compass.models import Enabler
from tests.assessments.helpers import fast_submit
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db

LOGIN, REDIRECT = "login", "redirect"
ROLES = [
    "anonymous",
    "leader",
    "other_leader",
    "rater",
    "supervisor",
    "other_supervisor",
    "hr",
]


def _all(answer):
    return dict.fromkeys(ROLES, answer)


def signed_in(answer, anonymous=LOGIN):
    """``answer`` for everyone signed in; the rater has no account, so is anonymous."""
    return {**_all(answer), "anonymous": anonymous, "rater": anonymous}


def only(allowed, answer=200, others=404):
    """``answer`` for the roles in ``allowed``; 404 for everyone else signed in."""
    matrix = signed_in(others)
    matrix.update(dict.fromkeys(allowed, answer))
    return matrix


POST_ONLY = signed_in(405)
PUBLIC = _all(200)
EVERY_SIGNED_IN = signed_in(200)
HR_ONLY = only(["hr"])


@pytest.fixture
def world(compass, hr_admin):
    """An open cycle and a released one; the leader takes part in both, the other leader in the
    open one under another supervisor; the released report and plan are shared."""
    leader = UserFactory(full_name="Lina Leader")
    supervisor = UserFactory(full_name="Sam Supervisor")
    other_supervisor = UserFactory(full_name="Olu Other")
    other_leader = UserFactory(full_name="Omar Other")

    open_cycle = CycleFactory(state=Cycle.State.OPEN)
    open_part = make_participant(open_cycle, person=leader, supervisor=supervisor)
    make_participant(open_cycle, person=other_leader, supervisor=other_supervisor)
    peer = RaterFactory(participant=open_part, group=RaterGroup.PEER)
    token = issue_token(peer)
    # The supervisor's own feedback on the leader, asked of them (home lists it).
    asked = open_part.raters.get(group=RaterGroup.SUPERVISOR)
    asked.status = Rater.Status.INVITED
    asked.save(update_fields=["status"])
    card_rater = RaterFactory(participant=open_part, group=RaterGroup.PARTNER, email="")

    released = CycleFactory(state=Cycle.State.OPEN)
    released_part = make_participant(released, person=leader, supervisor=supervisor)
    fast_submit(self_rater(released_part), "4")
    for _ in range(3):
        fast_submit(RaterFactory(participant=released_part, group=RaterGroup.PEER), "3")
    Cycle.objects.filter(pk=released.pk).update(state=Cycle.State.RELEASED)
    tallies.freeze(released)  # as release_cycle does
    released_part.shared_with_supervisor = True
    released_part.save()
    plan = ActionPlan.objects.create(participant=released_part, shared_with_supervisor=True)
    focus = FocusArea.objects.create(
        plan=plan, enabler=Enabler.objects.get(slug="funding"), goal="Multi-year funding"
    )
    action = focus.actions.create(text="Meet donors", due_on=released.closes_on)
    archive = ReportArchive.objects.create(
        cycle=released, state=ReportArchive.State.READY, total=1, done=1, content=b"PK"
    )
    delivery = EmailDelivery.objects.create(
        cycle=open_cycle, rater=peer, kind="invitation", to=peer.email, subject="x", status="failed"
    )

    return {
        "users": {
            "leader": leader,
            "other_leader": other_leader,
            "supervisor": supervisor,
            "other_supervisor": other_supervisor,
            "hr": hr_admin,
        },
        "open_cycle": open_cycle,
        "open_part": open_part,
        "peer": peer,
        "asked": asked,
        "card_rater": card_rater,
        "token": token,
        "released": released,
        "released_part": released_part,
        "focus": focus,
        "action": action,
        "archive": archive,
        "delivery": delivery,
    }


def _open(w):
    return [w["open_part"].pk]


def _released(w):
    return [w["released_part"].pk]


def _hr_rater(w):
    return [w["open_cycle"].pk, w["open_part"].pk, w["peer"].pk]


# name: (args from the world, query string, answer per role)
MATRIX = {
    "home": (lambda w: [], "", EVERY_SIGNED_IN),
    "healthz": (lambda w: [], "", PUBLIC),
    # The header's language choice is a POST for everyone (tests/test_languages.py posts it).
    "set_language": (lambda w: [], "", _all(405)),
    "loadrun_bare": (lambda w: [], "", _all(404)),  # only `make loadrun` turns it on
    "login": (lambda w: [], "", PUBLIC),
    "logout": (lambda w: [], "", _all(405)),
    "password_change": (lambda w: [], "", EVERY_SIGNED_IN),
    "password_change_done": (lambda w: [], "", EVERY_SIGNED_IN),
    "password_reset": (lambda w: [], "", PUBLIC),
    "password_reset_done": (lambda w: [], "", PUBLIC),
    "password_reset_confirm": (lambda w: ["MQ", "bad-token"], "", PUBLIC),
    "password_reset_complete": (lambda w: [], "", PUBLIC),
    # Sign-in through the organisation's provider: 404 while it is not configured (the answers
    # with a provider are in tests/test_oidc.py, test_provider_urls_answer_every_role).
    "oidc_authenticate": (lambda w: [], "", _all(404)),
    "oidc_callback": (lambda w: [], "", _all(404)),
    "compass:matrix": (lambda w: [], "", EVERY_SIGNED_IN),
    "compass:matrix_edition": (lambda w: ["2024"], "", EVERY_SIGNED_IN),
    "compass:enabler": (lambda w: ["2024", "funding"], "", EVERY_SIGNED_IN),
    "compass:level": (lambda w: ["2024", "directors"], "", EVERY_SIGNED_IN),
    "compass:cell": (lambda w: ["2024", "directors", "funding"], "", EVERY_SIGNED_IN),
    "my360:index": (lambda w: [], "", signed_in(REDIRECT)),
    "my360:participation": (_open, "", only(["leader"])),
    "my360:nominate": (_open, "", POST_ONLY),
    "my360:remove_nomination": (lambda w: [*_open(w), w["peer"].pk], "", POST_ONLY),
    "my360:replace_nomination": (lambda w: [*_open(w), w["peer"].pk], "", only(["leader"])),
    "my360:submit_nominations": (_open, "", POST_ONLY),
    "my360:approvals": (_open, "", only(["supervisor"])),
    "my360:rater_card": (lambda w: [*_open(w), w["card_rater"].pk], "", only(["leader"])),
    "my360:self_start": (_open, "", only(["leader"])),
    "my360:self_section": (lambda w: [*_open(w), 1], "", only(["leader"])),
    "my360:self_review": (_open, "", only(["leader"])),
    "my360:self_thanks": (_open, "", only(["leader"])),
    # Feedback asked of the signed-in user: theirs only; the leader asked cannot open it.
    "my360:feedback_start": (lambda w: [w["asked"].pk], "", only(["supervisor"])),
    "my360:feedback_section": (lambda w: [w["asked"].pk, 1], "", only(["supervisor"])),
    "my360:feedback_review": (lambda w: [w["asked"].pk], "", only(["supervisor"])),
    "my360:feedback_decline": (lambda w: [w["asked"].pk], "", only(["supervisor"])),
    "my360:feedback_thanks": (lambda w: [w["asked"].pk], "", only(["supervisor"])),
    # Where the short code of a printed card is typed: public, like the links.
    "rater:code": (lambda w: [], "", PUBLIC),
    # A rater link is a bearer link: whoever holds it is the rater, signed in or not.
    "rater:start": (lambda w: [w["token"]], "", PUBLIC),
    "rater:section": (lambda w: [w["token"], 1], "", PUBLIC),
    "rater:review": (lambda w: [w["token"]], "", PUBLIC),
    "rater:decline": (lambda w: [w["token"]], "", PUBLIC),
    "rater:thanks": (lambda w: [w["token"]], "", PUBLIC),
    "rater:language": (lambda w: [w["token"]], "", _all(405)),
    "hr:dashboard": (lambda w: [], "", HR_ONLY),
    "hr:cycle_create": (lambda w: [], "", HR_ONLY),
    "hr:cycle_detail": (lambda w: [w["open_cycle"].pk], "", HR_ONLY),
    "hr:cycle_edit": (lambda w: [w["open_cycle"].pk], "", HR_ONLY),
    "hr:import_participants": (lambda w: [w["open_cycle"].pk], "", HR_ONLY),
    "hr:import_raters": (lambda w: [w["open_cycle"].pk], "", HR_ONLY),
    # Opening an open cycle is not possible: HR is sent back to the cycle with a message.
    "hr:cycle_open": (lambda w: [w["open_cycle"].pk], "", only(["hr"], REDIRECT)),
    "hr:cycle_close": (lambda w: [w["open_cycle"].pk], "", HR_ONLY),
    "hr:cycle_reopen": (lambda w: [w["open_cycle"].pk], "", only(["hr"], REDIRECT)),
    "hr:cycle_release": (lambda w: [w["open_cycle"].pk], "", only(["hr"], REDIRECT)),
    "hr:cycle_extend": (lambda w: [w["open_cycle"].pk], "", HR_ONLY),
    "hr:cycle_remind": (lambda w: [w["open_cycle"].pk], "", HR_ONLY),
    "hr:cycle_reminder_schedule": (lambda w: [w["open_cycle"].pk], "", only(["hr"], 405)),
    "hr:cycle_report_pdfs": (lambda w: [w["released"].pk], "", HR_ONLY),
    "hr:report_archive_download": (
        lambda w: [w["released"].pk, w["archive"].pk],
        "",
        HR_ONLY,
    ),
    "hr:export_participation": (lambda w: [w["open_cycle"].pk], "?format=csv", HR_ONLY),
    "hr:participant_detail": (lambda w: [w["open_cycle"].pk, w["open_part"].pk], "", HR_ONLY),
    "hr:rater_resend": (_hr_rater, "", only(["hr"], 405)),
    "hr:delivery_retry": (
        lambda w: [w["open_cycle"].pk, w["delivery"].pk],
        "",
        only(["hr"], 405),
    ),
    "hr:rater_replace": (_hr_rater, "", HR_ONLY),
    "hr:rater_remove": (_hr_rater, "", HR_ONLY),
    "hr:rater_card": (
        lambda w: [w["open_cycle"].pk, w["open_part"].pk, w["card_rater"].pk],
        "",
        HR_ONLY,
    ),
    "hr:rater_add_without_email": (
        lambda w: [w["open_cycle"].pk, w["open_part"].pk],
        "",
        only(["hr"], 405),
    ),
    "hr:participants_template": (lambda w: [], "", HR_ONLY),
    "hr:raters_template": (lambda w: [], "", HR_ONLY),
    "reports:individual": (_released, "", only(["leader", "supervisor", "hr"])),
    "reports:individual_print": (_released, "", only(["leader", "supervisor", "hr"])),
    "reports:individual_summary": (_released, "", only(["leader", "supervisor", "hr"])),
    "reports:individual_pdf": (_released, "", only(["leader", "supervisor", "hr"])),
    "reports:share": (_released, "", POST_ONLY),
    "reports:team": (lambda w: [w["released"].pk], "", only(["supervisor"])),
    "reports:cohort": (lambda w: [w["released"].pk], "", HR_ONLY),
    "reports:cohort_export": (lambda w: [w["released"].pk], "?format=csv", HR_ONLY),
    "plans:plan": (_released, "", only(["leader", "supervisor"])),
    "plans:add_focus": (_released, "", POST_ONLY),
    "plans:remove_focus": (lambda w: [*_released(w), w["focus"].pk], "", POST_ONLY),
    "plans:add_action": (lambda w: [*_released(w), w["focus"].pk], "", POST_ONLY),
    "plans:action_status": (lambda w: [*_released(w), w["action"].pk], "", POST_ONLY),
    "plans:share": (_released, "", POST_ONLY),
    "plans:comment": (_released, "", POST_ONLY),
    "plans:edit_action": (lambda w: [*_released(w), w["action"].pk], "", only(["leader"])),
    "plans:delete_action": (lambda w: [*_released(w), w["action"].pk], "", POST_ONLY),
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
    assert project_url_names() == set(MATRIX), "add the new URL to MATRIX with its answers"


def _answer(response):
    if response.status_code == 302:
        return LOGIN if response.url.startswith(reverse("login")) else REDIRECT
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_every_role_as_expected(client, world, role):
    if role in world["users"]:
        client.force_login(world["users"][role])
    wrong = {}
    for name, (args, query, expected) in MATRIX.items():
        response = client.get(reverse(name, args=args(world)) + query)
        assert response.status_code != 500, name
        if _answer(response) != expected[role]:
            wrong[name] = (_answer(response), expected[role])
    assert wrong == {}, f"{role}: (got, expected) per URL"


# POSTs to the URLs of issue 19 (raters without email), every role: the card pages are
# read-only (405 on My 360 as its other pages; HR's page 404 to non-HR), adding a rater is HR's,
# and the code form answers a post without a code with its error (400).
POST_MATRIX = {
    "my360:rater_card": (lambda w: [*_open(w), w["card_rater"].pk], {}, signed_in(405)),
    "hr:rater_card": (
        lambda w: [w["open_cycle"].pk, w["open_part"].pk, w["card_rater"].pk],
        {},
        only(["hr"], 405),
    ),
    "hr:rater_add_without_email": (
        lambda w: [w["open_cycle"].pk, w["open_part"].pk],
        {"name": "Kofi Mensah", "group": "partner"},
        only(["hr"], REDIRECT),
    ),
    "rater:code": (lambda w: [], {"code": ""}, _all(400)),
}


@pytest.mark.parametrize("role", ROLES)
def test_posts_answer_every_role_as_expected(client, world, role):
    if role in world["users"]:
        client.force_login(world["users"][role])
    wrong = {}
    for name, (args, data, expected) in POST_MATRIX.items():
        response = client.post(reverse(name, args=args(world)), data)
        assert response.status_code != 500, name
        if _answer(response) != expected[role]:
            wrong[name] = (_answer(response), expected[role])
    assert wrong == {}, f"{role}: (got, expected) per URL"
    added = world["open_part"].raters.filter(name="Kofi Mensah").count()
    assert added == (1 if role == "hr" else 0)


def test_the_django_admin_is_for_staff_only(client, world):
    assert _answer(client.get(reverse("admin:index"))) == REDIRECT  # to the admin's sign-in
    client.force_login(world["users"]["hr"])
    assert _answer(client.get(reverse("admin:index"))) == REDIRECT
