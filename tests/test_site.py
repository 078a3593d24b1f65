import io
import json
import logging
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse

from compass_site.logging import JsonFormatter, RedactFilter

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch("compass_site.views.connection.cursor", side_effect=DatabaseError):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503


def test_the_load_runs_bare_view_is_off_unless_the_load_run_turns_it_on(
    client, settings, django_assert_num_queries
):
    assert client.get(reverse("loadrun_bare")).status_code == 404
    settings.LOADRUN_BARE_VIEW = True
    with django_assert_num_queries(0):
        response = client.get(reverse("loadrun_bare"))
    assert response.status_code == 200 and response.content == b"ok"
    assert client.post(reverse("loadrun_bare")).status_code == 405


def test_pages_send_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_rater_links_and_emails_never_reach_the_logs(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("assessments")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        client.get("/r/SeCrEtToKeN123456789/section/1/")
        logging.getLogger("assessments").warning("mail to %s failed", "amina@example.org")
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    text = stream.getvalue()
    assert "SeCrEtToKeN" not in text
    assert "amina@example.org" not in text
    assert lines[0]["message"] == "Not Found: /r/[link]/section/1/"
    assert lines[0]["status"] == 404


def test_logging_is_configured_to_redact_everything_django_prints():
    from django.conf import settings

    config = settings.LOGGING
    assert config["handlers"]["console"]["filters"] == ["redact"]
    for name in ["django", "django.server"]:
        assert config["loggers"][name] == {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        }
