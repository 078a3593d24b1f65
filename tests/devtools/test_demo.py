"""`manage.py seed_demo`: believable demo data, built through the rules, once.

Seeding takes a few seconds, so it runs once for the module inside a transaction that is rolled
back at the end; each test runs in its own savepoint on top of it.
"""

import re
import shutil
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.answering import tokens
from assessments.answering.questionnaire import build_questionnaire, questionnaire_for
from assessments.models import (
    HR_ADMINS_GROUP,
    Answer,
    AuditEvent,
    Comment,
    Cycle,
    Participant,
    Rater,
    RaterGroup,
    Response,
    User,
)
from devtools import demo

pytestmark = pytest.mark.django_db

# If seeding ever sent mail through the configured backend, this one would print it.
CONSOLE_MAIL = {
    "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}
}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py
LINK = re.compile(r"A rater link \(no account needed\): (\S+)")
MODELS = (User, Cycle, Participant, Rater, Response, Answer, Comment, AuditEvent)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def run_seed():
    """Run the command with a console mail backend: what it printed, what reached the console,
    and how many emails it left in the test outbox."""
    out, console = StringIO(), StringIO()
    outbox = len(getattr(mail, "outbox", []))
    with (
        override_settings(MAILERS=CONSOLE_MAIL, PASSWORD_HASHERS=FAST_HASHERS),
        redirect_stdout(console),
        redirect_stderr(console),
    ):
        call_command("seed_demo", stdout=out)
    return out.getvalue(), console.getvalue(), len(getattr(mail, "outbox", [])) - outbox


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed an empty database (the compass is loaded) once; roll everything back afterwards."""
    with django_db_blocker.unblock():
        assert not Cycle.objects.exists() and not User.objects.exists()
        with transaction.atomic():
            output, console, emails = run_seed()
            yield {"output": output, "console": console, "emails": emails, "counts": counts()}
            transaction.set_rollback(True)


@pytest.fixture
def open_cycle(seeded):
    return Cycle.objects.get(name=demo.OPEN_CYCLE_NAME)


@pytest.fixture
def released_cycle(seeded):
    return Cycle.objects.get(name=demo.RELEASED_CYCLE_NAME)


def test_builds_an_open_and_a_released_cycle(open_cycle, released_cycle):
    assert open_cycle.state == Cycle.State.OPEN
    assert open_cycle.opens_on < open_cycle.closes_on
    assert open_cycle.created_at < open_cycle.opened_at < timezone.now() - timedelta(days=6)
    assert released_cycle.state == Cycle.State.RELEASED
    assert released_cycle.opened_at < released_cycle.closed_at < released_cycle.released_at
    assert released_cycle.closes_on < open_cycle.opens_on
    actions = set(released_cycle.audit_events.values_list("action", flat=True))
    assert {"open", "close", "release"} <= actions


def test_open_cycle_has_two_dozen_leaders_over_the_four_levels(open_cycle):
    participants = open_cycle.participants.select_related("level")
    assert 20 <= participants.count() <= 30
    per_level = {}
    for participant in participants:
        per_level[participant.level.position] = per_level.get(participant.level.position, 0) + 1
    assert set(per_level) == {1, 2, 3, 4}  # every level below All leaders, none at All leaders
    assert per_level[1] > per_level[2] > per_level[3] >= per_level[4]
    assert {p.gender for p in participants} >= {"woman", "man", ""}
    assert any("(HQ)" in p.org_unit for p in participants)
    assert any(p.org_unit.startswith("Regional Office") for p in participants)
    assert any(p.org_unit.startswith("Country Office") for p in participants)


def test_supervisors_form_one_hierarchy(open_cycle):
    participants = list(open_cycle.participants.select_related("level"))
    by_person = {p.person_id: p for p in participants}
    tops = [p for p in participants if p.supervisor_id is None]
    assert len(tops) == 1 and tops[0].level.slug == "executive-office"
    for participant in participants:
        if participant.supervisor_id is None:
            continue
        boss = by_person.get(participant.supervisor_id)
        assert boss is not None, f"{participant} reports to someone outside the cohort"
        assert boss.level.position >= participant.level.position
        assert boss.level.position <= participant.level.position + 1


def test_raters_in_every_group_and_every_status(open_cycle):
    raters = Rater.objects.filter(participant__cycle=open_cycle)
    assert set(raters.values_list("group", flat=True)) == set(RaterGroup.values)
    assert set(raters.values_list("status", flat=True)) == set(Rater.Status.values)
    partners = raters.filter(group=RaterGroup.PARTNER)
    assert partners.exists()
    assert not partners.filter(email__endswith=f"@{demo.STAFF_DOMAIN}").exists()
    declined = raters.filter(status=Rater.Status.DECLINED)
    assert not declined.filter(declined_reason="").exists()
    # Started raters saved some sections, not all.
    started = Response.objects.filter(rater__in=raters.filter(status=Rater.Status.STARTED))
    assert started.exists() and not started.filter(submitted_at__isnull=False).exists()


def test_nominations_follow_the_limits(open_cycle):
    sent = open_cycle.participants.filter(nominations_submitted_at__isnull=False)
    assert sent.count() < open_cycle.participants.count()  # some leaders are still choosing
    for participant in sent.annotate(
        peers=Count("raters", filter=Q(raters__group=RaterGroup.PEER)),
        reports=Count("raters", filter=Q(raters__group=RaterGroup.DIRECT_REPORT)),
        partners=Count("raters", filter=Q(raters__group=RaterGroup.PARTNER)),
    ):
        assert 3 <= participant.peers <= 6
        assert participant.reports == 0 or 3 <= participant.reports <= 6
        assert participant.partners <= 3


def test_submitted_responses_answer_every_item(seeded):
    submitted = Response.objects.filter(
        submitted_at__isnull=False, rater__participant__cycle__kind=Cycle.Kind.FULL
    ).select_related("rater__participant__level")
    assert submitted.count() > 100
    questionnaires = {}
    answered = dict(submitted.annotate(n=Count("answers")).values_list("pk", "n"))
    for response in submitted:
        level = response.rater.participant.level
        if level.pk not in questionnaires:
            questionnaires[level.pk] = len(build_questionnaire(level).item_keys)
        assert answered[response.pk] == questionnaires[level.pk]
        assert response.rater.status == Rater.Status.SUBMITTED


def test_answers_vary_and_include_not_observed_and_comments(seeded):
    scores = set(Answer.objects.values_list("score", flat=True).distinct())
    assert scores == {None, 1, 2, 3, 4, 5}
    partner_unseen = (
        Answer.objects.filter(response__rater__group=RaterGroup.PARTNER, score__isnull=True).count()
        / Answer.objects.filter(response__rater__group=RaterGroup.PARTNER).count()
    )
    peer_unseen = (
        Answer.objects.filter(response__rater__group=RaterGroup.PEER, score__isnull=True).count()
        / Answer.objects.filter(response__rater__group=RaterGroup.PEER).count()
    )
    assert partner_unseen > peer_unseen  # partners see less of a leader's work
    assert Comment.objects.filter(kind=Comment.Kind.STRENGTH).count() > 20
    assert Comment.objects.filter(kind=Comment.Kind.IMPROVEMENT).count() > 20


def test_released_cycle_is_complete_enough_for_reports(released_cycle):
    participants = released_cycle.participants.annotate(
        selves=Count(
            "raters",
            filter=Q(raters__group=RaterGroup.SELF, raters__status=Rater.Status.SUBMITTED),
        ),
        peers=Count(
            "raters",
            filter=Q(raters__group=RaterGroup.PEER, raters__status=Rater.Status.SUBMITTED),
        ),
        reports=Count(
            "raters",
            filter=Q(raters__group=RaterGroup.DIRECT_REPORT, raters__status=Rater.Status.SUBMITTED),
        ),
    )
    assert 12 <= participants.count() <= 18
    k = released_cycle.anonymity_threshold
    assert all(p.selves == 1 for p in participants)
    assert all(p.peers >= k for p in participants)
    below = [p for p in participants if 0 < p.reports < k]
    assert below, "one leader's direct reports should stay below k, to show the anonymity rule"
    assert sum(p.reports >= k for p in participants) > len(below)


def test_the_demo_leader_has_a_plan_and_a_released_progress_pulse(released_cycle, client):
    """Issue 19: her plan focuses on two enablers; the pulse started four months after the
    release, most raters answered every question, and the plan shows the change."""
    mine = released_cycle.participants.get(person__email=demo.LEADER_EMAIL)
    assert mine.action_plan.focus_areas.count() == 2
    pulse = Participant.objects.select_related("cycle").get(follows=mine)
    assert pulse.cycle.state == Cycle.State.RELEASED
    started = (pulse.cycle.opened_at - released_cycle.released_at).days
    assert 90 <= started <= 183
    assert pulse.cycle.released_at < timezone.now() - timedelta(days=100)
    questions = len(questionnaire_for(pulse).item_keys)
    submitted = Response.objects.filter(rater__participant=pulse, submitted_at__isnull=False)
    assert submitted.count() == pulse.raters.count() - 1
    for response in submitted:
        assert response.answers.count() + response.changes.count() == questions
    client.force_login(mine.person)
    page = client.get(reverse("plans:plan", args=[mine.pk])).content.decode()
    assert "In the pulse" in page and "More or less effective" in page


def test_demo_people_and_their_roles(open_cycle, released_cycle):
    hr = User.objects.get(email="hr@demo.example.org")
    leader = User.objects.get(email="leader@demo.example.org")
    supervisor = User.objects.get(email="supervisor@demo.example.org")
    for user in (hr, leader, supervisor):
        assert user.check_password(demo.DEMO_PASSWORD)
    assert hr.groups.filter(name=HR_ADMINS_GROUP).exists()
    for cycle in (open_cycle, released_cycle):
        participation = cycle.participants.get(person=leader)
        assert participation.supervisor == supervisor
        assert cycle.participants.filter(supervisor=supervisor).count() >= 3
    mine = open_cycle.participants.get(person=leader)
    assert mine.nominations_submitted_at is not None
    assert mine.raters.get(group=RaterGroup.SELF).status == Rater.Status.STARTED


def test_output_names_the_sign_ins_and_counts(seeded):
    output = seeded["output"]
    assert "http://127.0.0.1:8000/accounts/login/" in output
    for email in ("hr@demo.example.org", "leader@demo.example.org", "supervisor@demo.example.org"):
        assert re.search(rf"{re.escape(email)}\s+password: compass-demo", output)
    assert re.search(r"\d+ participants, \d+ raters, \d+ submitted responses", output)
    assert len(LINK.findall(output)) == 1


def test_the_note_says_which_demo_people_have_accounts(seeded):
    output = seeded["output"]
    assert "leaders and supervisors have accounts too, with the same password" in output
    for key in ("amina", "yuki", "pierre"):
        name = demo.PEOPLE[key].name
        assert name in output
        assert User.objects.get(email=demo.staff_email(name)).has_usable_password()
    assert "nominated by the leaders have no account" in output
    assert not User.objects.filter(full_name=demo.STAFF_NAMES[0]).exists()


def test_the_printed_links_follow_site_url(seeded, settings):
    settings.SITE_URL = "http://127.0.0.1:9000"
    output, _console, _emails = run_seed()
    assert "http://127.0.0.1:9000/accounts/login/" in output
    assert LINK.search(output).group(1).startswith("http://127.0.0.1:9000/r/")


def test_make_run_sets_site_url_from_host():
    """`make run HOST=…` serves there and builds every printed and emailed link there."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[2]
    planned = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.1:9000"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "SITE_URL=http://127.0.0.1:9000 .venv/bin/python manage.py seed_demo" in planned
    assert "SITE_URL=http://127.0.0.1:9000 .venv/bin/python manage.py runserver 127.0.0.1:9000" in (
        planned
    )


