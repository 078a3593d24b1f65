"""Benchmark support for ``manage.py benchmark``: a synthetic cycle built in bulk (the timing
is in ``devtools.timing``).

The builder writes a whole cohort run the way the application would have left it a few days
before closing: every participant with a submitted self-assessment, a supervisor and nominated
peers, direct reports and partners; about nine raters in ten submitted, the rest split between
complete drafts (ready to submit), half-done drafts and untouched invitations. It inserts with
``bulk_create`` and bypasses the rules on purpose: the rules are tested elsewhere, and going
through them for a million answers would take an hour. The raw rater tokens of the raters who
have not submitted are kept in memory (only their hashes are stored), so the benchmark can
answer as those raters through their links.

Nothing here chooses a database: the command creates a throw-away one before calling
``build_cycle`` and drops it afterwards.
"""

import datetime
import io
import math
import os
import random
import secrets
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from assessments.answering.questionnaire import (
    NOT_OBSERVED,
    build_questionnaire,
    indicator_key,
    pitfall_key,
)
from assessments.answering.tokens import hash_token
from assessments.models import (
    HR_ADMINS_GROUP,
    Answer,
    Comment,
    Cycle,
    ItemTally,
    Participant,
    Rater,
    RaterGroup,
    Response,
    User,
)
from compass.models import CURRENT_EDITION, Enabler, Indicator, Level, Pitfall

DOMAIN = "bench.example.org"
TEAM_SIZE = 10  # participants per supervisor: the "team report of 10"
UNSUBMITTED_EVERY = 10  # one rater in ten has not submitted (more when the caller needs more)
BATCH = 2000

# Participants per level, out of ten: most leaders head teams, few sit in the Executive Office.
LEVEL_PATTERN = ["heads-of-teams"] * 4 + ["chiefs-of-mission"] * 3 + ["directors"] * 2
LEVEL_PATTERN += ["executive-office"]
GENDER_PATTERN = ["woman", "man"] * 9 + ["undisclosed", ""]
# Share of "not observed" answers per group: partners see the least of a leader's work.
NOT_OBSERVED_SHARE = {
    RaterGroup.SELF: 0.0,
    RaterGroup.SUPERVISOR: 0.05,
    RaterGroup.PEER: 0.10,
    RaterGroup.DIRECT_REPORT: 0.08,
    RaterGroup.PARTNER: 0.25,
}
# Self-ratings run a little high, as they do.
GROUP_BIAS = {RaterGroup.SELF: 0.4, RaterGroup.SUPERVISOR: -0.1, RaterGroup.PARTNER: 0.1}
STRENGTHS = [
    "Explains the why behind decisions and checks that the team has understood it.",
    "Brings partners to the table early and keeps them informed.",
    "Makes time for each team member, even in an emergency response.",
]
IMPROVEMENTS = [
    "Could delegate more and let the team own the result.",
    "Sometimes decides before hearing from the field offices.",
    "Could share data with partners sooner.",
]

# Rater states of the raters who have not submitted, in rotation.
COMPLETE, INVITED, PARTIAL = "complete", "invited", "partial"
UNSUBMITTED_ROTATION = [COMPLETE, INVITED, COMPLETE, PARTIAL]


class BenchDatabaseError(Exception):
    pass


def bench_database_name(name=None):
    """The database the benchmark builds in: ``name``, or a new temporary SQLite file, or
    ``bench_<NAME>`` on a server. Never the developer's database, nor the test suite's."""
    original = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        if not name:
            handle, name = tempfile.mkstemp(prefix="compass-bench-", suffix=".sqlite3")
            os.close(handle)
        name = str(Path(name).resolve())
        if name == str(Path(str(original)).resolve()) or ":memory:" in name:
            raise BenchDatabaseError(f"{name} is the configured database, not a benchmark one.")
        return name
    name = name or f"bench_{original}"
    test_name = connection.settings_dict.get("TEST", {}).get("NAME") or f"test_{original}"
    if name in (original, test_name):
        raise BenchDatabaseError(
            f"{name!r} is the configured database or the test suite's; choose another name."
        )
    return name


@contextmanager
def throwaway_database(name=None, *, keep=False):
    """Create a database beside the configured one the way Django's test runner does
    (migrations, cache table), load the compass, and drop it afterwards unless ``keep``.

    Yields the database's name. Any database of that name is replaced.
    """
    original = connection.settings_dict["NAME"]
    name = bench_database_name(name)
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        call_command("loaddata", "compass", verbosity=0)
        yield name
    finally:
        connection.creation.destroy_test_db(original, verbosity=0, keepdb=keep)


