"""Team and cohort reports: the participant is the unit, small cells are suppressed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Cycle, RaterGroup
from assessments.reporting import group_reports, tallies
from tests.assessments.helpers import fast_submit
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db


def _leader(
    cycle,
    supervisor,
    org_unit,
    gender="",
    level_slug="heads-of-teams",
    self_score="4",
    peer_score="3",
):
    participant = make_participant(
        cycle, supervisor=supervisor, org_unit=org_unit, gender=gender, level_slug=level_slug
    )
    fast_submit(self_rater(participant), self_score)
    for _ in range(3):
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), peer_score)
    return participant


def _release(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED)
    tallies.freeze(cycle)  # as release_cycle does
    cycle.refresh_from_db()


@pytest.fixture
def cohort(compass):
    """Nairobi 4 leaders, Dhaka 2, Geneva 3: Dhaka is below k=3 and takes Geneva with it."""
    cycle = CycleFactory()
    boss = UserFactory(full_name="Bea Boss")
    for i in range(4):
        _leader(cycle, boss, "Regional Office Nairobi", gender="woman", peer_score=str(2 + i % 2))
    for _ in range(2):
        _leader(cycle, boss, "Country Office Bangladesh", gender="man", peer_score="5")
    for _ in range(3):
        _leader(
            cycle,
            UserFactory(),
            "Headquarters Geneva",
            gender="woman",
            level_slug="directors",
            self_score="5",
            peer_score="4",
        )
    _release(cycle)
    return cycle


def test_cohort_breakdown_by_org_unit_suppresses_a_small_cell_and_its_complement(cohort):
    """Bangladesh (2) is below k. Nairobi is hidden too, although it has 4: the Heads of Teams
    level (Nairobi and Bangladesh) minus Nairobi would give Bangladesh's two away (issue 12:
    cells of different breakdowns are checked together). Geneva (3) stays shown: the hidden
    units hold six leaders together."""
    report = group_reports.cohort_report(cohort)
    units = report.org_units
    assert {"Country Office Bangladesh", "Regional Office Nairobi"} <= units.suppressed
    sizes = {key: n for key, _label, n in units.cells}
    assert sizes["Country Office Bangladesh"] is None
    assert sizes["Regional Office Nairobi"] is None
    _enabler, heats, _everyone = units.rows[0]
    assert not heats["Country Office Bangladesh"].others.shown
    assert not heats["Regional Office Nairobi"].others.shown
    assert heats["Headquarters Geneva"].others.mean == 4
    # the levels still read: Heads of Teams are Nairobi and Bangladesh together
    _enabler, level_heats, everyone = report.levels.rows[0]
    assert everyone.others.participants == 9
    heads = next(key for key, label, _n in report.levels.cells if label == "Heads of Teams")
    assert level_heats[heads].others.shown


def test_cohort_heatmap_by_level_and_pitfalls_per_level(cohort):
    report = group_reports.cohort_report(cohort)
    labels = [label for _key, label, _n in report.levels.cells]
    assert labels == ["Heads of Teams", "Directors"]
    assert report.levels.suppressed == frozenset()
    directors = next(key for key, label, _n in report.levels.cells if label == "Directors")
    assert report.levels.rows[0][1][directors].others.mean == 4
    assert [level.name for level, _ranked in report.pitfalls] == ["Heads of Teams", "Directors"]
    assert all(len(ranked) == 3 for _level, ranked in report.pitfalls)


def test_gender_breakdown_hides_a_small_group_and_its_complement(cohort):
    report = group_reports.cohort_report(cohort)
    # Two men, seven women: hiding the men alone would be undone by the total (the levels').
    assert report.genders.suppressed == {"man", "woman"}
    assert report.levels.total_shown
    sizes = {key: n for key, _label, n in report.genders.cells}
    assert sizes["man"] is None and sizes["woman"] is None


def test_response_rates_count_submitted_against_invited(cohort):
    rates = group_reports.response_rates(cohort)
    assert rates["self"] == {"submitted": 9, "invited": 9, "rate": 1.0}
    assert rates["raters"]["submitted"] == 27


def test_team_report_needs_k_participants_and_release(compass):
    cycle = CycleFactory()
    boss = UserFactory()
    for _ in range(2):
        _leader(cycle, boss, "Regional Office Nairobi")
    _release(cycle)
    report = group_reports.team_report(cycle=cycle, supervisor=boss)
    assert not report.shown
    assert report.levels is None


def test_team_report_shows_enablers_by_level_and_who_shared(cohort):
    boss = cohort.participants.filter(gender="man").first().supervisor
    member = cohort.participants.filter(supervisor=boss).first()
    member.shared_with_supervisor = True
    member.save()
    report = group_reports.team_report(cycle=cohort, supervisor=boss)
    assert report.shown and report.size == 6
    assert report.shared == [member]
    _enabler, _heats, everyone = report.levels.rows[0]
    assert everyone.others.participants == 6


def test_cohort_report_runs_in_constant_queries(compass, django_assert_num_queries):
    counts = []
    for size in [3, 12]:
        cycle = CycleFactory()
        boss = UserFactory()
        for i in range(size):
            _leader(cycle, boss, f"Country Office {i % 4}", gender="woman")
        _release(cycle)
        with CaptureQueriesContext(connection) as captured:
            group_reports.cohort_report(cycle)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 13


def test_leaders_without_an_org_unit_are_a_cell_under_the_rule(compass):
    cycle = CycleFactory()
    boss = UserFactory()
    for unit, n in [("Regional Office Nairobi", 4), ("Headquarters Geneva", 4), ("", 1)]:
        for _ in range(n):
            _leader(cycle, boss, unit)
    _release(cycle)
    report = group_reports.cohort_report(cycle)
    # Left out, the one leader without an org unit would be the cohort minus the org units.
    # Of two equal cells, the complement is the first by name.
    assert report.org_units.suppressed == {"", "Headquarters Geneva"}