def test_no_email_is_sent_or_printed(seeded):
    assert "Subject:" not in seeded["console"]
    assert seeded["emails"] == 0


def test_the_printed_rater_link_opens_the_questionnaire(seeded, open_cycle, client):
    link = LINK.search(seeded["output"]).group(1)
    token = urlparse(link).path.rstrip("/").rsplit("/", 1)[-1]
    rater = tokens.find_rater(token, Rater.objects.all())
    assert rater is not None
    assert rater.participant.cycle == open_cycle
    assert rater.participant.person.email == "leader@demo.example.org"
    assert rater.group == RaterGroup.PEER
    assert rater.status != Rater.Status.SUBMITTED
    assert client.get(urlparse(link).path).status_code == 200


def test_running_again_adds_nothing_and_prints_the_same_working_link(seeded, capsys):
    output, console, emails = run_seed()
    assert counts() == seeded["counts"]
    assert emails == 0
    assert "nothing added" in output
    assert "Subject:" not in console + capsys.readouterr().out
    first = LINK.search(seeded["output"]).group(1)
    second = LINK.search(output).group(1)
    assert first == second  # links are stable for the whole cycle
    token = urlparse(second).path.rstrip("/").rsplit("/", 1)[-1]
    assert tokens.find_rater(token, Rater.objects.all()) is not None
