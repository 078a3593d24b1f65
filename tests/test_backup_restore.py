"""The documented backup and restore (pg_dump -Fc / pg_restore) keeps a report identical."""

import shutil
import subprocess

import pytest
from django.db import connection

from assessments.models import Answer, Participant, RaterGroup
from assessments.reporting import reports
from tests.assessments.helpers import fast_submit
from tests.factories import RaterFactory, make_participant

pytestmark = pytest.mark.django_db(transaction=True)


def _numbers(participant):
    report = reports.individual_report(participant)
    return [
        (s.enabler.name, s.row.others.mean, s.row.others.n, s.row.self_cell.mean)
        for s in report.sections
    ]


def _pg_args():
    params = connection.get_connection_params()
    args = ["--host", params.get("host") or "127.0.0.1", "--port", str(params.get("port") or 5432)]
    if params.get("user"):
        args += ["--username", params["user"]]
    return args, params.get("dbname") or params.get("database")


def test_dump_and_restore_keep_a_report_identical(compass, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are documented for PostgreSQL, the production database")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    participant = make_participant()
    for score in "345":
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), score)
    before = _numbers(participant)
    answers = Answer.objects.count()

    args, dbname = _pg_args()
    dump = tmp_path / "compass.dump"
    connection.close()
    subprocess.run(["pg_dump", "-Fc", *args, "--file", str(dump), dbname], check=True)
    Answer.objects.all().delete()  # the disaster
    connection.close()
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            *args,
            "--dbname",
            dbname,
            str(dump),
        ],
        check=True,
    )

    assert Answer.objects.count() == answers
    assert _numbers(Participant.objects.get(pk=participant.pk)) == before
