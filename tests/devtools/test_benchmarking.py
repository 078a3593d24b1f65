"""The benchmark's builder and command: structure, never speed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.models import Count

from assessments.answering.questionnaire import build_questionnaire
from assessments.answering.tokens import find_rater
from assessments.models import Answer, Participant, Rater, RaterGroup, Response
from devtools import benchmarking as bm
from devtools import timing

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(compass):
    return bm.build_cycle(participants=12, raters=5, reserve=3)


def test_group_sizes_add_up_to_the_raters_asked_for():
    assert bm.group_sizes(12) == {
        RaterGroup.SUPERVISOR: 1,
        RaterGroup.PEER: 4,
        RaterGroup.DIRECT_REPORT: 5,
        RaterGroup.PARTNER: 2,
    }
    for raters in range(3, 20):
        assert sum(bm.group_sizes(raters).values()) == raters


def test_builder_makes_one_open_cycle_with_every_participant_rated(bench):
    cycle = bench.cycle
    assert cycle.is_open
    participants = Participant.objects.filter(cycle=cycle)
    assert participants.count() == 12
    per_participant = participants.annotate(n=Count("raters")).values_list("n", flat=True)
    assert set(per_participant) == {1 + 5}
    assert Rater.objects.filter(participant__cycle=cycle, group=RaterGroup.SELF).count() == 12
    # teams of ten: the team report of 10 reads supervisor 0's team
    assert participants.filter(supervisor=bench.supervisors[0]).count() == bm.TEAM_SIZE
    assert bench.hr.groups.filter(name="HR admins").exists()


def test_submitted_responses_answer_every_item_and_drafts_stay_drafts(bench):
    submitted = Response.objects.filter(submitted_at__isnull=False).select_related(
        "rater__participant__level"
    )
    assert submitted.count() == bench.counts["submitted"]
    for response in submitted:
        assert response.rater.status == Rater.Status.SUBMITTED
        items = build_questionnaire(response.rater.participant.level).item_keys
        keys = sorted(a.item_key for a in Answer.objects.filter(response=response))
        assert keys == sorted(items)
    assert Answer.objects.filter(score__isnull=True).exists()  # some "not observed"
    drafts = Response.objects.filter(submitted_at__isnull=True)
    assert drafts.count() == bench.counts["complete drafts"] + bench.counts["half-done drafts"]
    assert bench.counts["answers"] == Answer.objects.count()


def test_tokens_in_memory_open_the_links_of_raters_who_have_not_submitted(bench):
    assert len(bench.tokens[bm.COMPLETE]) >= 3
    assert len(bench.tokens[bm.INVITED]) + len(bench.tokens[bm.PARTIAL]) >= 3
    for state, tokens in bench.tokens.items():
        for token in tokens:
            rater = find_rater(token, Rater.objects.all())
            assert rater is not None and rater.group != RaterGroup.SELF
            assert rater.status != Rater.Status.SUBMITTED
            if state == bm.INVITED:
                assert not Response.objects.filter(rater=rater).exists()
            if state == bm.COMPLETE:
                level = rater.participant.level
                answered = Answer.objects.filter(response__rater=rater).count()
                assert answered == len(build_questionnaire(level).item_keys)


def test_heatmap_sql_counts_what_the_orm_counts(bench):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(timing.heatmap_sql(), [bench.cycle.pk])
        rows = cursor.fetchall()
    submitted = Answer.objects.filter(response__submitted_at__isnull=False)
    real_scores = submitted.filter(indicator__isnull=False, score__isnull=False)
    assert sum(row[4] for row in rows) == real_scores.count()
    assert {row[2] for row in rows} == {0, 1}  # self apart from others


def test_percentile_is_nearest_rank():
    values = [n / 1000 for n in range(1, 21)]
    assert timing.percentile(values, 95) == 0.019
    assert timing.percentile([0.5], 95) == 0.5


def test_refuses_the_configured_database():
    from django.db import connection

    with pytest.raises(bm.BenchDatabaseError):
        bm.bench_database_name(connection.settings_dict["NAME"])


def test_command_runs_end_to_end_and_prints_the_table(tmp_path):
    """In a process of its own, as a developer runs it: it makes and drops its own database."""
    env = {**os.environ}
    name = str(tmp_path / "bench.sqlite3")
    if env.get("DATABASE_URL", "").startswith("postgres"):
        name = f"bench_pytest_{os.getpid()}"
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "benchmark",
            "--participants=4",
            "--raters=3",
            "--repeat=2",
            f"--database-name={name}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Benchmark: 4 participants × 3 raters" in out
    assert "median ms" in out and "p95 ms" in out and "queries" in out and "× SQL" in out
    for label in bm_labels():
        line = next((line for line in out.splitlines() if line.startswith(label)), None)
        assert line is not None, f"{label} missing from:\n{out}"
        assert "n/a (404)" in line or len(line.split()) >= 5
    assert "raw SQL: heatmap GROUP BY" in out
    assert "Targets" in out
    assert not Path(name).exists()  # dropped afterwards (SQLite: the file is gone)


def bm_labels():
    from devtools.management.commands.benchmark import LABELS

    return list(LABELS.values())


def test_only_refuses_what_it_cannot_time():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--only takes some of"):
        call_command("benchmark", "--only", "release,coffee")
