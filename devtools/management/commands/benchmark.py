import os
import platform
import sqlite3
from itertools import zip_longest
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessments.answering.questionnaire import shared_questionnaire
from assessments.models import Cycle
from assessments.reporting import group_memo, report_insight
from assessments.running import cycles
from compass.models import Level
from devtools import benchmarking as bm
from devtools import timing

# Targets of the performance issues, for PostgreSQL at 1,000 participants × 12 raters on two
# cores: (median limit in seconds or None, most queries or None, most times the raw SQL or None,
# most CPU seconds per request or None). Printed, never asserted.
TARGETS = {
    "get": (None, 10, None, 0.008),
    "post": (None, 8, None, None),
    "submit": (None, 10, None, None),
    "release": (None, None, 2.0, None),
    "individual": (0.040, 20, None, None),
    "team": (0.020, 20, None, None),
    "cohort": (None, 20, 0.5, None),
    "export": (None, 20, None, None),
}
# Release queues its notices to every participant, as in production (where the worker sends
# them): the benchmark times the release, not thousands of emails sent at once.
QUEUED_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _release(cycle, hr):
    with override_settings(TASKS=QUEUED_TASKS):
        return cycles.release_cycle(cycle=cycle, by=hr)


LABELS = {
    "get": "questionnaire page (GET)",
    "post": "section draft save (POST)",
    "submit": "final submit (POST)",
    "release": "release (freezes the tallies)",
    "individual": "individual report",
    "team": f"team report ({bm.TEAM_SIZE})",
    "cohort": "cohort report",
    "export": "cohort export (XLSX)",
    "sql": "raw SQL: heatmap GROUP BY",
}
# The cohort report's first views, beside its repeat views ("cohort"): with nothing kept anywhere
# (what the release's background task computes), and in another process (the shared cache's).
FIRST_VIEWS = {
    "cohort_first": ("cohort report, first view", True),
    "cohort_other": ("cohort, other process's 1st", False),
}
REPORTS = ("release", "individual", "team", "cohort", "export")
TEST_HOST = "testserver"


