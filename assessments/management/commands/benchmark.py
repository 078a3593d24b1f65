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

from assessments import benchmarking as bm
from assessments.models import Cycle

# Targets of the performance issue, for PostgreSQL at 1,000 participants × 12 raters on two
# cores: (p95 limit in seconds or None, most queries, most times the raw SQL or None).
TARGETS = {
    "get": (0.150, 10, None),
    "post": (0.150, 10, None),
    "submit": (None, 10, None),
    "individual": (0.300, 20, None),
    "team": (None, 20, None),
    "cohort": (1.5, 20, 3.0),
    "export": (None, 20, None),
}
LABELS = {
    "get": "questionnaire page (GET)",
    "post": "section draft save (POST)",
    "submit": "final submit (POST)",
    "individual": "individual report",
    "team": f"team report ({bm.TEAM_SIZE})",
    "cohort": "cohort report",
    "export": "cohort export (XLSX)",
    "sql": "raw SQL: heatmap GROUP BY",
}
REPORTS = ("individual", "team", "cohort", "export")
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
        parser.add_argument("--repeat", type=int, default=20, help="timed runs per page")
        parser.add_argument(
            "--slow-repeat",
            type=int,
            default=5,
            help="timed runs of the cohort report and its export (at most --repeat)",
        )
        parser.add_argument("--seed", type=int, default=360)
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
                    reserve=repeat + 2,
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
            bm.set_state(bench.cycle, Cycle.State.RELEASED)
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
        self._progress("timing the questionnaire")
        results = {
            "get": bm.measure(
                LABELS["get"],
                lambda n: client.get(reverse("rater:section", args=[reader, n % sections + 1])),
                repeat=repeat,
            ),
            "post": bm.measure(
                LABELS["post"],
                lambda n: client.post(
                    reverse("rater:section", args=[writers[n], n % sections + 1]),
                    posts[n % sections + 1],
                ),
                repeat=repeat,
                expect=(302,),
            ),
            "submit": bm.measure(
                LABELS["submit"],
                lambda n: client.post(reverse("rater:review", args=[complete[n]])),
                repeat=repeat,
                expect=(302,),
            ),
        }
        return results

    def _reports(self, bench, repeat, slow_repeat):
        cycle = bench.cycle
        hr = _signed_in(bench.hr)
        supervisor = _signed_in(bench.supervisors[0])
        # Each run reads another leader's report, signed in as that leader beforehand.
        readers = [
            (participant.pk, _signed_in(participant.person))
            for participant in bench.participants[: repeat + 1]
        ]

        def individual(n):
            participant_id, client = readers[n % len(readers)]
            return client.get(reverse("reports:individual", args=[participant_id]))

        def page(client, name, query=""):
            try:
                url = reverse(name, args=[cycle.pk]) + query
            except NoReverseMatch:
                return lambda n: _NotThere()
            return lambda n: client.get(url)

        self._progress("timing the reports")
        results = {
            "individual": bm.measure(LABELS["individual"], individual, repeat=repeat),
            "team": bm.measure(LABELS["team"], page(supervisor, "reports:team"), repeat=repeat),
            "cohort": bm.measure(LABELS["cohort"], page(hr, "reports:cohort"), repeat=slow_repeat),
            "export": bm.measure(
                LABELS["export"],
                page(hr, "reports:cohort_export", "?format=xlsx"),
                repeat=slow_repeat,
            ),
            "sql": bm.measure_sql(LABELS["sql"], bm.heatmap_sql(), [cycle.pk], repeat=repeat),
        }
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
        sql = results["sql"].median
        self.stdout.write("")
        head = f"{'':<30} {'runs':>4} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'× SQL':>7}"
        self.stdout.write(f"{head}  target")
        verdicts = {}
        for key, result in results.items():
            if result.missing:
                self.stdout.write(f"{result.label:<30} {'n/a (404)':>14}")
                continue
            ratio = "—"
            if key in REPORTS and sql:
                ratio = f"{result.median / sql:,.1f}"
            target, verdict = _target(key, result, sql)
            if verdict is not None:
                verdicts[key] = verdict
            self.stdout.write(
                f"{result.label:<30} {len(result.times):>4} {bm.ms(result.median):>10} "
                f"{bm.ms(result.p95):>9} {result.query_text:>8} {ratio:>7}  {target}"
            )
        self.stdout.write("")
        missed = [LABELS[k] for k, ok in verdicts.items() if not ok]
        self.stdout.write(
            "Targets (set for PostgreSQL, 1,000 × 12, 2 cores): "
            + (f"missed: {', '.join(missed)}." if missed else "all met.")
        )
        self.stdout.write(f"Load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _target(key, result, sql):
    """The target's text and whether it was met (None when there is no target)."""
    if key not in TARGETS:
        return "", None
    limit, most_queries, most_ratio = TARGETS[key]
    parts, ok = [], True
    if limit is not None:
        parts.append(f"p95 < {limit * 1000:,.0f} ms")
        ok = ok and result.p95 < limit
    if most_ratio is not None and sql:
        parts.append(f"≤ {most_ratio:g}× SQL")
        ok = ok and result.median / sql <= most_ratio
    parts.append(f"≤ {most_queries} queries")
    ok = ok and max(result.queries) <= most_queries
    return f"{', '.join(parts)}: {'met' if ok else 'MISSED'}", ok


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


class _NotThere:
    """What a page whose URL name does not exist yet answers."""

    status_code = 404
    content = b""
