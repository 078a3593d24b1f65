"""Home's "Feedback requested from you": a signed-in person sees every leader who asked for
their feedback, with group, status and close date, and answers from there without the email."""

import datetime

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from assessments import access
from assessments.answering.questionnaire import build_questionnaire
from assessments.models import Cycle, Rater, RaterGroup
from tests.assessments.helpers import section_post
from tests.factories import (
    CycleFactory,
    RaterFactory,
    UserFactory,
    make_participant,
    self_rater,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer(db):
    return UserFactory(email="ana.peer@example.org", full_name="Ana Peer")


def asked(peer, leader_name, *, status=Rater.Status.INVITED, group=RaterGroup.PEER, days=21):
    cycle = CycleFactory(closes_on=datetime.date.today() + datetime.timedelta(days=days))
    participant = make_participant(cycle, person=UserFactory(full_name=leader_name))
    return RaterFactory(
        participant=participant, group=group, email="Ana.Peer@example.org", status=status
    )


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_home_lists_each_leader_with_group_status_and_close_date(client, compass, peer):
    first = asked(peer, "Wei Zhang", days=7)
    second = asked(peer, "Lucía Ortega", status=Rater.Status.STARTED, group=RaterGroup.PARTNER)
    page = home(client, peer)
    table = page[page.index("Feedback requested from you") :]
    assert table.index("Wei Zhang") < table.index("Lucía Ortega")  # soonest close first
    assert "Peers" in table and "Partners" in table
    assert "Not started" in table and "Started" in table
    assert date_format(first.participant.cycle.closes_on) in table
    for rater in (first, second):
        assert reverse("my360:feedback_start", args=[rater.pk]) in table


def test_requests_not_yet_sent_closed_cycles_and_the_self_assessment_are_not_listed(
    client, compass, peer
):
    asked(peer, "Not invited yet", status=Rater.Status.NOMINATED)
    closed = asked(peer, "Closed cycle")
    Cycle.objects.filter(pk=closed.participant.cycle_id).update(state=Cycle.State.CLOSED)
    make_participant(CycleFactory(), person=peer)  # peer's own self-assessment
    assert access.feedback_requests(peer) == []
    assert "Feedback requested from you" not in home(client, peer)


def test_a_supervisor_linked_by_account_sees_the_request(client, compass):
    boss = UserFactory(email="boss@example.org")
    participant = make_participant(CycleFactory(), supervisor=boss)
    rater = participant.raters.get(group=RaterGroup.SUPERVISOR)
    Rater.objects.filter(pk=rater.pk).update(status=Rater.Status.INVITED)
    assert [r.pk for r in access.feedback_requests(boss)] == [rater.pk]


def test_the_rater_answers_and_submits_signed_in_without_the_link(client, compass, peer):
    rater = asked(peer, "Wei Zhang")
    client.force_login(peer)
    start = client.get(reverse("my360:feedback_start", args=[rater.pk]))
    assert start.status_code == 200
    assert "Wei Zhang" in start.content.decode()
    questionnaire = build_questionnaire(rater.participant.level)
    for section in questionnaire.sections:
        response = client.post(
            reverse("my360:feedback_section", args=[rater.pk, section.number]),
            section_post(section, "4"),
        )
        assert response.status_code == 302
    response = client.post(reverse("my360:feedback_review", args=[rater.pk]))
    assert response.status_code == 302
    assert response.url == reverse("my360:feedback_thanks", args=[rater.pk])
    rater.refresh_from_db()
    assert rater.status == Rater.Status.SUBMITTED
    assert "Submitted" in home(client, peer)


def test_someone_else_cannot_open_a_request_by_its_id(client, compass, peer, outsider):
    rater = asked(peer, "Wei Zhang")
    client.force_login(outsider)
    assert client.get(reverse("my360:feedback_start", args=[rater.pk])).status_code == 404
    leader = rater.participant.person  # not even the leader who asked
    client.force_login(leader)
    assert client.get(reverse("my360:feedback_start", args=[rater.pk])).status_code == 404
    own = self_rater(rater.participant)
    assert client.get(reverse("my360:feedback_start", args=[own.pk])).status_code == 404


@pytest.mark.parametrize("n", [1, 6])
def test_home_lists_requests_in_constant_queries(
    client, compass, peer, django_assert_max_num_queries, n
):
    for i in range(n):
        asked(peer, f"Leader {i}")
    client.force_login(peer)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("home")).content.decode()
    assert page.count("/me/feedback/") == n
