"""Figures frozen at release: the reports read tallies written once by release_cycle."""

from dataclasses import asdict
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.answering.questionnaire import NOT_OBSERVED, build_questionnaire
from assessments.models import Answer, Cycle, ItemTally, RaterGroup
from assessments.reporting import group_reports, reports, tallies
from assessments.reporting.anonymity import Tally
from assessments.running import cycles, stewardship
from tests.assessments.helpers import fast_submit, submit_all
from tests.factories import (
    CycleFactory,
    RaterFactory,
    UserFactory,
    make_participant,
    self_rater,
    supervisor_rater,
)

pytestmark = pytest.mark.django_db


def _leader(cycle, boss, peers=3, level_slug="heads-of-teams", org_unit="Country Office Kenya"):
    participant = make_participant(cycle, supervisor=boss, level_slug=level_slug, org_unit=org_unit)
    fast_submit(self_rater(participant), "5")
    fast_submit(supervisor_rater(participant), "2")
    scores = ["3", "4", NOT_OBSERVED, "1", "5"]
    for n in range(peers):
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), scores[n % 5])
    return participant


def _release(cycle, hr):
    cycles.close_cycle(cycle=cycle, by=hr)
    return cycles.release_cycle(cycle=cycle, by=hr)


@pytest.fixture
def cycle(compass):
    return CycleFactory(state=Cycle.State.OPEN)


def _live(participant):
    """What the tallies read before release (through the same SELECT, not the frozen rows)."""
    participant.cycle.tallied_at = None
    return tallies.participant_tallies(participant)


def test_release_writes_each_groups_sums_per_item(cycle, hr_admin):
    leader = _leader(cycle, UserFactory(), peers=5)
    # a draft never counts: this peer answered everything but did not submit
    submit_all(RaterFactory(participant=leader, group=RaterGroup.PEER), "1", submit=False)
    cycle = _release(cycle, hr_admin)
    assert cycle.tallied_at is not None
    figures = tallies.participant_tallies(leader)

    item = build_questionnaire(leader.level).sections[0].general_items[0]
    # peers answered 3, 4, not observed, 1, 5 to every item: squares 9 + 16 + 1 + 25
    assert figures.items[item.key][RaterGroup.PEER] == Tally(
        total=13, answered=4, raters=4, not_observed=1, squares=51
    )
    assert figures.items[item.key][RaterGroup.SELF] == Tally(5, 1, 1, 0, 25)
    assert figures.items[item.key][RaterGroup.SUPERVISOR] == Tally(2, 1, 1, 0, 4)


def test_release_writes_one_row_per_group_and_item_answered_and_no_other(cycle, hr_admin):
    leader = _leader(cycle, UserFactory(), peers=3)
    _release(cycle, hr_admin)
    answered = set(
        Answer.objects.filter(response__rater__participant=leader).values_list(
            "response__rater__group", "item"
        )
    )
    rows = ItemTally.objects.filter(participant=leader)
    assert set(rows.values_list("group", "item")) == answered
    assert rows.count() == len(answered)  # no row per enabler or per level any more
    section = build_questionnaire(leader.level).sections[0]
    indicator, pitfall = section.general_items[0], section.pitfall_items[0]
    assert rows.get(group=RaterGroup.PEER, item=indicator.indicator_id).kind == ItemTally.Kind.ITEM
    row = rows.get(group=RaterGroup.PEER, item=-pitfall.pitfall_id)
    assert (row.kind, row.pitfall_id, row.indicator_id, row.level_id) == (
        ItemTally.Kind.PITFALL,
        pitfall.pitfall_id,
        None,
        None,
    )
    assert row.enabler_id == section.enabler.pk


def test_frozen_figures_are_those_of_the_answers(cycle, hr_admin):
    leaders = [_leader(cycle, UserFactory(), peers=p) for p in (3, 4)]
    leaders.append(_leader(cycle, UserFactory(), peers=3, level_slug="directors"))
    live = {p.pk: _live(p) for p in leaders}
    live_rows = tallies.item_rows(cycle, cycle.participants.all())
    live_parts = group_reports.released_parts(cycle.participants.all(), cycle)
    cycle = _release(cycle, hr_admin)
    for participant in leaders:
        participant.refresh_from_db()
        assert participant.cycle.tallied_at is not None
        assert asdict(tallies.participant_tallies(participant)) == asdict(live[participant.pk])
    frozen_rows = tallies.item_rows(cycle, cycle.participants.all())
    assert len(frozen_rows) == len(live_rows)
    assert set(frozen_rows) == set(live_rows)
    assert {row[2] is None for row in frozen_rows} == {True, False}  # indicators and pitfalls
    assert group_reports.released_parts(cycle.participants.all(), cycle) == live_parts


