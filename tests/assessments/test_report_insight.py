"""Issue 18 in the individual report: hand-built cycles whose insight can be checked by hand."""

import re
from html import unescape

import pytest
from django.urls import reverse

from assessments.answering.questionnaire import (
    NOT_OBSERVED,
    build_questionnaire,
    questionnaire_for,
    rater_questionnaire,
)
from assessments.models import Cycle, Participant, RaterGroup
from assessments.reporting import (
    anonymity,
    group_reports,
    insight,
    report_insight,
    reports,
    tallies,
)
from assessments.reporting.presenting.insight import compass_directions
from assessments.running import cycles
from tests.assessments.helpers import fast_submit, submit_all
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db


def raters(participant, n, group=RaterGroup.PEER):
    return [RaterFactory(participant=participant, group=group) for _ in range(n)]


def release(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED)
    cycle.refresh_from_db()


def text_of(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def insight_of(participant):
    report = reports.individual_report(participant)
    return report, report_insight.build(report, others_label="All except self")


# --- agreement and disagreement ----------------------------------------------------------


def test_self_one_above_others_is_an_over_estimator_and_in_agreement_when_equal(participant):
    submit_all(self_rater(participant), "5")
    for rater in raters(participant, 3):
        fast_submit(rater, "4")
    release(participant.cycle)

    report, data = insight_of(participant)

    assert {e.agreement for e in data.enablers} == {"over"}  # 5.0 - 4.0 = 1.0 > 0.5


def test_no_category_where_others_are_hidden(participant):
    submit_all(self_rater(participant), "5")
    for rater in raters(participant, 2):  # two peers: below k, not shown
        fast_submit(rater, "1")
    release(participant.cycle)

    _report, data = insight_of(participant)

    assert {e.agreement for e in data.enablers} == {None}
    assert all(not e.differ for e in data.enablers)


@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize(("scores", "differ"), [("1133", True), ("11332", False)])
def test_views_differ_at_a_standard_deviation_of_one(participant, scores, differ, frozen):
    for rater, score in zip(raters(participant, len(scores)), scores, strict=True):
        fast_submit(rater, score)
    release(participant.cycle)
    if frozen:  # the sums of squares frozen at release give the same spread
        tallies.freeze(participant.cycle)

    report, data = insight_of(participant)

    expected = ["Peers", "All except self"] if differ else []
    assert [e.differ for e in data.enablers] == [expected] * 7
    first = report.sections[0].indicators[0].item.key
    assert data.item_differ[first] == expected


def test_a_hidden_indicator_never_feeds_an_enablers_disagreement(participant):
    """Five peers answer Workforce's indicators 1, 1, 3, 3, 3 (a variance of 0.96, below 1), but
    the first, which only two of them answer, 1 and 5: too few to show, so its wide spread,
    which would tip the enabler over 1, is not the enabler's either."""
    first = build_questionnaire(participant.level).section(1).items[0].key
    for index, rater in enumerate(raters(participant, 5)):
        extreme = {0: "1", 1: "5"}.get(index, NOT_OBSERVED)
        usual = "1" if index < 2 else "3"
        fast_submit(rater, lambda item, e=extreme, u=usual: e if item.key == first else u)
    release(participant.cycle)

    report, data = insight_of(participant)

    workforce = report.sections[0]
    assert workforce.indicators[0].row.units["peer"].too_few
    every = [
        anonymity.unit_tally(report.tallies[line.item.key], report.disclosure, "peer")
        for line in workforce.indicators
    ]
    assert insight.views_differ(every, 3)  # with the hidden answers it would read "differ"
    assert data.enablers[0].differ == []


def test_the_page_says_views_differ_without_showing_the_spread(client, leader, participant):
    for rater, score in zip(raters(participant, 4), "1133", strict=True):
        fast_submit(rater, score)
    release(participant.cycle)
    client.force_login(leader)

    html = client.get(reverse("reports:individual", args=[participant.pk])).content.decode()

    insight = text_of(html[html.index('id="insight-heading"') : html.index('id="gaps-heading"')])
    assert "views differ" in insight
    assert "standard deviation of 1.0 or more" in insight  # the rule, stated
    assert "1.0 " not in insight.replace("of 1.0 or more", "")  # no spread shown


# --- whom to ask -------------------------------------------------------------------------


def test_whom_to_ask_names_the_group_and_the_compass_direction(client, leader, participant):
    funding = build_questionnaire(participant.level).section(3)
    for rater in raters(participant, 3):
        fast_submit(rater, "4")
    partners = raters(participant, 5, RaterGroup.PARTNER)
    for rater in partners[:3]:
        fast_submit(rater, "4")
    for rater in partners[3:]:
        fast_submit(rater, "4", override=dict.fromkeys(funding.item_keys, NOT_OBSERVED))
    release(participant.cycle)
    client.force_login(leader)

    html = client.get(reverse("reports:individual", args=[participant.pk])).content.decode()

    evidence = text_of(html[html.index('id="evidence-heading"') :])
    assert (
        "Funding: Partners answered “not observed” most often (40%). Next time, open the "
        "relationship “Partners and other people outside IOM” to more people" in evidence
    )
    assert "Workforce: " not in evidence  # no enabler below 30 % gets advice


# --- norms -------------------------------------------------------------------------------


def _norm_cohort(n, leader, own_score="5", others_score="3"):
    """``n`` leaders at heads-of-teams in one released cycle, three peers each; the first
    leader is ``leader``."""
    cycle = CycleFactory()
    participants = []
    for index in range(n):
        participant = make_participant(cycle, person=leader if index == 0 else None)
        for rater in raters(participant, 3):
            fast_submit(rater, own_score if index == 0 else others_score)
        participants.append(participant)
    release(cycle)
    return participants


def test_a_norm_of_30_leaders_places_the_leader_in_the_top_quarter(leader):
    me, *others = _norm_cohort(30, leader, own_score="5", others_score="3")

    _report, data = insight_of(me)
    assert data.norm_leaders == 30
    assert {e.band for e in data.enablers} == {"top"}
    assert set(data.item_bands.values()) == {"top"}
    # everyone else ties at 3.0: the middle half
    _report, data = insight_of(others[0])
    assert {e.band for e in data.enablers} == {"middle"}


def test_no_norm_below_30_leaders_even_when_the_setting_says_fewer(leader, settings):
    settings.INSIGHT_NORM_MIN_LEADERS = 5
    me, *_ = _norm_cohort(29, leader, own_score="1")

    _report, data = insight_of(me)

    assert data.norm_leaders == 0
    assert {e.band for e in data.enablers} == {None}


def test_a_leader_whose_report_hides_others_is_left_out_of_the_norm(leader):
    me, *others = _norm_cohort(30, leader, own_score="1")
    # one leader's third peer never submitted: their report shows no peers, so the norm
    # rests on 29 shown numbers and is not given
    victim = others[0]
    peer = victim.raters.filter(group=RaterGroup.PEER).first()
    peer.response.delete()
    peer.status = "invited"
    peer.save()

    _report, data = insight_of(me)

    assert {e.band for e in data.enablers} == {None}


@pytest.mark.parametrize("n", [30, 34])
@pytest.mark.parametrize("frozen", [True, False])
def test_summary_page_with_a_norm_runs_in_constant_queries_and_reads_no_answer(
    client, leader, django_assert_num_queries, n, frozen
):
    me, *_ = _norm_cohort(n, leader)
    if frozen:
        tallies.freeze(me.cycle)  # as release_cycle does
    client.force_login(leader)
    # the process has built the questionnaire and read the compass directions once
    compass_directions(rater_questionnaire(me), me.cycle.edition)
    page = reverse("reports:individual_summary", args=[me.pk])
    # session, user, participant, the report's 3 grouped queries (tallies among them: the
    # spread of the raters' views comes from their squares), the norm's leaders, their rater
    # counts and indicator tallies; a norm on frozen figures is looked for in the shared cache
    # first and written there (the database cache: a count, then a select and an insert
    # between a savepoint and its release)
    with django_assert_num_queries(15 if frozen else 9) as captured:
        response = client.get(page)
    assert response.status_code == 200
    assert "top quarter" in response.content.decode()
    if frozen:
        read = " ".join(q["sql"] for q in captured.captured_queries)
        assert "assessments_answer" not in read
    # A norm on frozen figures is kept by the process: its leaders are still read, to know
    # that it is the same norm, but not their rater counts and tallies. A live one is not.
    with django_assert_num_queries(7 if frozen else 9):
        response = client.get(page)
    assert "top quarter" in response.content.decode()
    # another process reads it from the shared cache: one query instead of two
    report_insight.forget_kept_norms()
    with django_assert_num_queries(8 if frozen else 9):
        response = client.get(page)
    assert "top quarter" in response.content.decode()


def test_a_kept_norm_follows_a_later_release_of_leaders_of_the_same_level(leader):
    me, *_ = _norm_cohort(30, leader, own_score="4", others_score="3")
    tallies.freeze(me.cycle)
    _report, data = insight_of(me)
    assert {e.band for e in data.enablers} == {"top"}  # 4.0 against 29 at 3.0

    later = _norm_cohort(30, UserFactory(), own_score="5", others_score="5")
    tallies.freeze(later[0].cycle)
    _report, data = insight_of(me)

    # 30 leaders above and 29 below among 60: the middle half
    assert data.norm_leaders == 60
    assert {e.band for e in data.enablers} == {"middle"}


def _worked_out_nowhere(monkeypatch):
    """From now on a norm can only come from a kept one: this process's are forgotten (as in
    another web process) and working one out fails the test."""
    report_insight.forget_kept_norms()

    def refuse(*args):
        raise AssertionError("the norm was worked out again")

    monkeypatch.setattr(report_insight, "_work_out_norms", refuse)


def test_a_norm_worked_out_by_one_process_serves_another_from_the_shared_cache(leader, monkeypatch):
    me, *_ = _norm_cohort(30, leader, own_score="4", others_score="3")
    tallies.freeze(me.cycle)
    _report, data = insight_of(me)  # works it out, keeps it here and in the shared cache
    working_out = report_insight._work_out_norms

    _worked_out_nowhere(monkeypatch)
    _report, data = insight_of(me)

    assert data.norm_leaders == 30
    assert {e.band for e in data.enablers} == {"top"}
    # a later release of the same level is a new norm, worked out again
    monkeypatch.setattr(report_insight, "_work_out_norms", working_out)
    later = _norm_cohort(30, UserFactory(), own_score="5", others_score="5")
    tallies.freeze(later[0].cycle)
    report_insight.forget_kept_norms()
    _report, data = insight_of(me)
    assert data.norm_leaders == 60
    assert {e.band for e in data.enablers} == {"middle"}


def test_release_works_out_the_norm_of_each_level_in_the_background(
    leader, monkeypatch, django_capture_on_commit_callbacks
):
    me, *_ = _norm_cohort(30, leader, own_score="4", others_score="3")
    cycle = me.cycle
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
    cycle.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        cycles.release_cycle(cycle=cycle, by=None)
    me.refresh_from_db()  # as the next request reads it

    _worked_out_nowhere(monkeypatch)
    _report, data = insight_of(me)  # the first report after the release finds it

    assert data.norm_leaders == 30
    assert {e.band for e in data.enablers} == {"top"}


# --- the next-level part -----------------------------------------------------------------


@pytest.fixture
def next_level_participant(leader):
    cycle = CycleFactory(next_level_part=True)
    return make_participant(cycle, person=leader, level_slug="heads-of-teams")


def test_the_next_level_part_adds_the_level_above_but_not_above_the_executive_office(compass):
    cycle = CycleFactory(next_level_part=True)
    heads = questionnaire_for(make_participant(cycle, level_slug="heads-of-teams"))
    executives = questionnaire_for(make_participant(cycle, level_slug="executive-office"))

    assert heads.next_level.slug == "chiefs-of-mission"
    assert all(section.next_items for section in heads.sections)
    chiefs = build_questionnaire(heads.next_level)
    assert [i.key for i in heads.sections[0].next_items] == [
        i.key for i in chiefs.sections[0].level_items
    ]
    assert executives.next_level is None
    assert not any(section.next_items for section in executives.sections)
    # without the option, nothing is added
    plain = questionnaire_for(make_participant(level_slug="heads-of-teams"))
    assert not any(section.next_items for section in plain.sections)


def _score_by_rung(questionnaire, general, own, above):
    next_keys = {i.key for s in questionnaire.sections for i in s.next_items}
    general_keys = {i.key for s in questionnaire.sections for i in s.general_items}

    def score(item):
        if item.key in next_keys:
            return above
        return general if item.key in general_keys else own

    return score


@pytest.mark.parametrize(
    ("general", "own", "above", "rung"),
    [("4", "4", "3", 2), ("4", "3", "5", 1), ("3", "4", "4", 0), ("2", "4", "4", None)],
)
def test_placement_on_the_ladder(next_level_participant, general, own, above, rung):
    questionnaire = questionnaire_for(next_level_participant)
    for rater in raters(next_level_participant, 3):
        fast_submit(rater, _score_by_rung(questionnaire, general, own, above))
    release(next_level_participant.cycle)

    report, data = insight_of(next_level_participant)

    assert [e.placement.rung for e in data.enablers] == [rung] * 7
    # the enabler score is over the leader's own indicators: next-level answers are apart
    assert report.sections[0].row.others.mean == pytest.approx(
        (int(general) * 3 + int(own) * 3) / 6, abs=1
    )


def test_next_level_answers_stay_out_of_the_enabler_score_everywhere(next_level_participant):
    questionnaire = questionnaire_for(next_level_participant)
    for rater in raters(next_level_participant, 3):
        fast_submit(rater, _score_by_rung(questionnaire, "4", "4", "1"))
    release(next_level_participant.cycle)

    report = reports.individual_report(next_level_participant)
    assert report.sections[0].row.others.mean == 4
    assert report.sections[0].next_level.others.mean == 1
    assert report.highest[0].row.others.mean == 4  # next-level lines are not ranked
    parts = group_reports.released_parts(Participant.objects.filter(pk=next_level_participant.pk))
    others = [v for (kind, _e), v in parts.measures.items() if kind == "others"]
    assert {shown.mean for by_pid in others for shown, _anonymous in by_pid.values()} == {4}


def test_summary_page_reads_strengths_gaps_placement_and_suggestions(
    client, leader, next_level_participant
):
    questionnaire = questionnaire_for(next_level_participant)
    submit_all(self_rater(next_level_participant), "5")
    for rater in raters(next_level_participant, 3):
        fast_submit(rater, _score_by_rung(questionnaire, "4", "4", "3"))
    release(next_level_participant.cycle)
    client.force_login(leader)

    url = reverse("reports:individual_summary", args=[next_level_participant.pk])
    page = text_of(client.get(url).content.decode())

    assert "Your 360 in five minutes" in page
    assert "Placement on the level ladder" in page
    assert "Workforce : Chiefs of Mission & Heads of Office" in page
    assert "self minus others +1.0 (Over-estimator)" in page
    assert "Three things to work on" in page

    printed = client.get(reverse("reports:individual_print", args=[next_level_participant.pk]))
    printed = printed.content.decode()
    assert printed.index("Your 360 in five minutes") < printed.index('id="responses-heading"')


def test_summary_ranks_as_printed_and_a_tie_is_neither_strongest_nor_weakest(
    client, leader, participant
):
    communication = {i.key for i in build_questionnaire(participant.level).section(6).items}
    for rater in raters(participant, 3):
        fast_submit(rater, lambda item: "2" if item.key in communication else "4")
    release(participant.cycle)
    client.force_login(leader)

    url = reverse("reports:individual_summary", args=[participant.pk])
    page = text_of(client.get(url).content.decode())

    strongest = page[page.index("Strongest as others see you") : page.index("Weakest")]
    weakest = page[page.index("Weakest as others see you") : page.index("Largest gaps")]
    # six enablers tie at 4.0: the first two in the compass's order are named
    assert "Workforce — 4.0" in strongest and "Partnerships — 4.0" in strongest
    assert "Communication — 2.0" in weakest
    assert "4.0" not in weakest
