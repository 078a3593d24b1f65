"""The gender-responsive leadership section a cycle can add (issue 19): loaded like the compass,
asked after it, reported on rows of its own in the individual, team and cohort reports."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from assessments.answering import responses
from assessments.answering.questionnaire import build_questionnaire, participant_questionnaire
from assessments.models import Cycle, RaterGroup
from assessments.reporting import group_reports, reports
from compass.models import GRL_EDITION, Enabler, Indicator
from tests.assessments.helpers import cycle_data, fast_submit, submit_all
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db

SKILLS = [
    "Lead by example",
    "Set priorities and targets",
    "Communicate clearly and convincingly",
    "Manage staff, resources and activities",
    "Hold self and others to account",
]


@pytest.fixture
def grl(compass):
    call_command("loaddata", "gender_responsive_leadership", verbosity=0)
    return GRL_EDITION


@pytest.fixture
def cycle(grl):
    return CycleFactory(state=Cycle.State.OPEN, grl_edition=grl)


def grl_score(value):
    """Answers: ``value`` on the section's items, 3 on the compass's (pitfalls 2)."""

    def score(item):
        if item.is_pitfall:
            return "2"
        indicator = Indicator.objects.get(pk=item.indicator_id)
        return value if indicator.edition == GRL_EDITION else "3"

    return score


def release(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED)
    cycle.refresh_from_db()


# --- the framework -------------------------------------------------------------------------


def test_loading_the_section_twice_changes_nothing(grl):
    before = list(Indicator.objects.filter(edition=grl).values_list("pk", "rater_item"))
    call_command("loaddata", "gender_responsive_leadership", verbosity=0)
    assert list(Indicator.objects.filter(edition=grl).values_list("pk", "rater_item")) == before
    assert len(before) == 12
    names = Enabler.objects.filter(edition=grl).order_by("position").values_list("name", flat=True)
    assert list(names) == SKILLS


def test_the_section_reads_in_the_raters_language(grl):
    with translation.override("fr"):
        skill = Enabler.objects.get(edition=grl, position=0)
        assert skill.name == "Montrer l'exemple"
        assert Indicator.objects.filter(edition=grl).first().item.startswith("Remet en question")


def test_the_compass_pages_do_not_take_the_section_for_an_edition(client, grl, outsider):
    client.force_login(outsider)
    body = client.get(reverse("compass:matrix")).content.decode()
    assert "Workforce" in body and "Hold self and others to account" not in body


# --- the questionnaire ---------------------------------------------------------------------


def test_without_the_section_the_questionnaire_is_the_compass(grl, compass):
    participant = make_participant(CycleFactory())
    questionnaire = participant_questionnaire(participant)
    assert len(questionnaire.sections) == 7
    assert not any(section.is_grl for section in questionnaire.sections)


def test_the_section_adds_a_page_per_skill_after_the_compass_in_as_many_queries(
    cycle, django_assert_num_queries
):
    participant = make_participant(cycle)
    with django_assert_num_queries(3):
        plain = build_questionnaire(participant.level)
    with django_assert_num_queries(3):
        questionnaire = participant_questionnaire(participant)
    sections = questionnaire.sections
    assert len(sections) == 12
    assert [s.enabler.name for s in sections[7:]] == SKILLS
    assert all(s.is_grl for s in sections[7:]) and not any(s.is_grl for s in sections[:7])
    assert [s.number for s in sections] == list(range(1, 13))
    assert all(2 <= len(s.items) <= 3 for s in sections[7:])
    assert sections[7].items[0].text.startswith("Challenges gender stereotypes")
    assert sections[7].items[0].self_text.startswith("I challenge gender stereotypes")
    assert plain.item_keys == questionnaire.item_keys[: len(plain.item_keys)]


def test_a_response_is_complete_only_with_the_section_answered(cycle):
    participant = make_participant(cycle)
    rater = RaterFactory(participant=participant)
    questionnaire = participant_questionnaire(participant)
    for section in questionnaire.sections[:7]:
        responses.save_section(
            rater=rater,
            section=section,
            values=dict.fromkeys(section.item_keys, "3"),
            comments={},
        )
    with pytest.raises(responses.IncompleteResponse):
        responses.submit_response(rater=rater)
    submit_all(rater, value="4")
    rater.refresh_from_db()
    assert rater.status == rater.Status.SUBMITTED


def test_a_rater_answers_the_section_through_the_link(client, cycle):
    from assessments.answering.tokens import issue_token

    participant = make_participant(cycle)
    rater = RaterFactory(participant=participant)
    token = issue_token(rater)
    page = client.get(reverse("rater:section", args=[token, 8])).content.decode()
    assert re.search(r"8 of 12: (<bdi[^>]*>)?Lead by example", page)
    assert "Intervenes when sexist remarks or behaviour occur" in page


# --- the individual report -----------------------------------------------------------------


@pytest.fixture
def reported(cycle):
    """A released leader with self, supervisor and three peers: 3 on the compass, the section
    answered 5 by the peers and 1 by the leader."""
    participant = make_participant(cycle)
    fast_submit(self_rater(participant), grl_score("1"))
    fast_submit(participant.raters.get(group=RaterGroup.SUPERVISOR), grl_score("4"))
    for _ in range(3):
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), grl_score("5"))
    release(cycle)
    return participant


def peers_cell(report, row):
    return row.units[report.disclosure.unit_of_group[RaterGroup.PEER]]


def test_the_section_is_reported_on_its_own_rows_never_in_the_enablers(reported):
    report = reports.individual_report(reported)
    compass = [s for s in report.sections if not s.is_grl]
    grl = [s for s in report.sections if s.is_grl]
    assert [s.enabler.name for s in grl] == SKILLS
    assert len(compass) == 7
    for section in compass:  # 3 from everyone: the section's 1s and 5s stay out
        assert section.row.self_cell.mean == pytest.approx(3.0)
        assert peers_cell(report, section.row).mean == pytest.approx(3.0)
    for section in grl:
        assert section.row.self_cell.mean == pytest.approx(1.0)
        assert peers_cell(report, section.row).mean == pytest.approx(5.0)
        assert section.row.supervisor.mean == pytest.approx(4.0)


def test_the_compass_rankings_and_gaps_leave_the_section_out(reported):
    report = reports.individual_report(reported)
    grl_items = set(Indicator.objects.filter(edition=GRL_EDITION).values_list("pk", flat=True))
    for line in [*report.highest, *report.lowest, *report.blind_spots, *report.hidden_strengths]:
        item = getattr(line, "item", None)
        assert item is None or item.indicator_id not in grl_items
        assert not getattr(line, "is_grl", False)


def test_too_few_peers_hide_the_section_as_they_hide_the_enablers(cycle):
    participant = make_participant(cycle)
    fast_submit(self_rater(participant), grl_score("2"))
    for _ in range(2):  # fewer than k = 3
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), grl_score("5"))
    release(cycle)
    report = reports.individual_report(participant)
    assert [s.is_grl for s in report.sections].count(True) == 5
    for section in report.sections:
        assert all(not cell.shown for cell in section.row.units.values())
        assert section.row.others.mean is None or RaterGroup.PEER not in section.row.others.groups


def test_the_report_page_shows_the_section_under_its_own_heading(client, reported):
    client.force_login(reported.person)
    body = client.get(reverse("reports:individual", args=[reported.pk])).content.decode()
    assert 'id="grl-heading"' in body
    assert body.index("Internal Systems") < body.index('id="grl-heading"')
    assert body.index('id="grl-heading"') < body.index("Hold self and others to account")
    assert 'id="grl-lead-by-example"' in body


# --- team and cohort -----------------------------------------------------------------------


@pytest.fixture
def cohort(cycle):
    """Six leaders under one supervisor: three women (section answered 5 by peers), two men
    (answered 2), one who did not say."""
    boss = UserFactory(full_name="Bea Boss")
    for gender, value in [("woman", "5")] * 3 + [("man", "2")] * 2 + [("", "4")]:
        participant = make_participant(cycle, supervisor=boss, gender=gender)
        fast_submit(self_rater(participant), grl_score("3"))
        for _ in range(3):
            fast_submit(
                RaterFactory(participant=participant, group=RaterGroup.PEER), grl_score(value)
            )
    release(cycle)
    return boss


def _row(breakdown, name):
    return next(
        (heats, everyone) for enabler, heats, everyone in breakdown.rows if enabler.name == name
    )


def test_the_cohort_breaks_the_section_down_by_gender_under_the_participant_rule(cohort, cycle):
    report = group_reports.cohort_report(cycle)
    assert [e.name for e, _h, _a in report.grl_genders.rows] == SKILLS
    assert [e.name for e, _h, _a in report.genders.rows][:1] == ["Workforce"]
    heats, everyone = _row(report.grl_genders, "Lead by example")
    assert heats["woman"].others.shown and heats["woman"].others.mean == pytest.approx(5.0)
    # Two men and one not recorded are fewer than k: suppressed, and nothing gives them away.
    assert not heats["man"].others.shown and not heats[""].others.shown
    # A breakdown by gender has no total of its own (the levels' total is the cohort's).
    assert everyone.others.mean is None
    # The compass's enablers never see the section's answers.
    compass_heats, _everyone = _row(report.genders, "Workforce")
    assert compass_heats["woman"].others.mean == pytest.approx(3.0)
    levels_heats, all_levels = _row(report.grl_levels, "Lead by example")
    assert all_levels.others.mean == pytest.approx((3 * 5 + 2 * 2 + 4) / 6)


def test_the_team_report_has_the_section_per_level(cohort, cycle):
    report = group_reports.team_report(cycle=cycle, supervisor=cohort)
    assert [e.name for e, _h, _a in report.grl_levels.rows] == SKILLS
    _heats, whole_team = _row(report.grl_levels, "Manage staff, resources and activities")
    assert whole_team.others.mean == pytest.approx((3 * 5 + 2 * 2 + 4) / 6)


def test_team_and_cohort_pages_show_the_section(client, cohort, cycle, hr_admin):
    client.force_login(cohort)
    team = client.get(reverse("reports:team", args=[cycle.pk])).content.decode()
    assert 'id="team-grl-heading"' in team and "Hold self and others to account" in team
    client.force_login(hr_admin)
    page = client.get(reverse("reports:cohort", args=[cycle.pk])).content.decode()
    assert 'id="grl-heading"' in page and 'id="grl-genders-others"' in page


def test_a_cycle_without_the_section_has_no_section_rows(compass, hr_admin, client):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    boss = UserFactory()
    for _ in range(3):
        participant = make_participant(cycle, supervisor=boss)
        fast_submit(self_rater(participant), "3")
    release(cycle)
    assert group_reports.cohort_report(cycle).grl_genders is None
    assert group_reports.team_report(cycle=cycle, supervisor=boss).grl_levels is None
    client.force_login(hr_admin)
    assert (
        'id="grl-heading"'
        not in client.get(reverse("reports:cohort", args=[cycle.pk])).content.decode()
    )


# --- HR chooses it -------------------------------------------------------------------------


def test_hr_adds_the_section_to_a_draft_cycle(client, grl, hr_admin):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    client.force_login(hr_admin)
    url = reverse("hr:cycle_edit", args=[cycle.pk])
    form = client.get(url).content.decode()
    assert "Gender-responsive leadership section" in form and "grl-2024" in form
    data = cycle_data(
        name=cycle.name,
        edition=cycle.edition,
        opens_on=cycle.opens_on.isoformat(),
        closes_on=cycle.closes_on.isoformat(),
        grl_edition=GRL_EDITION,
    )
    assert client.post(url, data).status_code == 302
    cycle.refresh_from_db()
    assert cycle.grl_edition == GRL_EDITION


def test_plan_suggestions_weigh_the_enablers_without_the_section(reported):
    """All enablers read 3 and the skills 5: with the skills in the average, every enabler
    would look low."""
    from assessments.plans import action_plans

    assert action_plans.suggest_focus(reports.individual_report(reported)) == []


def test_the_five_minute_summary_ranks_the_enablers_without_the_section(client, reported):
    """The skills read 5 from the peers, every enabler 3: none may be called the strongest."""
    client.force_login(reported.person)
    page = client.get(reverse("reports:individual_summary", args=[reported.pk]))
    assert page.status_code == 200
    strongest = page.context["summary"]["strongest"]
    assert all(row["enabler"] not in SKILLS for row in strongest)
    assert all(row["enabler"] not in SKILLS for row in page.context["summary"]["gaps"])
