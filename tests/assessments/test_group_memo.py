"""Team and cohort figures kept per process (issue 20): a second view reads no tallies, and
nothing a report rests on can change without the next view computing it again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessments.models import Participant, Rater, RaterGroup
from assessments.reporting import group_memo, group_reports
from assessments.running import cycles
from tests.assessments.helpers import rated_leader, release
from tests.factories import CycleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept():
    group_memo.forget()
    yield
    group_memo.forget()


def _cohort(size, boss=None, *, released=True):
    cycle = CycleFactory()
    boss = boss or UserFactory()
    for i in range(size):
        rated_leader(
            cycle,
            boss,
            org_unit=f"Country Office {i % 3}",
            gender="woman" if i % 2 else "man",
            peers=str(2 + i % 3) * 3,
        )
    if released:
        release(cycle)
    return cycle, boss


def _fresh(build):
    """What the report reads when nothing is kept."""
    group_memo.forget()
    return build()


def _view(build):
    with CaptureQueriesContext(connection) as captured:
        report = build()
    return report, [q["sql"] for q in captured.captured_queries]


def test_a_second_cohort_view_reads_no_tallies_and_shows_the_same(compass):
    cycle, _boss = _cohort(7)
    first, first_queries = _view(lambda: group_reports.cohort_report(cycle))
    second, second_queries = _view(lambda: group_reports.cohort_report(cycle))
    assert second == first
    assert any("itemtally" in sql for sql in first_queries)
    assert not any("itemtally" in sql for sql in second_queries)
    # the first view also wrote the figures to the shared cache (the database's, in production,
    # in a transaction of its own)
    first_queries = [q for q in first_queries if "compass_cache" not in q and "SAVEPOINT" not in q]
    assert len(second_queries) == len(first_queries) - 1


@pytest.mark.parametrize("view", ["first", "second"])
def test_team_and_cohort_views_run_in_constant_queries(compass, view):
    counts = []
    for size in (4, 12):
        cycle, boss = _cohort(size)
        builds = [
            lambda cycle=cycle: group_reports.cohort_report(cycle),
            lambda cycle=cycle, boss=boss: group_reports.team_report(cycle=cycle, supervisor=boss),
        ]
        for build in builds:
            if view == "second":
                build()
            counts.append(len(_view(build)[1]))
    assert counts[:2] == counts[2:]


def test_an_edited_removed_or_rejected_participant_is_never_served_from_an_earlier_view(
    compass,
):
    cycle, _boss = _cohort(9)

    def build():
        return group_reports.cohort_report(cycle)

    before = build()
    leader = Participant.objects.filter(cycle=cycle, gender="man").first()
    leader.gender = "woman"
    leader.save()
    edited = build()
    assert edited == _fresh(build)
    assert edited.genders != before.genders
    peer = Rater.objects.filter(participant__cycle=cycle, group=RaterGroup.PEER).first()
    build()
    Rater.objects.filter(pk=peer.pk).update(approval=Rater.Approval.REJECTED)
    assert build() == _fresh(build)
    build()
    Participant.objects.filter(pk=leader.pk).delete()
    removed = build()
    assert removed == _fresh(build)
    assert removed.participants == before.participants - 1


def test_a_team_view_follows_who_shared_their_report(compass):
    cycle, boss = _cohort(6)

    def build():
        return group_reports.team_report(cycle=cycle, supervisor=boss)

    before, queries = _view(build)
    assert before.shown and any("itemtally" in sql for sql in queries)
    again, queries = _view(build)
    assert again == before and not any("itemtally" in sql for sql in queries)
    Participant.objects.filter(cycle=cycle, supervisor=boss).filter(
        pk__in=Participant.objects.filter(cycle=cycle).order_by("pk").values("pk")[:2]
    ).update(shared_with_supervisor=True)
    shared, queries = _view(build)
    assert any("itemtally" in sql for sql in queries)  # computed again: k counts differently
    assert shared == _fresh(build)
    assert len(shared.shared) == 2


def _another_process():
    """What a second worker finds: nothing kept in its own memory, the shared cache as is."""
    group_memo.forget(shared=False)


def test_another_process_reads_the_figures_from_the_shared_cache_until_an_edit(compass):
    cycle, _boss = _cohort(8)

    def build():
        return group_reports.cohort_report(cycle)

    first = build()
    _another_process()
    second, queries = _view(build)
    assert second == first
    assert not any("itemtally" in sql for sql in queries)
    leader = Participant.objects.filter(cycle=cycle, org_unit="Country Office 1").first()
    leader.org_unit = "Country Office 2"
    leader.save()
    _another_process()
    edited, queries = _view(build)
    assert any("itemtally" in sql for sql in queries)  # computed again, in this process
    assert edited == _fresh(build)
    assert edited.org_units != first.org_units


def test_figures_kept_in_one_language_are_named_in_the_readers(compass):
    cycle, boss = _cohort(7)
    group_reports.cohort_report(cycle)
    group_reports.team_report(cycle=cycle, supervisor=boss)
    _another_process()
    with translation.override("fr"):
        cohort, queries = _view(lambda: group_reports.cohort_report(cycle))
        team = group_reports.team_report(cycle=cycle, supervisor=boss)
        assert not any("itemtally" in sql for sql in queries)
        assert cohort == _fresh(lambda: group_reports.cohort_report(cycle))
        assert team == group_reports.team_report(cycle=cycle, supervisor=boss)
        french = {label for _key, label, _n in cohort.genders.cells}
        assert translation.gettext("Not recorded") in french
        assert translation.gettext("Not recorded") != "Not recorded"


def test_the_release_computes_the_cohort_figures_for_hrs_first_view(
    compass, django_capture_on_commit_callbacks
):
    cycle, _boss = _cohort(6, released=False)
    cycles.close_cycle(cycle=cycle, by=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cycles.release_cycle(cycle=cycle, by=None)
    assert len(callbacks) == 3  # the notices, the cohort's figures, the norms: after the commit
    _another_process()
    cycle.refresh_from_db()
    report, queries = _view(lambda: group_reports.cohort_report(cycle))
    assert not any("itemtally" in sql for sql in queries)
    assert report == _fresh(lambda: group_reports.cohort_report(cycle))
