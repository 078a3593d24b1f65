"""Issue 13's security probes: each failed on the code before it and must keep holding."""

import io
import os
import subprocess
import sys
import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from assessments import throttle
from assessments.answering.tokens import issue_token
from assessments.models import ActionPlan, Cycle, PlanComment, Throttle
from compass_site.middleware import SIGNED_IN_AT
from tests.assessments.helpers import cycle_data, fast_submit
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db


# --- 6. Sign-in failures count per account, whatever the spelling ----------------------------


def test_failures_in_different_letter_cases_lock_the_same_account(client):
    UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    spellings = [
        "amina@example.org",
        "AMINA@example.org",
        "Amina@Example.org",
        " amina@EXAMPLE.org",
    ]
    for spelling in spellings * 2:
        client.post(
            reverse("login"),
            {"username": spelling, "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{len(spelling)}",
        )
    right = client.post(
        reverse("login"),
        {"username": "Amina@example.org", "password": "a-long-pass-phrase"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


# --- 7. Wrong links: per real client, atomically, never refusing a valid link ----------------


@pytest.fixture
def behind_proxy(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.RATER_LINK_ATTEMPTS = 3


def test_wrong_links_count_per_client_behind_the_proxy(client, compass, behind_proxy):
    token = issue_token(RaterFactory())
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request reaches us from the proxy
    guesses = [
        client.get(
            reverse("rater:start", args=[f"guess{i}" + "x" * 40]),
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **proxy,
        ).status_code
        for i in range(4)
    ]
    assert guesses == [404, 404, 404, 429]
    # Another client behind the same proxy is not paused, and a valid link always works.
    other = client.get(
        reverse("rater:start", args=["other" + "x" * 40]),
        HTTP_X_FORWARDED_FOR="198.51.100.4",
        **proxy,
    )
    assert other.status_code == 404
    for forwarded in ("203.0.113.9", "198.51.100.4"):
        valid = client.get(
            reverse("rater:start", args=[token]), HTTP_X_FORWARDED_FOR=forwarded, **proxy
        )
        assert valid.status_code == 200


def test_a_spoofed_forwarded_for_does_not_escape_the_count(client, compass, behind_proxy):
    statuses = [
        client.get(
            reverse("rater:start", args=[f"guess{i}" + "x" * 40]),
            # the client prepends a fake address; the proxy appends the real one
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.9",
            REMOTE_ADDR="10.0.0.1",
        ).status_code
        for i in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


def test_parallel_hits_are_all_counted(transactional_db):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    errors = []

    def worker():
        try:
            for _ in range(10):
                throttle.hit("probe", "203.0.113.9", window=600)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert throttle.count("probe", "203.0.113.9", window=600) == 40
    Throttle.objects.all().delete()


def test_counts_are_kept_without_the_address():
    throttle.hit("probe", "203.0.113.9", window=600)
    assert not Throttle.objects.filter(key__contains="203.0.113.9").exists()


# --- 9. XLSX exports with control characters ---------------------------------------------------


def test_xlsx_export_with_control_characters_in_names_opens(client, compass, hr_admin):
    cycle = CycleFactory(name="Cohort\x07 2026")
    make_participant(
        cycle,
        person=UserFactory(full_name="Ana\x0bLópez\x01"),
        org_unit="Kenya\x1b Office",
    )
    client.force_login(hr_admin)
    response = client.get(reverse("hr:export_participation", args=[cycle.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert "AnaLópez" in values and "Kenya Office" in values
    assert workbook.properties.title.startswith("Cohort 2026")


def test_cohort_xlsx_with_control_characters_opens(client, compass, hr_admin):
    cycle = CycleFactory(name="Cohort\x08 été")  # PostgreSQL cannot even store NUL
    boss = UserFactory()
    for _ in range(3):
        participant = make_participant(cycle, supervisor=boss, org_unit="Unit\x02 A")
        fast_submit(self_rater(participant), "4")
        for _ in range(3):
            fast_submit(RaterFactory(participant=participant), "3")
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED)
    client.force_login(hr_admin)
    response = client.get(reverse("reports:cohort_export", args=[cycle.pk]) + "?format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert "Unit A" in cells


# --- 10. Cache-Control: no-store on every page with personal data -----------------------------


@pytest.fixture
def released(compass):
    leader = UserFactory()
    boss = UserFactory()
    participant = make_participant(CycleFactory(), person=leader, supervisor=boss)
    fast_submit(self_rater(participant), "4")
    for _ in range(3):
        fast_submit(RaterFactory(participant=participant), "3")
    Cycle.objects.filter(pk=participant.cycle_id).update(state=Cycle.State.RELEASED)
    ActionPlan.objects.create(participant=participant, shared_with_supervisor=True)
    participant.shared_with_supervisor = True
    participant.save()
    return participant


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_pages_with_personal_data_are_not_stored(client, released, hr_admin):
    p = released
    client.force_login(p.person)
    for url in [
        reverse("reports:individual", args=[p.pk]),
        reverse("reports:individual_print", args=[p.pk]),
        reverse("plans:plan", args=[p.pk]),
        reverse("my360:participation", args=[p.pk]),
        reverse("home"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    client.force_login(p.supervisor)
    team = client.get(reverse("reports:team", args=[p.cycle_id]))
    assert team.status_code == 200 and no_store(team)
    client.force_login(hr_admin)
    for url in [
        reverse("hr:cycle_detail", args=[p.cycle_id]),
        reverse("hr:participant_detail", args=[p.cycle_id, p.pk]),
        reverse("reports:cohort", args=[p.cycle_id]),
        reverse("reports:cohort_export", args=[p.cycle_id]) + "?format=csv",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url


def test_rater_pages_are_not_stored(client, compass):
    token = issue_token(RaterFactory())
    for name, args in [("start", []), ("section", [1]), ("review", []), ("decline", [])]:
        response = client.get(reverse(f"rater:{name}", args=[token, *args]))
        assert no_store(response), name


# --- 11. The absolute session limit, from sign-in time ----------------------------------------


def test_a_session_ends_eight_hours_after_sign_in_however_active(client, compass, settings):
    user = UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    client.post(reverse("login"), {"username": user.email, "password": "a-long-pass-phrase"})
    signed_in_at = client.session[SIGNED_IN_AT]
    start = time.time()
    # Active every 20 minutes for 8 hours: never idle, but the limit is from sign-in.
    for minutes in range(20, 8 * 60, 20):
        with mock.patch("compass_site.middleware.time.time", return_value=start + minutes * 60):
            assert client.get(reverse("home")).status_code == 200
    late = start + settings.SESSION_COOKIE_AGE + 60
    with mock.patch("compass_site.middleware.time.time", return_value=late):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response.url
    assert signed_in_at <= start


# --- 12. Double posts ------------------------------------------------------------------------


def form_token(page):
    import re

    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def test_the_new_cycle_form_posted_twice_makes_one_cycle(client, hr_admin, compass):
    client.force_login(hr_admin)
    token = form_token(client.get(reverse("hr:cycle_create")))
    data = cycle_data(
        form_token=token, name="Leaders 2027", opens_on="2027-01-10", closes_on="2027-02-10"
    )
    first = client.post(reverse("hr:cycle_create"), data)
    second = client.post(reverse("hr:cycle_create"), data)
    assert Cycle.objects.filter(name="Leaders 2027").count() == 1
    assert first.status_code == second.status_code == 302
    assert second.url == first.url  # both land on the one cycle


def test_a_plan_comment_posted_twice_is_saved_and_emailed_once(
    client, released, django_capture_on_commit_callbacks
):
    p = released
    client.force_login(p.supervisor)
    token = form_token(client.get(reverse("plans:plan", args=[p.pk])))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("plans:comment", args=[p.pk]),
                {"form_token": token, "text": "Well done."},
            )
        assert response.status_code == 302
    assert PlanComment.objects.count() == 1
    assert len([m for m in mail.outbox if "commented" in m.subject]) == 1
    # The next comment, from a freshly rendered form, is saved.
    token = form_token(client.get(reverse("plans:plan", args=[p.pk])))
    client.post(reverse("plans:comment", args=[p.pk]), {"form_token": token, "text": "And?"})
    assert PlanComment.objects.count() == 2


def test_every_create_form_carries_a_one_time_token(client, released, hr_admin):
    p = released
    client.force_login(p.person)
    plan = client.get(reverse("plans:plan", args=[p.pk])).content.decode()
    assert 'name="form_token"' in plan  # add a focus area
    open_part = make_participant(CycleFactory(), person=p.person)
    page = client.get(reverse("my360:participation", args=[open_part.pk])).content.decode()
    assert 'name="form_token"' in page  # nominate
    client.force_login(hr_admin)
    assert 'name="form_token"' in client.get(reverse("hr:cycle_create")).content.decode()


# --- 13. Password reset: throttled, through tasks, the same page either way -------------------


def test_password_reset_is_throttled_per_account_and_per_address(client, settings):
    settings.PASSWORD_RESET_ATTEMPTS = 2
    UserFactory(email="amina@example.org")
    answers = [
        client.post(
            reverse("password_reset"),
            {"email": "Amina@example.org"},
            REMOTE_ADDR=f"10.0.0.{i}",
        )
        for i in range(4)
    ]
    assert {(r.status_code, r.url) for r in answers} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 2  # per account, from any address
    mail.outbox.clear()
    for i in range(4):
        UserFactory(email=f"user{i}@example.org")
        client.post(reverse("password_reset"), {"email": f"user{i}@example.org"})
    assert len(mail.outbox) == 2  # per address, for any account


def test_password_reset_is_sent_through_the_task_backend(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from assessments.accounts import password_reset

    UserFactory(email="amina@example.org")
    response = client.post(reverse("password_reset"), {"email": "amina@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing sent inside the request
    backend = password_reset.send_password_reset.get_backend()
    (queued,) = backend.results
    assert queued.task.name == "send_password_reset"
    backend.clear()


# --- 14. Production queues tasks in the database ----------------------------------------------


def _production_setting(expression, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("TASKS_BACKEND", "DJANGO_ENV")}
    environment.update(
        DJANGO_ENV="production",
        SECRET_KEY="probe-only-" + "k" * 50,
        ALLOWED_HOSTS="compass.example.org",
        DJANGO_SETTINGS_MODULE="compass_site.settings",
        **env,
    )
    code = f"from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_production_defaults_to_the_database_task_backend():
    backend = _production_setting('settings.TASKS["default"]["BACKEND"]')
    assert backend == "django_tasks_db.DatabaseBackend"


def test_a_nomination_posted_twice_adds_one_rater_and_the_second_lands_on_the_page(client):
    participant = make_participant(CycleFactory())
    client.force_login(participant.person)
    page = client.get(reverse("my360:participation", args=[participant.pk]))
    data = {
        "form_token": form_token(page),
        "name": "Ama Mensah",
        "email": "ama@example.org",
        "group": "peer",
    }
    first = client.post(reverse("my360:nominate", args=[participant.pk]), data)
    second = client.post(reverse("my360:nominate", args=[participant.pk]), data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert participant.raters.filter(email="ama@example.org").count() == 1
    # The repeat says nothing is wrong: no "already one of your raters" error.
    messages = [str(m) for m in second.wsgi_request._messages]
    assert not any("already" in m for m in messages)
