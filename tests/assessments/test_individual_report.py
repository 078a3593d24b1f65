"""The individual report on small hand-built cycles whose numbers can be checked by hand."""

import pytest

from assessments.answering.questionnaire import (
    NOT_OBSERVED,
    build_questionnaire,
    rater_questionnaire,
)
from assessments.models import Rater, RaterGroup
from assessments.reporting import reports
from tests.assessments.helpers import submit_all
from tests.factories import RaterFactory, self_rater, supervisor_rater

pytestmark = pytest.mark.django_db


def _raters(participant, group, n):
    return [RaterFactory(participant=participant, group=group) for _ in range(n)]


def test_enabler_scores_by_self_supervisor_units_and_all_except_self(participant):
    submit_all(self_rater(participant), "5")
    submit_all(supervisor_rater(participant), "2")
    for rater, score in zip(_raters(participant, RaterGroup.PEER, 3), "345", strict=True):
        submit_all(rater, score)
    for rater in _raters(participant, RaterGroup.DIRECT_REPORT, 3):
        submit_all(rater, "3")

    report = reports.individual_report(participant)

    assert [u.key for u in report.units] == [RaterGroup.PEER, RaterGroup.DIRECT_REPORT]
    workforce = report.sections[0]
    assert workforce.enabler.name == "Workforce"
    assert workforce.row.self_cell.mean == 5
    assert workforce.row.supervisor.mean == 2
    assert workforce.row.units[RaterGroup.PEER].mean == 4
    assert workforce.row.units[RaterGroup.DIRECT_REPORT].mean == 3
    # all except self: supervisor 2, peers 3/4/5, direct reports 3/3/3 -> 23 / 7 per indicator
    assert workforce.row.others.mean == pytest.approx(23 / 7)
    assert workforce.row.others.n == 7 * len(workforce.indicators)
    # self is at least 1.0 above others everywhere: every enabler is a blind spot
    assert len([x for x in report.blind_spots if isinstance(x, reports.EnablerSection)]) == 7


def test_a_peers_group_of_two_is_not_shown_and_the_report_says_why(participant):
    for rater in _raters(participant, RaterGroup.PEER, 2):
        submit_all(rater, "4", comments={1: {"strength": "Clear and kind."}})
    submit_all(supervisor_rater(participant), "3")

    report = reports.individual_report(participant)

    assert report.units == []
    assert "Fewer than 3" in report.disclosure.withheld_reason
    assert report.sections[0].row.others.mean == 3  # the supervisor only
    assert report.sections[0].comments == []


def test_drafts_and_declines_are_never_counted(participant):
    peers = _raters(participant, RaterGroup.PEER, 4)
    for rater in peers[:3]:
        submit_all(rater, "4")
    submit_all(peers[3], "1", submit=False)  # a draft
    declined = RaterFactory(participant=participant, group=RaterGroup.PEER)
    declined.status = Rater.Status.DECLINED
    declined.save()

    report = reports.individual_report(participant)

    peers_summary = next(g for g in report.groups if g.group == RaterGroup.PEER)
    assert (peers_summary.invited, peers_summary.submitted, peers_summary.declined) == (5, 3, 1)
    assert report.sections[0].row.units[RaterGroup.PEER].mean == 4


def test_not_observed_that_drops_an_enabler_below_k_reads_too_few_answers(participant):
    funding = build_questionnaire(participant.level).section(3)
    peers = _raters(participant, RaterGroup.PEER, 3)
    submit_all(peers[0], "4")
    submit_all(peers[1], "5")
    # The third peer never saw the leader's funding work.
    submit_all(peers[2], "4", override=dict.fromkeys(funding.item_keys, NOT_OBSERVED))

    report = reports.individual_report(participant)

    funding_row = report.sections[2].row
    assert funding_row.units[RaterGroup.PEER].too_few
    assert not funding_row.others.shown  # no supervisor answer, and peers are too few here
    assert report.sections[0].row.units[RaterGroup.PEER].mean == pytest.approx(13 / 3)
    # Two peers answering is too few to say how many of three could not see this work.
    funding_gaps = {g["label"]: g for g in report.sections[2].evidence_gaps}
    assert funding_gaps["Peers"]["too_few"] and funding_gaps["Peers"]["share"] is None
    workforce_gaps = {g["label"]: g for g in report.sections[0].evidence_gaps}
    assert workforce_gaps["Peers"]["share"] == 0


def test_pitfalls_are_ordered_by_frequency_and_flagged_from_often(participant):
    peers = _raters(participant, RaterGroup.PEER, 3)
    first_pitfall = None

    def score(item):
        nonlocal first_pitfall
        if item.is_pitfall and first_pitfall is None:
            first_pitfall = item.key
        return "4" if item.key == first_pitfall else "2"

    for rater in peers:
        submit_all(rater, score)
    report = reports.individual_report(participant)
    assert report.pitfalls[0].item.key == first_pitfall
    assert report.pitfalls[0].row.others.mean == 4 >= reports.PITFALL_FLAG
    assert all(line.row.others.mean == 2 for line in report.pitfalls[1:])


@pytest.mark.parametrize("peers", [3, 12])
def test_individual_report_runs_in_constant_queries(participant, django_assert_num_queries, peers):
    for rater in _raters(participant, RaterGroup.PEER, peers):
        submit_all(rater, "3", comments={2: {"improvement": "More delegation."}})
    rater_questionnaire(participant)  # the process has built the questionnaire once
    # rater counts, the per-item tallies (read live before release), comments: every enabler
    # and level number is summed from the per-item ones
    with django_assert_num_queries(3):
        reports.individual_report(participant)
