"""The progress pulse pages (issue 19): the leader starts and follows a pulse from the action
plan, raters answer it by link, the plan shows its results; HR starts one for a cohort and
follows it on the cycle pages. Query budgets at two sizes."""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from assessments.answering.questionnaire import questionnaire_for
from assessments.answering.tokens import issue_token
from assessments.models import ChangeAnswer, Cycle, Participant, Rater, RaterGroup
from assessments.running import cycles
from tests.factories import CycleFactory, RaterFactory, UserFactory

from .pulse_helpers import (
    answer_pulse,
    close_and_release_pulse,
    focus_on,
    release,
    released_360,
    start,
)

pytestmark = pytest.mark.django_db


def text_of(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def participant(compass, leader, supervisor):
    participant = released_360(person=leader, supervisor=supervisor, peers=4)
    release(participant.cycle)
    participant.refresh_from_db()
    focus_on(participant, "funding", links=2)
    return participant


def plan_url(participant):
    return reverse("plans:plan", args=[participant.pk])


# --- the leader starts a pulse -------------------------------------------------------------


def test_the_plan_offers_a_pulse_in_the_window_and_the_leader_starts_it(
    client, participant, leader, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    page = text_of(client.get(plan_url(participant)))
    assert "Progress pulse" in page and "Start a progress pulse" in page

    start_url = reverse("pulses:start", args=[participant.pk])
    response = client.get(start_url)
    assert response.status_code == 200
    html = response.content.decode()
    peers = list(participant.raters.filter(group=RaterGroup.PEER))
    for rater in [*peers, participant.raters.get(group=RaterGroup.SUPERVISOR)]:
        assert re.search(rf'value="{rater.pk}" id="rater-{rater.pk}" checked', html)
    assert (
        participant.raters.get(group=RaterGroup.SELF).name
        not in text_of(response).split("Whom to ask again")[1]
    )
    assert "Funding : the 2 behaviours you linked to it" in text_of(response)

    chosen = [p.pk for p in peers[:3]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start_url, {"raters": chosen})
    pulse = Participant.objects.get(follows=participant)
    assert response.status_code == 302
    assert response["Location"] == reverse("pulses:detail", args=[pulse.pk])
    assert sorted(pulse.raters.values_list("email", flat=True)) == sorted(
        p.email for p in peers[:3]
    )
    assert len([m for m in mail.outbox if "short follow-up" in m.subject]) == 3

    page = text_of(client.get(response["Location"]))
    assert "Your progress pulse" in page and "Open" in page
    # A second start lands on the pulse: one pulse per 360.
    response = client.post(start_url, {"raters": chosen})
    assert response["Location"] == reverse("pulses:detail", args=[pulse.pk])
    assert Participant.objects.filter(follows=participant).count() == 1
    page = text_of(client.get(plan_url(participant)))
    assert "0 of the 3 raters you asked have answered so far" in page


def test_a_start_refused_by_the_rules_says_why_next_to_the_raters(client, participant, leader):
    client.force_login(leader)
    peers = list(participant.raters.filter(group=RaterGroup.PEER))
    response = client.post(
        reverse("pulses:start", args=[participant.pk]), {"raters": [p.pk for p in peers[:2]]}
    )
    assert response.status_code == 400
    assert "Choose at least 3 peers, direct reports and partners" in text_of(response)
    assert not Participant.objects.filter(follows=participant).exists()
    response = client.post(reverse("pulses:start", args=[participant.pk]), {"raters": ["x"]})
    assert response.status_code == 400


def test_outside_the_window_the_plan_and_the_start_page_say_when(client, participant, leader):
    Cycle.objects.filter(pk=participant.cycle_id).update(
        released_at=participant.cycle.released_at + datetime.timedelta(days=60)
    )
    client.force_login(leader)
    assert "can start from" in text_of(client.get(plan_url(participant)))
    response = client.get(reverse("pulses:start", args=[participant.pk]))
    assert "can start from" in text_of(response)
    assert "Start the pulse and invite them" not in text_of(response)


def test_the_pulse_page_never_tells_which_anonymous_rater_answered(client, participant, leader):
    card = RaterFactory(participant=participant, group=RaterGroup.PARTNER, email="", name="Amina")
    pulse = start(participant)
    submitted = pulse.raters.filter(group=RaterGroup.PEER).first()
    answer_pulse(submitted)
    client.force_login(leader)
    response = client.get(reverse("pulses:detail", args=[pulse.pk]))
    page = text_of(response)
    assert "1 has answered" in page
    row = page[page.index(submitted.name) :][:120]
    assert "Submitted" not in row and "Invited" in row
    card_rater = pulse.raters.get(name=card.name)
    assert reverse("my360:rater_card", args=[pulse.pk, card_rater.pk]) in response.content.decode()
    # My 360 of a pulse is this page.
    assert client.get(reverse("my360:participation", args=[pulse.pk]))["Location"] == reverse(
        "pulses:detail", args=[pulse.pk]
    )


def test_the_pulse_page_is_the_leaders_alone(client, participant, supervisor, hr_admin):
    pulse = start(participant)
    for user in (supervisor, hr_admin, UserFactory()):
        client.force_login(user)
        assert client.get(reverse("pulses:detail", args=[pulse.pk])).status_code == 404
        assert client.get(reverse("pulses:start", args=[participant.pk])).status_code == 404


# --- raters answer by link -----------------------------------------------------------------


def test_a_rater_answers_the_pulse_through_their_link(client, participant):
    pulse = start(participant)
    rater = pulse.raters.filter(group=RaterGroup.PEER).first()
    token = issue_token(rater)
    response = client.get(reverse("rater:start", args=[token]))
    page = text_of(response)
    assert "This short follow-up asks what you have seen since" in page
    assert "3 questions, one section per area" in page
    questionnaire = questionnaire_for(pulse)
    (section,) = questionnaire.sections
    url = reverse("rater:section", args=[token, 1])
    page = client.get(url)
    html = page.content.decode()
    assert "What Lucía Ortega has been working on" in text_of(page)
    assert "Over the past months, has this leader become more or less effective at this?" in (
        text_of(page)
    )
    assert 'value="+3"' in html and 'value="-3"' in html
    assert "comment_strength" not in html  # no comments in a pulse
    change = section.change_items[0].key
    data = {item.key: "4" for item in section.focus_items} | {change: "+4"}
    response = client.post(url, data)
    assert response.status_code == 400 and "outside the scale" in text_of(response)
    data[change] = "+2"
    assert client.post(url, data).status_code == 302
    assert 'value="+2" checked' in client.get(url).content.decode()
    response = client.post(reverse("rater:review", args=[token]))
    assert response["Location"] == reverse("rater:thanks", args=[token])
    rater.refresh_from_db()
    assert rater.status == Rater.Status.SUBMITTED
    assert ChangeAnswer.objects.get(response__rater=rater).score == 2


@pytest.mark.parametrize("n_focus", [1, 3])
def test_the_pulse_section_runs_in_a_fixed_number_of_queries(
    client, participant, django_assert_num_queries, n_focus
):
    for slug in ["communication", "workforce"][: n_focus - 1]:
        focus_on(participant, slug, links=3)
    pulse = start(participant)
    rater = pulse.raters.filter(group=RaterGroup.PEER).first()
    token = issue_token(rater)
    section = questionnaire_for(pulse).sections[-1]
    data = {item.key: "4" for item in section.focus_items} | {section.change_items[0].key: "0"}
    url = reverse("rater:section", args=[token, n_focus])
    client.post(url, data)  # the first save creates the response
    # the link with its rater and response; the focus areas and their behaviours; the answers
    # and the change answers
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    # a save: the link; the questionnaire (2); SAVEPOINT, the rater's lock, the response, the
    # answers and the change answers upserted, RELEASE
    with django_assert_num_queries(9):
        assert client.post(url, data).status_code == 302


# --- the results on the plan ------------------------------------------------------------------


@pytest.fixture
def released_pulse(participant):
    pulse = start(participant)
    for rater in pulse.raters.all():
        answer_pulse(rater, score="4", change="+2")
    close_and_release_pulse(pulse)
    return pulse


def test_the_plan_shows_the_change_since_the_360_per_focus_area(
    client, participant, released_pulse, leader
):
    client.force_login(leader)
    page = text_of(client.get(plan_url(participant)))
    assert "Focus area In the 360 In the pulse Change More or less effective (−3 to +3)" in page
    assert "Funding 2 behaviours 3.0 n=10 4.0 n=10 +1.0 +2.0 n=5" in page


def test_the_supervisor_reads_the_results_only_with_the_report_shared(
    client, participant, released_pulse, supervisor
):
    from assessments.models import ActionPlan

    ActionPlan.objects.filter(participant=participant).update(shared_with_supervisor=True)
    client.force_login(supervisor)
    page = text_of(client.get(plan_url(participant)))
    assert "Its results are shown here while Lucía Ortega shares their 360 report" in page
    assert "+1.0" not in page
    Participant.objects.filter(pk=participant.pk).update(shared_with_supervisor=True)
    page = text_of(client.get(plan_url(participant)))
    assert "Funding 2 behaviours 3.0 n=10 4.0 n=10 +1.0" in page


@pytest.mark.parametrize("n_focus", [1, 3])
def test_the_plan_with_a_released_pulse_runs_in_a_fixed_number_of_queries(
    client, participant, leader, django_assert_num_queries, n_focus
):
    for slug in ["communication", "workforce"][: n_focus - 1]:
        focus_on(participant, slug, links=2)
    pulse = start(participant)
    for rater in pulse.raters.all():
        answer_pulse(rater)
    close_and_release_pulse(pulse)
    client.force_login(leader)
    client.get(plan_url(participant))
    # the plan page's 12, the pulse's participation, and its results: who submitted, the 360's
    # and the pulse's tallies, the change answers, the focus areas and their behaviours
    with django_assert_num_queries(12 + 1 + 6):
        assert client.get(plan_url(participant)).status_code == 200


@pytest.mark.parametrize("n_raters", [4, 9])
def test_the_pulse_page_runs_in_a_fixed_number_of_queries(
    client, participant, leader, django_assert_num_queries, n_raters
):
    for _ in range(n_raters - 4):
        RaterFactory(participant=participant, group=RaterGroup.PARTNER, email="")
    pulse = start(participant)
    client.force_login(leader)
    client.get(reverse("pulses:detail", args=[pulse.pk]))
    with django_assert_num_queries(4):  # session, user, the pulse participation, its raters
        assert client.get(reverse("pulses:detail", args=[pulse.pk])).status_code == 200


# --- HR ------------------------------------------------------------------------------------------


@pytest.fixture
def cohort(compass):
    cycle = CycleFactory(name="Leadership 360 — 2025")
    people = [
        released_360(cycle=cycle, person=UserFactory(full_name=name), supervisor=UserFactory())
        for name in ("Ana Ready", "Ben Ready", "Cleo Noplan")
    ]
    release(cycle)
    for participant in people[:2]:
        participant.refresh_from_db()
        focus_on(participant, "funding")
    return cycle


def test_hr_starts_a_pulse_for_the_cohort_and_follows_its_response_rates(
    client, cohort, hr_admin, django_capture_on_commit_callbacks
):
    client.force_login(hr_admin)
    detail = reverse("hr:cycle_detail", args=[cohort.pk])
    page = text_of(client.get(detail))
    assert "Progress pulses" in page and "No pulse yet." in page
    url = reverse("hr:pulse_start", args=[cohort.pk])
    page = text_of(client.get(url))
    assert "2 leaders get a pulse" in page and "Ana Ready 4 raters" in page
    assert "1 leader skipped Cleo Noplan The action plan has no focus area yet" in page
    closes = (cohort.released_at.date() + datetime.timedelta(days=130)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"closes_on": closes})
    pulse = Cycle.objects.get(follows=cohort)
    assert response["Location"] == reverse("hr:cycle_detail", args=[pulse.pk])
    page = text_of(client.get(response["Location"]))
    assert "A progress pulse of Leadership 360 — 2025" in page
    assert "Self-assessments submitted" not in page and "Nominations sent" not in page
    assert "0 of 8 invited raters submitted" in page
    rater = Rater.objects.filter(participant__cycle=pulse).first()
    answer_pulse(rater)
    page = text_of(client.get(detail))
    assert f"{pulse.name} Open" in page and "12% (1 of 8 invited)" in page
    dashboard = text_of(client.get(reverse("hr:dashboard")))
    assert f"{pulse.name} Progress pulse" in dashboard


def test_hr_cannot_start_a_pulse_outside_the_window(client, cohort, hr_admin):
    Cycle.objects.filter(pk=cohort.pk).update(
        released_at=cohort.released_at + datetime.timedelta(days=60)
    )
    client.force_login(hr_admin)
    response = client.get(reverse("hr:pulse_start", args=[cohort.pk]))
    assert response["Location"] == reverse("hr:cycle_detail", args=[cohort.pk])
    page = text_of(client.get(response["Location"]))
    assert "A progress pulse can start from" in page
    assert "Start a progress pulse…" not in page


def test_nothing_is_imported_into_a_pulse(client, cohort, hr_admin):
    pulse = start(Participant.objects.filter(cycle=cohort).order_by("person__full_name")[0])
    client.force_login(hr_admin)
    for name in ("hr:import_participants", "hr:import_raters"):
        response = client.get(reverse(name, args=[pulse.cycle_id]))
        assert response["Location"] == reverse("hr:cycle_detail", args=[pulse.cycle_id])


@pytest.mark.parametrize("size", [3, 8])
def test_the_hr_pulse_page_runs_in_a_fixed_number_of_queries(
    client, compass, hr_admin, django_assert_num_queries, size
):
    cycle = CycleFactory()
    people = [released_360(cycle=cycle, supervisor=UserFactory()) for _ in range(size)]
    release(cycle)
    for participant in people:
        participant.refresh_from_db()
        focus_on(participant, "funding")
    client.force_login(hr_admin)
    url = reverse("hr:pulse_start", args=[cycle.pk])
    client.get(url)
    # session, user, HR group, the cycle; participants, their pulses, focus areas, raters
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_a_released_pulse_has_no_cohort_report_or_pdfs(client, participant, hr_admin):
    pulse = start(participant)
    client.force_login(hr_admin)
    detail_url = reverse("hr:participant_detail", args=[pulse.cycle_id, pulse.pk])
    # Open, nobody is added to it: its raters were chosen when it started.
    assert "Add a rater without email" not in text_of(client.get(detail_url))
    cycles.close_cycle(cycle=pulse.cycle, by=None)
    cycles.release_cycle(cycle=pulse.cycle, by=None)
    client.force_login(hr_admin)
    page = text_of(client.get(reverse("hr:cycle_detail", args=[pulse.cycle_id])))
    assert "Cohort report" not in page and "Reports as PDFs" not in page
    assert client.get(reverse("reports:cohort", args=[pulse.cycle_id])).status_code == 404
    assert "Individual report" not in text_of(client.get(detail_url))


def test_the_reminders_of_a_pulse_offer_no_self_assessment(client, cohort, hr_admin):
    pulse = start(Participant.objects.filter(cycle=cohort).order_by("person__full_name")[0])
    client.force_login(hr_admin)
    page = text_of(client.get(reverse("hr:cycle_remind", args=[pulse.cycle_id])))
    assert "Everyone who has not answered" in page and "One rater group" in page
    assert "Participants who have not done their self-assessment" not in page
    assert "Peer" in page and "Self" not in page.split("Choose a group…")[1].split("Org unit")[0]