def test_reports_read_the_frozen_figures_not_the_answers(cycle, hr_admin):
    leader = _leader(cycle, UserFactory(), peers=3)
    cycle = _release(cycle, hr_admin)
    before = reports.individual_report(leader)
    cohort_before = group_reports.cohort_report(cycle)
    # Answers cannot change after release; if a row were altered behind the rules' back, the
    # reports would still show what was released.
    Answer.objects.filter(response__rater__participant=leader).update(score=1)
    leader.cycle.refresh_from_db()
    after = reports.individual_report(leader)
    assert [s.row for s in after.sections] == [s.row for s in before.sections]
    assert group_reports.cohort_report(cycle).levels.rows == cohort_before.levels.rows


def test_erasure_and_retention_leave_the_tallies_and_reports_as_they_were(cycle, hr_admin):
    leader = _leader(cycle, UserFactory(), peers=3)
    peer = RaterFactory(participant=leader, group=RaterGroup.PEER)
    submit_all(peer, "4", comments={1: {"strength": "Listens."}})
    cycle = _release(cycle, hr_admin)
    rows = set(ItemTally.objects.values_list(*tallies.COLUMNS))
    sections = [s.row for s in reports.individual_report(leader).sections]
    stewardship.erase_person(email=peer.email)
    stewardship.apply_retention(days=1, now=timezone.now() + timedelta(days=30))
    assert set(ItemTally.objects.values_list(*tallies.COLUMNS)) == rows
    report = reports.individual_report(leader)
    assert [s.row for s in report.sections] == sections
    assert not any(s.comments for s in report.sections)  # the erased peer's words are gone


def test_a_participant_removed_takes_their_tallies_along(cycle, hr_admin):
    leader = _leader(cycle, UserFactory(), peers=3)
    other = _leader(cycle, UserFactory(), peers=3)
    _release(cycle, hr_admin)
    leader.delete()
    assert not ItemTally.objects.filter(participant_id=leader.pk).exists()
    assert ItemTally.objects.filter(participant=other).exists()


def test_a_cycle_deleted_takes_its_tallies_along(cycle, hr_admin):
    _leader(cycle, UserFactory(), peers=3)
    other_cycle = CycleFactory(state=Cycle.State.OPEN)
    other = _leader(other_cycle, UserFactory(), peers=3)
    _release(cycle, hr_admin)
    _release(other_cycle, hr_admin)
    kept = set(ItemTally.objects.filter(participant=other).values_list(*tallies.COLUMNS))
    Cycle.objects.filter(pk=cycle.pk).delete()
    assert set(ItemTally.objects.values_list(*tallies.COLUMNS)) == kept


def test_a_first_release_deletes_no_tallies(cycle, hr_admin):
    _leader(cycle, UserFactory(), peers=3)
    cycles.close_cycle(cycle=cycle, by=hr_admin)
    with CaptureQueriesContext(connection) as captured:
        cycles.release_cycle(cycle=cycle, by=hr_admin)
    table = ItemTally._meta.db_table
    writes = [q["sql"] for q in captured.captured_queries if table in q["sql"]]
    assert len(writes) == 1 and writes[0].startswith("INSERT")  # nothing to delete first


def test_freezing_again_replaces_the_rows(cycle, hr_admin):
    _leader(cycle, UserFactory(), peers=3)
    cycle = _release(cycle, hr_admin)
    count = ItemTally.objects.count()
    assert tallies.freeze(cycle) == count
    assert ItemTally.objects.count() == count


@pytest.mark.parametrize("report", ["individual", "team", "cohort"])
def test_released_reports_run_in_constant_queries(compass, hr_admin, report):
    counts = []
    for size in [3, 9]:
        cycle = CycleFactory(state=Cycle.State.OPEN)
        boss = UserFactory()
        leaders = [_leader(cycle, boss, peers=3 + i % 4) for i in range(size)]
        cycle = _release(cycle, hr_admin)
        leaders[-1].refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            if report == "individual":
                reports.individual_report(leaders[-1])
            elif report == "team":
                assert group_reports.team_report(cycle=cycle, supervisor=boss).shown
            else:
                group_reports.cohort_report(cycle)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    # no query of a released report reads the answers any more
    assert not [q["sql"] for q in captured.captured_queries if "assessments_answer" in q["sql"]]
