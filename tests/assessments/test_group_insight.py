"""Issue 18 in the team and cohort reports: next-level behaviours and self–other agreement,
counted over participants under the participant rule."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.answering.questionnaire import NOT_OBSERVED, questionnaire_for
from assessments.models import Cycle, Participant, RaterGroup
from assessments.reporting import group_insight, group_reports
from compass.models import Enabler
from tests.assessments.helpers import fast_submit
from tests.factories import (
    CycleFactory,
    RaterFactory,
    UserFactory,
    make_participant,
    self_rater,
    supervisor_rater,
)

pytestmark = pytest.mark.django_db


def text_of(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def member(cycle, boss, *, reaches, own="4", gender="", level_slug="heads-of-teams"):
    """A leader whose three peers give 4 everywhere and, on the next level's indicators, 3 when
    ``reaches`` and 2 when not; the leader rates themself ``own``."""
    participant = make_participant(cycle, supervisor=boss, gender=gender, level_slug=level_slug)
    questionnaire = questionnaire_for(participant)
    above = {i.key for s in questionnaire.sections for i in s.next_items}
    fast_submit(self_rater(participant), own)
    for _ in range(3):
        rater = RaterFactory(participant=participant, group=RaterGroup.PEER)
        fast_submit(rater, lambda item: ("3" if reaches else "2") if item.key in above else "4")
    return participant


def release(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED)
    cycle.refresh_from_db()


def judge(cycle):
    """Every participant of ``cycle`` judged from what the team and cohort reports read."""
    return group_insight.judge(
        group_reports.released_parts(Participant.objects.filter(cycle=cycle), cycle)
    )


def test_next_level_counts_per_enabler_from_each_members_own_report(supervisor):
    cycle = CycleFactory(next_level_part=True)
    for reaches in (True, True, True, False, False, False):
        member(cycle, supervisor, reaches=reaches)
    release(cycle)
    judged = judge(cycle)
    enablers = list(Enabler.objects.filter(edition=cycle.edition).values_list("pk", flat=True))

    counts = group_insight.team_counts(judged, enablers, k=3)

    assert {c.counts[group_insight.REACHED] for c in counts.values()} == {3}
    assert {c.judged for c in counts.values()} == {6}


def test_one_member_apart_is_hidden_with_its_complement(supervisor):
    cycle = CycleFactory(next_level_part=True)
    for reaches in (True, False, False, False):
        member(cycle, supervisor, reaches=reaches)
    release(cycle)
    judged = judge(cycle)
    enablers = list(Enabler.objects.filter(edition=cycle.edition).values_list("pk", flat=True))

    counts = group_insight.team_counts(judged, enablers, k=3)

    # 1 reached (below k) and the 3 who did not (which would give it away) are both hidden
    assert {tuple(c.counts.values()) for c in counts.values()} == {(None, None)}
    assert {c.judged for c in counts.values()} == {4}


def test_team_page_counts_next_level_behaviours(client, supervisor):
    cycle = CycleFactory(next_level_part=True)
    for reaches in (True, True, True, False, False, False):
        member(cycle, supervisor, reaches=reaches)
    release(cycle)
    client.force_login(supervisor)

    page = text_of(client.get(reverse("reports:team", args=[cycle.pk])).content.decode())

    assert "Next-level behaviours in your team" in page
    assert "Workforce 3 6" in page


def test_cohort_agreement_per_level_and_by_gender(client, supervisor, hr_admin):
    cycle = CycleFactory()
    for _ in range(3):  # self 5 against others 4: over-estimators
        member(cycle, supervisor, reaches=True, own="5", gender="woman")
    for _ in range(3):  # self 4 against others 4: in agreement, high
        member(cycle, supervisor, reaches=True, own="4", gender="man")
    for _ in range(2):  # two chiefs and a director: levels below k, hidden
        member(cycle, supervisor, reaches=True, own="2", level_slug="chiefs-of-mission")
    member(cycle, supervisor, reaches=True, own="2", level_slug="directors")
    release(cycle)
    client.force_login(hr_admin)

    html = client.get(reverse("reports:cohort", args=[cycle.pk])).content.decode()
    section = text_of(html[html.index('id="insight-heading"') : html.index('id="plans-heading"')])

    levels = section[section.index("Agreement per level") : section.index("Agreement by gender")]
    # heads of teams: 3 over, 0 under, 3 high, 0 low of 6
    assert "Heads of Teams Enabler Over-estimator Under-estimator" in levels
    assert "Workforce 3 0 3 0 6" in levels
    assert "Chiefs of Mission & Heads of Office Fewer than 3 leaders here" in levels
    assert "Directors Fewer than 3 leaders here" in levels
    genders = section[section.index("Agreement by gender") :]
    assert "Workforce 3 0 0 0 3" in genders  # women
    assert "Workforce 0 0 3 0 3" in genders  # men
    assert "Next-level behaviours per level" not in section  # the cycle has no next-level part


def test_team_and_cohort_insight_run_in_constant_queries(client, compass, hr_admin):
    counts = []
    for size in (3, 9):
        boss = UserFactory()
        cycle = CycleFactory(next_level_part=True)
        for i in range(size):
            member(cycle, boss, reaches=i % 2 == 0, gender="woman")
        release(cycle)
        measured = []
        for user, url in ((boss, "reports:team"), (hr_admin, "reports:cohort")):
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse(url, args=[cycle.pk])).status_code == 200
            measured.append(len(captured))
        counts.append(measured)
    assert counts[0] == counts[1]


def test_members_who_shared_their_report_do_not_count_toward_k(client, supervisor):
    cycle = CycleFactory(next_level_part=True)
    team = [member(cycle, supervisor, reaches=reaches) for reaches in (True,) * 3 + (False,) * 3]
    for participant in team[:1]:  # one who reached shares: two of three left to protect
        participant.shared_with_supervisor = True
        participant.save()
    release(cycle)
    client.force_login(supervisor)

    page = text_of(client.get(reverse("reports:team", args=[cycle.pk])).content.decode())

    assert "Workforce hidden 6" in page  # 2 unopened members reached: below k


def test_cohort_counts_never_differ_by_one_leader_across_levels_and_genders(
    client, supervisor, hr_admin
):
    """Four heads of teams, three of them women; the fourth is a man, like the three chiefs.
    Heads minus women would be that one man's category, and men minus chiefs the same: of two
    such cells, a category's count is never shown in both."""
    cycle = CycleFactory()
    for _ in range(3):
        member(cycle, supervisor, reaches=True, own="5", gender="woman")
    member(cycle, supervisor, reaches=True, own="5", gender="man")
    for _ in range(3):
        member(
            cycle, supervisor, reaches=True, own="4", gender="man", level_slug="chiefs-of-mission"
        )
    release(cycle)
    client.force_login(hr_admin)

    html = client.get(reverse("reports:cohort", args=[cycle.pk])).content.decode()
    section = text_of(html[html.index('id="insight-heading"') : html.index('id="plans-heading"')])
    levels = section[section.index("Agreement per level") : section.index("Agreement by gender")]
    genders = section[section.index("Agreement by gender") :]

    def workforce(block):
        return re.search(r"Workforce ((?:\S+ ){4}\S+)", block).group(1).split()

    heads = workforce(levels[: levels.index("Chiefs of Mission")])
    chiefs = workforce(levels[levels.index("Chiefs of Mission") :])
    women = workforce(genders[genders.index("Woman") : genders.index("Man")])
    men = workforce(genders[genders.index("Man") :])
    assert heads == ["4", "0", "0", "0", "4"]  # the larger cell stays whole
    for larger, nested in ((heads, women), (men, chiefs)):
        for a, b in zip(larger, nested, strict=True):
            assert "hidden" in (a, b)  # never both: their difference is one leader