def drop_database(name):
    """Drop a database that ``throwaway_database(keep=True)`` left behind."""
    name = bench_database_name(name)
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    if connection.vendor == "sqlite":
        if os.path.exists(name):
            os.remove(name)
        return
    connection.creation._destroy_test_db(name, verbosity=0)


def group_sizes(raters):
    """How ``raters`` raters besides the leader split into groups: one supervisor, then about
    four in ten peers, two in ten partners and the rest direct reports (12 → 1, 4, 5, 2)."""
    if raters < 1:
        return {}
    rest = raters - 1
    partners = round(rest * 0.2)
    peers = round(rest * 0.4)
    return {
        RaterGroup.SUPERVISOR: 1,
        RaterGroup.PEER: peers,
        RaterGroup.DIRECT_REPORT: rest - peers - partners,
        RaterGroup.PARTNER: partners,
    }


@dataclass
class BenchCycle:
    """What was built, and the handles the benchmark needs to act as its people."""

    cycle: Cycle
    hr: User
    supervisors: list  # [User]: supervisor i leads participants 10i … 10i + 9
    participants: list  # [Participant], in building order
    tokens: dict = field(default_factory=dict)  # state → [raw token] of raters not submitted
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


def build_cycle(*, participants, raters, reserve=0, seed=360, progress=None):
    """Build one open cycle of ``participants`` leaders with ``raters`` raters each besides
    themselves, in bulk and in one transaction.

    ``reserve`` is how many raters the caller needs in each of two states: complete drafts
    (to time a first submission) and untouched or half-done ones (to time a first draft save).
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 (synthetic scores, not secrets)
    with transaction.atomic():
        bench = _build(participants, raters, reserve, rng, say)
    refresh_statistics()
    bench.seconds = time.perf_counter() - started
    return bench


def refresh_statistics():
    """Fresh tables have no planner statistics and, on PostgreSQL, no visibility map or hint
    bits yet; the first reports would pay for writing them. A live database has them (its
    autovacuum sees to it a minute after a release)."""
    statement = "ANALYZE"
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        statement = "VACUUM ANALYZE"  # (VACUUM cannot run inside a transaction)
    with connection.cursor() as cursor:
        cursor.execute(statement)


def unfreeze(cycle):
    """Delete ``cycle``'s tallies before a timed release, and on PostgreSQL vacuum their table:
    a cycle is released once, so a live release never writes over its own dead rows (whose
    keys its primary key would have to check one by one)."""
    ItemTally.objects.filter(participant__cycle=cycle).delete()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(ItemTally._meta.db_table)}")


def _build(n_participants, n_raters, reserve, rng, say):
    now = timezone.now()
    today = timezone.localdate()
    levels = {lv.slug: lv for lv in Level.objects.filter(edition=CURRENT_EDITION)}
    if len(levels) < 5:
        raise ValueError("The compass is not loaded (manage.py loaddata compass).")
    questionnaires = {slug: build_questionnaire(levels[slug]) for slug in set(LEVEL_PATTERN)}
    cycle = Cycle.objects.create(
        name=f"Benchmark cohort ({n_participants} × {n_raters})",
        state=Cycle.State.OPEN,
        opens_on=today - datetime.timedelta(days=14),
        closes_on=today + datetime.timedelta(days=7),
        opened_at=now - datetime.timedelta(days=14),
    )

    say("users")
    password = "!"  # noqa: S105 (unusable: nobody signs in to a benchmark database)
    hr = User.objects.create(email=f"hr@{DOMAIN}", full_name="Benchmark HR", password=password)
    hr.groups.add(Group.objects.get_or_create(name=HR_ADMINS_GROUP)[0])
    n_supervisors = math.ceil(n_participants / TEAM_SIZE)
    supervisors = User.objects.bulk_create(
        [
            User(
                email=f"supervisor{s:04d}@{DOMAIN}",
                full_name=f"Supervisor {s:04d}",
                password=password,
            )
            for s in range(n_supervisors)
        ],
        batch_size=BATCH,
    )
    leaders = User.objects.bulk_create(
        [
            User(email=f"leader{i:05d}@{DOMAIN}", full_name=f"Leader {i:05d}", password=password)
            for i in range(n_participants)
        ],
        batch_size=BATCH,
    )

    say("participants")
    n_units = max(1, n_participants // 25)
    participants = Participant.objects.bulk_create(
        [
            Participant(
                cycle=cycle,
                person=leader,
                level=levels[LEVEL_PATTERN[i % len(LEVEL_PATTERN)]],
                supervisor=supervisors[i // TEAM_SIZE],
                org_unit=f"Org unit {i % n_units:02d}",
                gender=GENDER_PATTERN[i % len(GENDER_PATTERN)],
                nominations_submitted_at=now - datetime.timedelta(days=12),
                invited_at=now - datetime.timedelta(days=14),
            )
            for i, leader in enumerate(leaders)
        ],
        batch_size=BATCH,
    )

    say("raters")
    sizes = group_sizes(n_raters)
    n_nominated = n_participants * n_raters
    # One rater in ten has not submitted, or as many as the caller needs, spread evenly.
    n_unsubmitted = min(n_nominated, max(n_nominated // UNSUBMITTED_EVERY, 2 * reserve))
    rater_rows, states, tokens = [], [], {}
    position = unsubmitted = 0
    for i, participant in enumerate(participants):
        leader = leaders[i]
        rater_rows.append(
            Rater(
                participant=participant,
                group=RaterGroup.SELF,
                name=leader.full_name,
                email=leader.email,
                user=leader,
                status=Rater.Status.SUBMITTED,
                invited_at=participant.invited_at,
            )
        )
        states.append(None)
        for group, count in sizes.items():
            for j in range(count):
                if group == RaterGroup.SUPERVISOR:
                    person = supervisors[i // TEAM_SIZE]
                    name, email, user = person.full_name, person.email, person
                else:
                    name = f"{group.label} {j + 1} of leader {i:05d}"
                    email, user = f"{group}{j}.l{i:05d}@{DOMAIN}", None
                state = None
                if (position + 1) * n_unsubmitted // n_nominated > unsubmitted:
                    state = UNSUBMITTED_ROTATION[unsubmitted % len(UNSUBMITTED_ROTATION)]
                    unsubmitted += 1
                position += 1
                token = secrets.token_urlsafe(32)
                if state is not None:
                    tokens.setdefault(state, []).append(token)
                rater_rows.append(
                    Rater(
                        participant=participant,
                        group=group,
                        name=name,
                        email=email,
                        user=user,
                        status=Rater.Status.INVITED
                        if state == INVITED
                        else Rater.Status.STARTED
                        if state
                        else Rater.Status.SUBMITTED,
                        token_hash=hash_token(token),
                        invited_at=participant.invited_at,
                    )
                )
                states.append(state)
    rater_rows = Rater.objects.bulk_create(rater_rows, batch_size=BATCH)

    say("responses")
    answering = [(r, s) for r, s in zip(rater_rows, states, strict=True) if s != INVITED]
    response_rows = Response.objects.bulk_create(
        [
            Response(rater=rater, submitted_at=None if state else now - datetime.timedelta(days=2))
            for rater, state in answering
        ],
        batch_size=BATCH,
    )

    say("answers")
    level_of = {p.pk: LEVEL_PATTERN[i % len(LEVEL_PATTERN)] for i, p in enumerate(participants)}
    ability = {
        (p.pk, e): rng.uniform(2.4, 4.3) for p in participants for e in range(1, 8)
    }  # how good each leader is per enabler
    answers, comments = [], []
    n_answers = n_comments = 0
    for (rater, state), response in zip(answering, response_rows, strict=True):
        questionnaire = questionnaires[level_of[rater.participant_id]]
        sections = questionnaire.sections[:3] if state == PARTIAL else questionnaire.sections
        share = NOT_OBSERVED_SHARE[rater.group]
        bias = GROUP_BIAS.get(rater.group, 0.0)
        for section in sections:
            mean = ability[(rater.participant_id, section.number)] + bias
            for item in section.items:
                if rng.random() < share:
                    score = None
                elif item.is_pitfall:
                    score = _clip(6.3 - mean + rng.gauss(0, 0.9))
                else:
                    score = _clip(mean + rng.gauss(0, 0.8))
                answers.append((response.pk, item.indicator_id, item.pitfall_id, score))
            if rng.random() < 0.15:
                comments.append(_comment(response, section, "strength", STRENGTHS, rng))
            if rng.random() < 0.10:
                comments.append(_comment(response, section, "improvement", IMPROVEMENTS, rng))
        if len(answers) >= 100 * BATCH:
            n_answers += insert_answers(answers)
            answers = []
            say(f"answers: {n_answers:,}")
    n_answers += insert_answers(answers)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    n_comments += len(comments)

    submitted = sum(1 for s in states if s is None)
    return BenchCycle(
        cycle=cycle,
        hr=hr,
        supervisors=supervisors,
        participants=participants,
        tokens=tokens,
        counts={
            "participants": len(participants),
            "raters": len(rater_rows),
            "submitted": submitted,
            "complete drafts": len(tokens.get(COMPLETE, [])),
            "half-done drafts": len(tokens.get(PARTIAL, [])),
            "not started": len(tokens.get(INVITED, [])),
            "responses": len(response_rows),
            "answers": n_answers,
            "comments": n_comments,
        },
    )


def insert_answers(rows):
    """Insert (response id, indicator id, pitfall id, score) rows: with COPY on PostgreSQL (ten
    times the cohort is millions of answers), in batches elsewhere. Returns how many."""
    if connection.vendor != "postgresql":
        Answer.objects.bulk_create(
            [
                Answer(response_id=r, indicator_id=i, pitfall_id=p, score=score)
                for r, i, p, score in rows
            ],
            batch_size=BATCH,
        )
        return len(rows)
    null = "\\N"
    text = "".join(
        f"{r}\t{null if i is None else i}\t{null if p is None else p}\t"
        f"{null if score is None else score}\n"
        for r, i, p, score in rows
    )
    columns = "response_id, indicator_id, pitfall_id, score"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {Answer._meta.db_table} ({columns}) FROM STDIN", io.StringIO(text)
        )
    return len(rows)


def _clip(value):
    return min(5, max(1, round(value)))


def _comment(response, section, kind, texts, rng):
    return Comment(response=response, enabler=section.enabler, kind=kind, text=rng.choice(texts))


def set_state(cycle, state):
    """Move the benchmark cycle between phases directly (open for answering, closed before a
    timed release): the transition rules and their audit trail are not what is measured."""
    now = timezone.now()
    stamps = {
        Cycle.State.OPEN: {"closed_at": None, "released_at": None, "tallied_at": None},
        Cycle.State.CLOSED: {"closed_at": now, "released_at": None, "tallied_at": None},
    }
    Cycle.objects.filter(pk=cycle.pk).update(state=state, **stamps[state])
    cycle.refresh_from_db()
    return cycle


def section_posts(edition=CURRENT_EDITION):
    """{section number: draft-save data} that fits a participant at any level: every indicator
    and pitfall of that section's enabler, whatever the level (the view reads only its own)."""
    enablers = list(Enabler.objects.filter(edition=edition).order_by("position"))
    keys = {e.pk: [] for e in enablers}
    for pk, enabler_id in Indicator.objects.filter(edition=edition).values_list(
        "pk", "behaviour__enabler_id"
    ):
        keys[enabler_id].append(indicator_key(pk))
    for pk, enabler_id in Pitfall.objects.filter(edition=edition).values_list("pk", "enabler_id"):
        keys[enabler_id].append(pitfall_key(pk))
    values = ["4", "3", "5", NOT_OBSERVED, "2"]
    posts = {}
    for number, enabler in enumerate(enablers, start=1):
        data = {key: values[n % len(values)] for n, key in enumerate(keys[enabler.pk])}
        data["comment_strength"] = STRENGTHS[number % len(STRENGTHS)]
        data["comment_improvement"] = ""
        data["go"] = "next"
        posts[number] = data
    return posts


def write_load_files(bench, directory):
    """For the load run (bench/loadrun.sh): the links of raters who have not submitted, one
    token a line, and one URL-encoded draft save per section, one a line."""
    tokens = [t for state in (PARTIAL, INVITED, COMPLETE) for t in bench.tokens.get(state, [])]
    (directory / "tokens.txt").write_text("".join(f"{t}\n" for t in tokens))
    posts = section_posts(bench.cycle.edition)
    (directory / "sections.txt").write_text(
        "".join(f"{urlencode(posts[n])}\n" for n in sorted(posts))
    )
    return len(tokens), len(posts)