class Command(BaseCommand):
    help = (
        "Build a synthetic cycle in a throw-away database (never the configured one) and print "
        "median and p95 times and query counts for the questionnaire, draft save, submission "
        "and every report, with each report's time against the raw SQL of the cohort heatmap."
    )

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=100)
        parser.add_argument(
            "--raters", type=int, default=12, help="raters per participant besides self"
        )
        parser.add_argument(
            "--repeat", type=int, default=10, help="timed runs per page in each of three rounds"
        )
        parser.add_argument(
            "--slow-repeat",
            type=int,
            default=3,
            help="timed runs per round of the cohort report and its export (at most --repeat)",
        )
        parser.add_argument("--seed", type=int, default=360)
        parser.add_argument(
            "--only",
            help="comma-separated subset to time, e.g. release,cohort (for ten times the cohort); "
            f"of {','.join(k for k in LABELS if k != 'sql')}",
        )
        parser.add_argument(
            "--database-name",
            help="name of the benchmark database (a file path on SQLite); replaced if it exists",
        )
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
        parser.add_argument(
            "--build-only",
            metavar="DIR",
            help="build, keep the database open for answers, write the load run's tokens.txt "
            "and sections.txt to DIR, and measure nothing",
        )
        parser.add_argument(
            "--drop", action="store_true", help="drop the database named by --database-name"
        )

    def handle(self, *args, **options):
        if options["drop"]:
            if not options["database_name"]:
                raise CommandError("--drop needs --database-name.")
            try:
                bm.drop_database(options["database_name"])
            except bm.BenchDatabaseError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Dropped {options['database_name']}.")
            return
        self.verbosity = options["verbosity"]
        keys = [k for k in LABELS if k != "sql"]
        self.only = set(options["only"].split(",")) if options["only"] else set(keys)
        if self.only - set(keys):
            raise CommandError(f"--only takes some of {', '.join(keys)}.")
        participants, raters = options["participants"], options["raters"]
        repeat = options["repeat"]
        if participants < 1 or raters < 3 or repeat < 1:
            raise CommandError("Use at least 1 participant, 3 raters and 1 repeat.")
        build_only = options["build_only"]
        keep = options["keep"] or bool(build_only)
        try:
            with bm.throwaway_database(options["database_name"], keep=keep) as name:
                self._progress(f"Benchmark database {name} ready; building the cycle…")
                bench = bm.build_cycle(
                    participants=participants,
                    raters=raters,
                    reserve=timing.ROUNDS * repeat + 2,
                    seed=options["seed"],
                    progress=self._progress,
                )
                self._header(bench, name, raters)
                if build_only:
                    directory = Path(build_only)
                    directory.mkdir(parents=True, exist_ok=True)
                    tokens, sections = bm.write_load_files(bench, directory)
                    self.stdout.write(
                        f"Load files in {directory}: {tokens} rater links, {sections} sections."
                    )
                else:
                    slow_repeat = min(repeat, options["slow_repeat"])
                    self._table(self._measure(bench, repeat, slow_repeat))
        except bm.BenchDatabaseError as error:
            raise CommandError(str(error)) from error
        if keep:
            self.stdout.write(f"Kept the database {name}.")

    def _progress(self, message):
        if self.verbosity >= 1:
            self.stderr.write(f"  … {message}")
            self.stderr.flush()

    # --- measuring ----------------------------------------------------------------------

    def _measure(self, bench, repeat, slow_repeat):
        hosts = [*settings.ALLOWED_HOSTS, TEST_HOST]
        with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            results = self._answering(bench, repeat)
            if "release" in self.only:
                results["release"] = self._release(bench)
            else:
                _release(bm.set_state(bench.cycle, Cycle.State.CLOSED), bench.hr)
                bench.cycle.refresh_from_db()
            bm.refresh_statistics()  # as autovacuum does after a release
            # as the worker does after the release, in another process than the web's
            report_insight.warm_norms.call(bench.cycle.pk)
            report_insight.forget_kept_norms()
            results.update(self._reports(bench, repeat, slow_repeat))
        return results

    def _answering(self, bench, repeat):
        """The rater's pages, with the cycle open; each write is a different rater's first."""
        bm.set_state(bench.cycle, Cycle.State.OPEN)
        client = Client()
        posts = bm.section_posts(bench.cycle.edition)
        sections = len(posts)
        partial = bench.tokens.get(bm.PARTIAL, [])
        invited = bench.tokens.get(bm.INVITED, [])
        reader = (partial or invited)[0]  # a half-done draft: the page shows saved answers
        writers = [t for pair in zip_longest(invited, partial) for t in pair if t and t != reader]
        complete = bench.tokens.get(bm.COMPLETE, [])
        # a serving process has built each level's questionnaire once already
        for level_id in Level.objects.filter(edition=bench.cycle.edition).values_list(
            "pk", flat=True
        ):
            shared_questionnaire(level_id)
        self._progress("timing the questionnaire")
        results = {
            "get": lambda: timing.measure(
                LABELS["get"],
                lambda n: client.get(reverse("rater:section", args=[reader, n % sections + 1])),
                repeat=repeat,
            ),
            "post": lambda: timing.measure(
                LABELS["post"],
                lambda n: client.post(
                    reverse("rater:section", args=[writers[n % len(writers)], n % sections + 1]),
                    posts[n % sections + 1],
                ),
                repeat=repeat,
                expect=(302,),
            ),
            "submit": lambda: timing.measure(
                LABELS["submit"],
                lambda n: client.post(reverse("rater:review", args=[complete[n % len(complete)]])),
                repeat=repeat,
                expect=(302,),
            ),
        }
        return {key: run() for key, run in results.items() if key in self.only}

    def _release(self, bench):
        """HR's release through the real rule, once a round, each time from a closed cycle
        without tallies, alternating with the raw SQL."""
        cycle = bench.cycle
        sql = (LABELS["sql"], timing.sql_runner(timing.heatmap_sql(), [cycle.pk]))

        def closed(n):
            bm.unfreeze(cycle)
            bm.set_state(cycle, Cycle.State.CLOSED)

        def release(n):
            _release(cycle, bench.hr)
            return _Done()

        self._progress("timing the release")
        result = timing.measure(
            LABELS["release"], release, repeat=1, warmup=0, reference=sql, before=closed
        )
        # The reports then read tallies written once, as in a live database, not the last of
        # several rounds in a table grown by the others' deleted rows.
        closed(None)
        bm.refresh_statistics()
        release(None)
        cycle.refresh_from_db()
        return result

    def _reports(self, bench, repeat, slow_repeat):
        cycle = bench.cycle
        hr = _signed_in(bench.hr)
        supervisor = _signed_in(bench.supervisors[0])
        # Each run reads another leader's report, signed in as that leader beforehand.
        readers = [
            (participant.pk, _signed_in(participant.person))
            for participant in bench.participants[: repeat + 1]
        ]
        sql = (LABELS["sql"], timing.sql_runner(timing.heatmap_sql(), [cycle.pk]))

        def individual(n):
            participant_id, client = readers[n % len(readers)]
            return client.get(reverse("reports:individual", args=[participant_id]))

        def page(client, name, query=""):
            try:
                url = reverse(name, args=[cycle.pk]) + query
            except NoReverseMatch:
                return lambda n: _NotThere()
            return lambda n: client.get(url)

        self._progress("timing the reports, each alternating with the raw SQL")
        results = {
            "individual": lambda: timing.measure(
                LABELS["individual"], individual, repeat=repeat, reference=sql
            ),
            "team": lambda: timing.measure(
                LABELS["team"], page(supervisor, "reports:team"), repeat=repeat, reference=sql
            ),
            "cohort": lambda: timing.measure(
                LABELS["cohort"], page(hr, "reports:cohort"), repeat=slow_repeat, reference=sql
            ),
            "export": lambda: timing.measure(
                LABELS["export"],
                page(hr, "reports:cohort_export", "?format=xlsx"),
                repeat=slow_repeat,
                reference=sql,
            ),
        }
        results = {key: run() for key, run in results.items() if key in self.only}
        if "cohort" in self.only:
            for key, (label, shared) in FIRST_VIEWS.items():
                results[key] = timing.measure(
                    label,
                    page(hr, "reports:cohort"),
                    repeat=slow_repeat,
                    reference=sql,
                    before=lambda n, shared=shared: group_memo.forget(shared=shared),
                )
        # the raw SQL's own row: its timings beside the cohort report's, or another report's
        for key in ("cohort", "individual", "team", "export"):
            if key in results and results[key].reference is not None:
                results["sql"] = results[key].reference
                break
        return results

    # --- printing ------------------------------------------------------------------------

    def _header(self, bench, name, raters):
        counts = ", ".join(f"{key} {value:,}" for key, value in bench.counts.items())
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        vendor = connection.vendor
        server = ""
        if vendor == "postgresql":
            version = connection.pg_version  # e.g. 150020 for 15.20
            server = f" {version // 10000}.{version % 10000}"
        elif vendor == "sqlite":
            server = f" {sqlite3.sqlite_version}"
        self.stdout.write(
            f"Benchmark: {bench.counts['participants']:,} participants × {raters} raters "
            f"on {vendor}{server} ({name})"
        )
        self.stdout.write(
            f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
            f"load average {load}; Python {platform.python_version()}, "
            f"Django {django.get_version()}; {timezone.now():%Y-%m-%d %H:%M} UTC"
        )
        self.stdout.write(f"Built in {bench.seconds:.1f} s: {counts}")

    def _table(self, results):
        self.stdout.write("")
        self.stdout.write(
            f"Medians of {timing.ROUNDS} rounds' medians; each report and the release alternate "
            "with the raw SQL (A, B, A, B…), and × SQL compares each with its own SQL runs. "
            "load: one-minute load average at the start of each round."
        )
        head = (
            f"{'':<30} {'runs':>4} {'median ms':>10} {'p95 ms':>9} {'cpu ms':>7} "
            f"{'queries':>8} {'× SQL':>7} {'load':>9}"
        )
        self.stdout.write(f"{head}  target")
        verdicts = {}
        for key, result in results.items():
            if result is None:
                continue
            if result.missing:
                self.stdout.write(f"{result.label:<30} {'n/a (404)':>14}")
                continue
            ratio = "—" if result.ratio is None else f"{result.ratio:,.2f}"
            target, verdict = _target(key, result)
            if verdict is not None:
                verdicts[key] = verdict
            cpu = "—" if key == "sql" else timing.ms(result.cpu_median)
            self.stdout.write(
                f"{result.label:<30} {len(result.times):>4} {timing.ms(result.median):>10} "
                f"{timing.ms(result.p95):>9} {cpu:>7} {result.query_text:>8} {ratio:>7} "
                f"{result.load_text:>9}  {target}"
            )
        self.stdout.write("")
        missed = [LABELS[k] for k, ok in verdicts.items() if not ok]
        self.stdout.write(
            "Targets (set for PostgreSQL, 1,000 × 12, 2 cores): "
            + (f"missed: {', '.join(missed)}." if missed else "all met.")
        )
        self.stdout.write(f"Load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _target(key, result):
    """The target's text and whether it was met (None when there is no target)."""
    if key not in TARGETS:
        return "", None
    limit, most_queries, most_ratio, most_cpu = TARGETS[key]
    parts, ok = [], True
    if limit is not None:
        parts.append(f"median ≤ {limit * 1000:,.0f} ms")
        ok = ok and result.median <= limit
    if most_ratio is not None and result.ratio is not None:
        parts.append(f"≤ {most_ratio:g}× SQL")
        ok = ok and result.ratio <= most_ratio
    if most_cpu is not None:
        parts.append(f"cpu ≤ {most_cpu * 1000:g} ms")
        ok = ok and result.cpu_median <= most_cpu
    if most_queries is not None:
        parts.append(f"≤ {most_queries} queries")
        ok = ok and max(result.queries) <= most_queries
    return f"{', '.join(parts)}: {'met' if ok else 'MISSED'}", ok


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


class _Done:
    """What a timed action that is not a page answers."""

    status_code = 200
    content = b""


class _NotThere:
    """What a page whose URL name does not exist yet answers."""

    status_code = 404
    content = b""
