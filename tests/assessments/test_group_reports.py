"""Team and cohort reports: the participant is the unit, small cells are suppressed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.reporting import group_reports
from tests.assessments.helpers import rated_leader, release
from tests.factories import CycleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(compass):
    """Nairobi 4 leaders, Dhaka 2, Geneva 3: Dhaka is below k=3 and takes Geneva with it."""
    cycle = CycleFactory()
    boss = UserFactory(full_name="Bea Boss")
    for i in range(4):
        rated_leader(
            cycle,
            boss,
            org_unit="Regional Office Nairobi",
            gender="woman",
            peers=str(2 + i % 2) * 3,
        )
    for _ in range(2):
        rated_leader(cycle, boss, org_unit="Country Office Bangladesh", gender="man", peers="555")
    for _ in range(3):
        rated_leader(
            cycle,
            UserFactory(),
            org_unit="Headquarters Geneva",
            gender="woman",
            level_slug="directors",
            own="5",
            peers="444",
        )
    release(cycle)
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
        rated_leader(cycle, boss, org_unit="Regional Office Nairobi")
    release(cycle)
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
            rated_leader(cycle, boss, org_unit=f"Country Office {i % 4}", gender="woman")
        release(cycle)
        with CaptureQueriesContext(connection) as captured:
            group_reports.cohort_report(cycle)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 13


def test_leaders_without_an_org_unit_are_a_cell_under_the_rule(compass):
    cycle = CycleFactory()
    boss = UserFactory()
    for unit, n in [("Regional Office Nairobi", 4), ("Headquarters Geneva", 4), ("", 1)]:
        for _ in range(n):
            rated_leader(cycle, boss, org_unit=unit)
    release(cycle)
    report = group_reports.cohort_report(cycle)
    # Left out, the one leader without an org unit would be the cohort minus the org units.
    # Of two equal cells, the complement is the first by name.
    assert report.org_units.suppressed == {"", "Headquarters Geneva"}