def test_a_verdict_read_from_the_supervisors_own_answers_does_not_count_toward_k(
    client, supervisor
):
    """Two members like any other, and a third whose All leaders behaviours only the
    supervisor rated (2: not "regularly", so the ladder stops there), though peers rated the
    rungs above: the supervisor knows that verdict, so two are left to protect — below k."""
    cycle = CycleFactory(next_level_part=True)
    for reaches in (True, False):
        member(cycle, supervisor, reaches=reaches)
    known = make_participant(cycle, supervisor=supervisor, level_slug="heads-of-teams")
    general = {i.key for s in questionnaire_for(known).sections for i in s.general_items}
    fast_submit(supervisor_rater(known), "2")
    for _ in range(3):
        rater = RaterFactory(participant=known, group=RaterGroup.PEER)
        fast_submit(rater, lambda item: NOT_OBSERVED if item.key in general else "4")
    release(cycle)

    judged = {j.participant_id: j for j in judge(cycle)}
    workforce = Enabler.objects.get(edition=cycle.edition, position=1).pk
    assert judged[known.pk].next_level[workforce] is False
    assert workforce in judged[known.pk].supervisor_only
    client.force_login(supervisor)
    page = text_of(client.get(reverse("reports:team", args=[cycle.pk])).content.decode())
    assert "Workforce hidden hidden" in page
