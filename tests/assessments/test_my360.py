"""The leader's pages: home, My 360, nominating, removing, sending, and the approvals page."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments.answering import nominations
from assessments.models import Cycle, Rater, RaterGroup
from tests.assessments.helpers import nominate
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def my360(participant):
    return reverse("my360:participation", args=[participant.pk])


def post_nomination(client, participant, **data):
    return client.post(reverse("my360:nominate", args=[participant.pk]), data)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# Who may see what


def leader_urls(participant):
    return {
        "participation": ("get", reverse("my360:participation", args=[participant.pk])),
        "nominate": ("post", reverse("my360:nominate", args=[participant.pk])),
        "submit": ("post", reverse("my360:submit_nominations", args=[participant.pk])),
        "remove": (
            "post",
            reverse(
                "my360:remove_nomination",
                args=[participant.pk, participant.raters.get(group="supervisor").pk],
            ),
        ),
    }


def all_urls(participant):
    return {
        **leader_urls(participant),
        "approvals": ("get", reverse("my360:approvals", args=[participant.pk])),
        "decide": ("post", reverse("my360:approvals", args=[participant.pk])),
    }


@pytest.mark.parametrize(
    "name", ["participation", "nominate", "submit", "remove", "approvals", "decide"]
)
def test_every_page_asks_visitors_to_sign_in(client, participant, name):
    method, url = all_urls(participant)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ["home", "my360:index"])
def test_home_pages_ask_visitors_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["participation", "nominate", "submit", "remove", "approvals", "decide"]
)
def test_another_leader_gets_404_on_every_page(client, participant, name):
    make_participant(participant.cycle)  # another leader, in the same cycle
    other = participant.cycle.participants.exclude(pk=participant.pk).get().person
    client.force_login(other)
    method, url = all_urls(participant)[name]
    assert getattr(client, method)(url).status_code == 404
    assert participant.raters.count() == 2


@pytest.mark.parametrize("name", ["participation", "nominate", "submit", "remove"])
def test_the_supervisor_gets_404_on_the_leaders_own_pages(as_supervisor, participant, name):
    method, url = leader_urls(participant)[name]
    assert getattr(as_supervisor, method)(url).status_code == 404
    participant.refresh_from_db()
    assert participant.nominations_submitted_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_leader_gets_404_on_their_approvals_page(as_leader, approval_participant, method):
    (rater,) = nominate(approval_participant, 1)
    url = reverse("my360:approvals", args=[approval_participant.pk])
    response = getattr(as_leader, method)(url, {f"rater_{rater.pk}": "approve"})
    assert response.status_code == 404
    rater.refresh_from_db()
    assert rater.approval == Rater.Approval.PENDING


@pytest.mark.parametrize("name", ["nominate", "submit", "remove"])
def test_actions_accept_only_post(as_leader, participant, name):
    _, url = leader_urls(participant)[name]
    assert as_leader.get(url).status_code == 405


def test_removing_a_rater_of_another_leader_is_404(as_leader, participant):
    (stranger,) = nominate(make_participant(participant.cycle), 1)
    url = reverse("my360:remove_nomination", args=[participant.pk, stranger.pk])
    assert as_leader.post(url).status_code == 404
    assert Rater.objects.filter(pk=stranger.pk).exists()


# Home


def test_index_sends_to_home(as_leader):
    response = as_leader.get(reverse("my360:index"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_home_lists_my_participations_with_their_state_and_keeps_the_compass(
    as_leader, participant
):
    response = as_leader.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert participant.cycle.name in body
    assert my360(participant) in body
    assert "Open" in body
    assert reverse("compass:matrix") in body


def test_home_shows_my_team_with_nominations_awaiting_approval(
    as_supervisor, approval_participant, django_capture_on_commit_callbacks
):
    nominate(approval_participant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=approval_participant)
    response = as_supervisor.get(reverse("home"))
    body = response.content.decode()
    assert "Your team" in body
    assert "Lucía Ortega" in body
    assert "3 nominations await your approval" in body
    assert reverse("my360:approvals", args=[approval_participant.pk]) in body


def test_home_leaves_out_team_members_of_closed_cycles(as_supervisor, compass, supervisor):
    cycle = CycleFactory()
    make_participant(cycle, supervisor=supervisor)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
    assert "Your team" not in as_supervisor.get(reverse("home")).content.decode()


def test_home_runs_in_constant_queries_whatever_the_team_size(
    client, compass, django_assert_max_num_queries
):
    def home_queries(team_size):
        boss = UserFactory()
        cycle = CycleFactory(supervisor_approval_required=True)
        for _ in range(team_size):
            nominate(make_participant(cycle, supervisor=boss), 2)
        make_participant(cycle, person=boss)
        client.force_login(boss)
        # 9: one more than before for "Feedback requested from you", whatever its length.
        with django_assert_max_num_queries(9):
            assert client.get(reverse("home")).status_code == 200

    home_queries(1)
    home_queries(6)


def test_home_escapes_a_hostile_team_member_name(as_supervisor, compass, supervisor):
    make_participant(person=UserFactory(full_name=HOSTILE), supervisor=supervisor)
    body = as_supervisor.get(reverse("home")).content.decode()
    assert HOSTILE not in body
    assert ESCAPED in body


# My 360


def test_my_360_shows_each_group_with_limits_and_the_self_assessment_link(as_leader, participant):
    nominate(participant, 2)
    response = as_leader.get(my360(participant))
    body = response.content.decode()
    assert response.status_code == 200
    assert participant.cycle.name in body
    assert reverse("my360:self_start", args=[participant.pk]) in body
    for label in ["Self", "Supervisor", "Peers", "Direct reports", "Partners"]:
        assert label in body
    assert "Samuel Okoro" in body and "samuel.okoro@example.org" in body
    assert "You have 2; nominate 3 to 8." in body
    assert "You have 0; nominate none, or 3 to 8." in body
    assert "You have 0; nominate up to 5." in body
    assert "Peers: nominate at least 3 (you have 2)." in body
    assert "Not invited yet" in body
    assert body.count(">Remove<") == 2
    assert reverse("my360:nominate", args=[participant.pk]) in body
    assert reverse("my360:submit_nominations", args=[participant.pk]) in body


def test_my_360_explains_that_nominations_go_to_the_supervisor_first(
    as_leader, approval_participant
):
    body = as_leader.get(my360(approval_participant)).content.decode()
    assert "go first to your supervisor, <bdi>Samuel Okoro</bdi>, for approval" in body


def test_my_360_does_not_tell_which_anonymous_rater_answered(as_leader, participant):
    RaterFactory(participant=participant, name="Paula Peer", status=Rater.Status.SUBMITTED)
    RaterFactory(participant=participant, name="Pedro Peer", status=Rater.Status.INVITED)
    response = as_leader.get(my360(participant))
    peers = next(g for g in response.context["groups"] if g["value"] == "peer")
    assert {row["status_label"] for row in peers["rows"]} == {"Invited"}
    assert "1 has answered." in response.content.decode()


@pytest.mark.parametrize("state", [Cycle.State.CLOSED, Cycle.State.RELEASED])
def test_my_360_of_a_closed_cycle_shows_status_without_forms(as_leader, participant, state):
    nominate(participant, 1)
    Cycle.objects.filter(pk=participant.cycle_id).update(state=state)
    body = as_leader.get(my360(participant)).content.decode()
    assert "Peer 0" in body
    assert "nominations can no longer change" in body
    assert "<form" not in body.split('id="main"', 1)[1]


@pytest.mark.parametrize("n_peers", [3, 15])
def test_my_360_runs_in_constant_queries_whatever_the_number_of_raters(
    as_leader, compass, leader, django_assert_max_num_queries, n_peers
):
    participant = make_participant(
        CycleFactory(max_peers=20, supervisor_approval_required=True), person=leader
    )
    nominate(participant, n_peers)
    with django_assert_max_num_queries(5):
        assert as_leader.get(my360(participant)).status_code == 200


def test_my_360_escapes_hostile_names(as_leader, participant):
    nominations.nominate_rater(
        participant=participant, name=HOSTILE, email="x@example.org", group="peer"
    )
    body = as_leader.get(my360(participant)).content.decode()
    assert HOSTILE not in body
    assert ESCAPED in body


# Nominating through the page


def test_nominating_within_limits_adds_the_rater_and_redirects(as_leader, participant):
    response = post_nomination(
        as_leader, participant, name="Ana Peer", email="Ana.Peer@example.org", group="peer"
    )
    assert response.status_code == 302
    assert response.url == my360(participant)
    rater = participant.raters.get(group="peer")
    assert (rater.name, rater.email, rater.status) == (
        "Ana Peer",
        "ana.peer@example.org",
        "nominated",
    )
    page = as_leader.get(response.url)
    assert "Ana Peer was added to your raters (Peers)." in messages_of(page)


def test_nominating_oneself_is_refused_next_to_the_email_field(as_leader, participant):
    response = post_nomination(
        as_leader, participant, name="Lucía", email="LUCIA.ortega@example.org", group="peer"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "cannot nominate yourself" in form.errors["email"][0]
    body = response.content.decode()
    assert 'value="LUCIA.ortega@example.org"' in body
    assert 'value="Lucía"' in body
    assert "is-invalid" in body
    assert not participant.raters.filter(group="peer").exists()


def test_a_refused_nomination_is_summarised_at_the_top_with_a_link_to_the_field(
    as_leader, participant
):
    response = post_nomination(
        as_leader, participant, name="", email="lucia.ortega@example.org", group="peer"
    )
    body = response.content.decode()
    summary = body[
        body.index("data-error-summary") : body.index("</ul>", body.index("data-error-summary"))
    ]
    assert "There is a problem" in summary
    assert 'href="#id_name"' in summary and "This field is required." in summary
    # The summary comes before the page's content, the form far below it.
    assert body.index("data-error-summary") < body.index("<h1")
    assert body.index("data-error-summary") < body.index('name="email"')
    assert "js/error-summary.js" in body
    # The field is invalid and described by its message.
    assert 'aria-invalid="true"' in body and 'aria-describedby="id_name_error"' in body
    assert 'id="id_name_error"' in body


def test_a_page_without_errors_has_no_summary(as_leader, participant):
    assert "data-error-summary" not in as_leader.get(my360(participant)).content.decode()


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("Samuel.Okoro@example.org", "answers as your supervisor"),
        ("samuel.okoro+peer@example.org", "answers as your supervisor"),
        ("PEER0@EXAMPLE.ORG", "already one of your raters"),
        ("peer0+again@example.org", "already one of your raters"),
    ],
    ids=["supervisor", "supervisor-tagged", "peer", "peer-tagged"],
)
def test_nominating_someone_already_rating_is_refused_next_to_the_email_field(
    as_leader, participant, email, error
):
    nominate(participant, 1)
    response = post_nomination(as_leader, participant, name="Again", email=email, group="partner")
    assert response.status_code == 200
    assert error in response.context["form"].errors["email"][0]
    assert participant.raters.count() == 3


@pytest.mark.parametrize("email", ["lucia.ortega+peer@example.org", "Lucia.Ortega+x+y@EXAMPLE.org"])
def test_nominating_ones_own_mailbox_with_a_tag_is_refused(as_leader, participant, email):
    """A leader who nominates addresses they control defeats any threshold (issue 12)."""
    response = post_nomination(as_leader, participant, name="Me", email=email, group="peer")
    assert response.status_code == 200
    assert "cannot nominate yourself" in response.context["form"].errors["email"][0]
    assert not participant.raters.filter(group="peer").exists()


def test_nominating_over_the_maximum_is_refused_next_to_the_group_field(as_leader, participant):
    nominate(participant, 5, RaterGroup.PARTNER, "partner")
    response = post_nomination(
        as_leader, participant, name="Sixth", email="sixth@example.org", group="partner"
    )
    assert response.status_code == 200
    assert "most raters allowed in this group (5)" in response.context["form"].errors["group"][0]
    assert not participant.raters.filter(email="sixth@example.org").exists()


@pytest.mark.parametrize("group", ["self", "supervisor", ""])
def test_nominating_into_a_group_that_is_not_nominated_is_refused(as_leader, participant, group):
    response = post_nomination(as_leader, participant, name="X", email="x@example.org", group=group)
    assert response.status_code == 200
    assert response.context["form"].errors["group"]
    assert participant.raters.count() == 2


def test_nominating_with_a_malformed_email_keeps_the_typed_values(as_leader, participant):
    response = post_nomination(
        as_leader, participant, name="Ana Peer", email="ana@", group="direct_report"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    body = response.content.decode()
    assert 'value="Ana Peer"' in body
    assert '<option value="direct_report" selected>' in body


def test_nominating_in_a_closed_cycle_is_refused_in_the_page(as_leader, participant):
    Cycle.objects.filter(pk=participant.cycle_id).update(state=Cycle.State.CLOSED)
    response = post_nomination(
        as_leader, participant, name="Late", email="late@example.org", group="peer"
    )
    assert response.status_code == 200
    assert "cycle is closed" in response.context["form"].non_field_errors()[0]
    assert "nominations can no longer change" in response.content.decode()
    assert participant.raters.count() == 2


# Removing through the page


def test_removing_an_uninvited_rater_through_the_page(as_leader, participant):
    (rater,) = nominate(participant, 1)
    url = reverse("my360:remove_nomination", args=[participant.pk, rater.pk])
    response = as_leader.post(url, follow=True)
    assert response.redirect_chain == [(my360(participant), 302)]
    assert "Peer 0 was removed from your raters." in messages_of(response)
    assert not Rater.objects.filter(pk=rater.pk).exists()


def test_removing_a_rater_who_started_through_the_page_is_refused(as_leader, participant):
    # Adapted for issue 16: an invited rater who has not started may now be removed.
    rater = RaterFactory(participant=participant, name="Ines Invited", status="started")
    url = reverse("my360:remove_nomination", args=[participant.pk, rater.pk])
    response = as_leader.post(url, follow=True)
    assert any("Ines Invited can no longer be changed here" in m for m in messages_of(response))
    assert Rater.objects.filter(pk=rater.pk).exists()


def test_replacing_a_nominee_through_the_page(as_leader, participant):
    rater = RaterFactory(participant=participant, name="Amina", email="amina@partner.exmple.net")
    page = as_leader.get(my360(participant)).content.decode()
    target = reverse("my360:replace_nomination", args=[participant.pk, rater.pk])
    assert target in page
    form = as_leader.get(target).content.decode()
    assert 'value="amina@partner.exmple.net"' in form
    response = as_leader.post(
        target, {"name": "Amina Diallo", "email": "amina@partner.example.net"}, follow=True
    )
    assert "Amina was replaced by Amina Diallo." in messages_of(response)
    assert participant.raters.filter(email="amina@partner.example.net").exists()
    assert not Rater.objects.filter(pk=rater.pk).exists()


def test_a_refused_replacement_shows_in_the_summary_and_by_its_field(as_leader, participant):
    rater = RaterFactory(participant=participant, name="Amina")
    response = as_leader.post(
        reverse("my360:replace_nomination", args=[participant.pk, rater.pk]),
        {"name": "Me", "email": "lucia.ortega@example.org"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    summary = body[body.index("data-error-summary") :]
    assert 'href="#id_email"' in summary[:800]
    assert "cannot nominate yourself" in summary[:800]
    assert 'aria-describedby="id_email_error"' in body
    assert Rater.objects.filter(pk=rater.pk).exists()


# Sending through the page


def submit(client, participant):
    url = reverse("my360:submit_nominations", args=[participant.pk])
    return client.post(url, follow=True)


def test_sending_with_too_few_peers_shows_why(as_leader, participant):
    nominate(participant, 2)
    response = submit(as_leader, participant)
    assert any("Peers: nominate at least 3 (you have 2)." in m for m in messages_of(response))
    participant.refresh_from_db()
    assert participant.nominations_submitted_at is None


def test_sending_with_two_direct_reports_shows_why(as_leader, participant):
    nominate(participant, 3)
    nominate(participant, 2, RaterGroup.DIRECT_REPORT, "report")
    response = submit(as_leader, participant)
    assert any("nominate none" in m for m in messages_of(response))


def test_sending_without_approval_invites_each_rater_by_email(
    as_leader, participant, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://compass.example.org"
    nominate(participant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(as_leader, participant)
    assert any("each rater receives an invitation" in m for m in messages_of(response))
    assert sorted(m.to[0] for m in mail.outbox) == [f"peer{i}@example.org" for i in range(3)]
    for message in mail.outbox:
        assert "https://compass.example.org/r/" in message.body
    body = response.content.decode()
    assert "You sent your nominations on" in body
    assert "Raters you add now are invited straight away." in body


def test_sending_with_approval_asks_the_supervisor_and_invites_nobody(
    as_leader, approval_participant, django_capture_on_commit_callbacks
):
    nominate(approval_participant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(as_leader, approval_participant)
    assert any("sent to Samuel Okoro for approval" in m for m in messages_of(response))
    assert [m.to for m in mail.outbox] == [["samuel.okoro@example.org"]]
    assert not approval_participant.raters.filter(status=Rater.Status.INVITED).exists()


# Approvals


@pytest.fixture
def sent_for_approval(approval_participant, django_capture_on_commit_callbacks):
    raters = nominate(approval_participant, 4)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=approval_participant)
    mail.outbox.clear()
    return raters


def approvals_url(participant):
    return reverse("my360:approvals", args=[participant.pk])


def test_the_supervisor_sees_the_nominations_awaiting_approval(
    as_supervisor, approval_participant, sent_for_approval
):
    response = as_supervisor.get(approvals_url(approval_participant))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Raters for <bdi>Lucía Ortega</bdi>" in body
    for rater in sent_for_approval:
        assert rater.name in body
        assert f'name="rater_{rater.pk}" value="approve"' in body
        assert f'name="rater_{rater.pk}" value="reject"' in body


def test_nominations_not_yet_sent_cannot_be_approved(as_supervisor, approval_participant):
    nominate(approval_participant, 1)
    response = as_supervisor.get(approvals_url(approval_participant))
    assert not response.context["form"].rows()
    assert "has not sent these nominations yet" in response.content.decode()


def test_the_supervisor_approves_and_rejects_and_only_approved_raters_are_invited(
    as_supervisor, approval_participant, sent_for_approval, django_capture_on_commit_callbacks
):
    first, second, third, fourth = sent_for_approval
    data = {f"rater_{first.pk}": "approve", f"rater_{second.pk}": "approve"}
    data[f"rater_{third.pk}"] = "reject"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_supervisor.post(approvals_url(approval_participant), data, follow=True)
    assert response.redirect_chain == [(approvals_url(approval_participant), 302)]
    assert any("Approved: 2. Rejected: 1." in m for m in messages_of(response))
    assert sorted(m.to[0] for m in mail.outbox) == [first.email, second.email]
    decided = {r.pk: r.approval for r in response.context["decided"]}
    assert decided == {first.pk: "approved", second.pk: "approved", third.pk: "rejected"}
    assert [rater for rater, _ in response.context["form"].rows()] == [fourth]
    assert f'name="rater_{third.pk}"' not in response.content.decode()


def test_posting_no_decision_changes_nothing(
    as_supervisor, approval_participant, sent_for_approval
):
    response = as_supervisor.post(approvals_url(approval_participant), {}, follow=True)
    assert any("Nothing was decided" in m for m in messages_of(response))
    assert set(approval_participant.raters.values_list("approval", flat=True)) == {
        "pending",
        "not_needed",
    }


def test_a_decision_outside_the_choices_is_refused_next_to_the_rater(
    as_supervisor, approval_participant, sent_for_approval
):
    rater = sent_for_approval[0]
    response = as_supervisor.post(
        approvals_url(approval_participant), {f"rater_{rater.pk}": "maybe"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[f"rater_{rater.pk}"]
    rater.refresh_from_db()
    assert rater.approval == Rater.Approval.PENDING


def test_approve_all_approves_every_rater_shown_except_those_marked_reject(
    as_supervisor, approval_participant, sent_for_approval, django_capture_on_commit_callbacks
):
    first, second, third, fourth = sent_for_approval
    page = as_supervisor.get(approvals_url(approval_participant)).content.decode()
    assert "Approve all 4 (except any marked Reject)" in page
    # A nomination the leader adds while the page is open is not approved unseen.
    late = nominate(approval_participant, 1, group=RaterGroup.PARTNER, prefix="late")[0]
    data = {"approve_all": "1", "shown": [r.pk for r in sent_for_approval]}
    data[f"rater_{second.pk}"] = "reject"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_supervisor.post(approvals_url(approval_participant), data, follow=True)
    assert any("Approved: 3. Rejected: 1." in m for m in messages_of(response))
    approvals = dict(approval_participant.raters.values_list("pk", "approval"))
    assert [approvals[r.pk] for r in sent_for_approval] == [
        "approved",
        "rejected",
        "approved",
        "approved",
    ]
    assert approvals[late.pk] == "pending"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, third.email, fourth.email])


def test_a_refused_decision_is_linked_from_the_summary_to_its_first_radio(
    as_supervisor, approval_participant, sent_for_approval
):
    rater = sent_for_approval[0]
    response = as_supervisor.post(
        approvals_url(approval_participant), {f"rater_{rater.pk}": "maybe"}
    )
    assert f'href="#id_rater_{rater.pk}_0"' in response.content.decode()
    assert f'id="id_rater_{rater.pk}_0"' in response.content.decode()


@pytest.mark.parametrize("n_peers", [3, 15])
def test_approvals_run_in_constant_queries_whatever_the_number_of_raters(
    client,
    compass,
    supervisor,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
    n_peers,
):
    participant = make_participant(
        CycleFactory(max_peers=20, supervisor_approval_required=True), supervisor=supervisor
    )
    raters = nominate(participant, n_peers)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=participant)
    Rater.objects.filter(pk=raters[0].pk).update(approval=Rater.Approval.REJECTED)
    client.force_login(supervisor)
    with django_assert_max_num_queries(4):
        assert client.get(approvals_url(participant)).status_code == 200


def test_approvals_escape_hostile_names(as_supervisor, approval_participant, sent_for_approval):
    Rater.objects.filter(pk=sent_for_approval[0].pk).update(name=HOSTILE)
    body = as_supervisor.get(approvals_url(approval_participant)).content.decode()
    assert HOSTILE not in body
    assert ESCAPED in body


def test_hr_admins_find_their_pages_from_home_and_nobody_else_sees_the_link(
    client, compass, hr_admin, outsider
):
    client.force_login(hr_admin)
    assert reverse("hr:dashboard") in client.get(reverse("home")).content.decode()
    client.force_login(outsider)
    assert reverse("hr:dashboard") not in client.get(reverse("home")).content.decode()
