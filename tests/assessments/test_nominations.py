"""The nomination rules: limits, refusals, sending, and the supervisor's approval."""

import pytest
from django.core import mail

from assessments.answering import nominations
from assessments.errors import DomainError
from assessments.models import Cycle, Rater, RaterGroup
from assessments.running import cycles
from tests.assessments.helpers import nominate
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db

SITE_URL = "https://compass.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def links_in(message):
    return [word for word in message.body.split() if word.startswith(f"{SITE_URL}/r/")]


# Nominating


def test_nominating_a_peer_within_limits_records_them_not_yet_invited(participant):
    rater = nominations.nominate_rater(
        participant=participant, name="  Ana Peer ", email=" Ana.Peer@Example.org ", group="peer"
    )
    assert (rater.name, rater.email, rater.group) == ("Ana Peer", "ana.peer@example.org", "peer")
    assert rater.status == Rater.Status.NOMINATED
    assert rater.approval == Rater.Approval.NOT_NEEDED
    assert rater.token_hash is None


def test_nominating_up_to_the_maximum_of_each_group_is_accepted(participant):
    nominate(participant, 8, RaterGroup.PEER, "peer")
    nominate(participant, 8, RaterGroup.DIRECT_REPORT, "report")
    nominate(participant, 5, RaterGroup.PARTNER, "partner")
    assert nominations.group_counts(participant) == {
        RaterGroup.PEER: 8,
        RaterGroup.DIRECT_REPORT: 8,
        RaterGroup.PARTNER: 5,
    }


def test_nominating_oneself_is_refused_next_to_the_email_field(participant):
    with pytest.raises(DomainError) as error:
        nominations.nominate_rater(
            participant=participant, name="Me", email="Lucia.Ortega@EXAMPLE.org", group="peer"
        )
    assert error.value.field == "email"
    assert "cannot nominate yourself" in error.value.message
    assert not participant.raters.filter(group=RaterGroup.PEER).exists()


def test_nominating_the_same_person_twice_is_refused_whatever_the_case(participant):
    nominate(participant, 1)
    with pytest.raises(DomainError) as error:
        nominations.nominate_rater(
            participant=participant, name="Again", email="PEER0@example.ORG", group="partner"
        )
    assert error.value.field == "email"
    assert "already one of your raters" in error.value.message


def test_nominating_the_supervisor_again_as_a_peer_is_refused(participant):
    with pytest.raises(DomainError) as error:
        nominations.nominate_rater(
            participant=participant, name="Sam", email="Samuel.Okoro@example.org", group="peer"
        )
    assert error.value.field == "email"


def test_nominating_above_the_maximum_is_refused_next_to_the_group(participant):
    nominate(participant, 5, RaterGroup.PARTNER, "partner")
    with pytest.raises(DomainError) as error:
        nominate(participant, 1, RaterGroup.PARTNER, "one-more")
    assert error.value.field == "group"
    assert "(5)" in error.value.message


def test_rejected_and_declined_raters_do_not_count_towards_the_maximum(participant):
    rejected, declined, *_ = nominate(participant, 5, RaterGroup.PARTNER, "partner")
    Rater.objects.filter(pk=rejected.pk).update(approval=Rater.Approval.REJECTED)
    Rater.objects.filter(pk=declined.pk).update(status=Rater.Status.DECLINED)
    nominate(participant, 2, RaterGroup.PARTNER, "replacement")
    assert nominations.group_counts(participant)[RaterGroup.PARTNER] == 5


@pytest.mark.parametrize("group", ["self", "supervisor", "friends"])
def test_only_peers_direct_reports_and_partners_can_be_nominated(participant, group):
    with pytest.raises(DomainError) as error:
        nominations.nominate_rater(
            participant=participant, name="X", email="x@example.org", group=group
        )
    assert error.value.field == "group"
    assert participant.raters.count() == 2  # self and supervisor, as enrolled


@pytest.mark.parametrize("state", [Cycle.State.CLOSED, Cycle.State.RELEASED])
def test_nominations_cannot_change_once_the_cycle_is_closed(participant, state):
    Cycle.objects.filter(pk=participant.cycle_id).update(state=state)
    with pytest.raises(DomainError, match="closed"):
        nominate(participant, 1)


# Removing


def test_removing_a_rater_not_yet_invited_deletes_them(participant):
    (rater,) = nominate(participant, 1)
    nominations.remove_nomination(rater=rater)
    assert not Rater.objects.filter(pk=rater.pk).exists()


@pytest.mark.parametrize("status", [Rater.Status.STARTED, Rater.Status.SUBMITTED])
def test_removing_a_rater_who_started_is_refused_alike_and_points_to_hr(participant, status):
    # Issue 16 lets the leader withdraw a nominee who has not started (this test used to
    # refuse any invited rater); started and submitted get the same words, so the leader
    # never learns which of the two it was.
    rater = RaterFactory(participant=participant, name="Ines Invited", status=status)
    with pytest.raises(DomainError) as error:
        nominations.remove_nomination(rater=rater)
    assert error.value.message == (
        "Ines Invited can no longer be changed here. Ask HR to replace or remove them."
    )
    assert Rater.objects.filter(pk=rater.pk).exists()


def sent_and_invited(participant, django_capture_on_commit_callbacks, n=4):
    raters = nominate(participant, n)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=participant)
    for rater in raters:
        rater.refresh_from_db()
        assert rater.status == Rater.Status.INVITED
    return raters


def test_an_invited_nominee_who_has_not_started_is_withdrawn_with_an_audit_record(
    participant, leader, django_capture_on_commit_callbacks
):
    from assessments.answering.tokens import find_rater
    from assessments.models import AuditEvent

    raters = sent_and_invited(participant, django_capture_on_commit_callbacks)
    (link,) = [w for m in mail.outbox if raters[0].email in m.to for w in links_in(m)]
    token = link.rstrip("/").split("/")[-1]
    assert find_rater(token, Rater.objects.all()) == raters[0]

    nominations.remove_nomination(rater=raters[0], by=leader)
    assert not Rater.objects.filter(pk=raters[0].pk).exists()
    assert find_rater(token, Rater.objects.all()) is None  # the old link is retired
    event = AuditEvent.objects.get(action="withdraw_nomination")
    assert event.actor == leader and "Peer 0 <peer0@example.org>" in event.detail


def test_withdrawing_below_the_fewest_allowed_is_refused_once_sent(
    participant, leader, django_capture_on_commit_callbacks
):
    raters = sent_and_invited(participant, django_capture_on_commit_callbacks, n=3)
    with pytest.raises(DomainError, match="Peers need at least 3 raters: replace Peer 0"):
        nominations.remove_nomination(rater=raters[0], by=leader)
    assert Rater.objects.filter(pk=raters[0].pk).exists()


def test_replacing_a_mistyped_nominee_invites_the_new_one_and_retires_the_old_link(
    participant, leader, django_capture_on_commit_callbacks
):
    from assessments.models import AuditEvent

    raters = sent_and_invited(participant, django_capture_on_commit_callbacks, n=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = nominations.replace_nomination(
            rater=raters[1], name="Peer One", email="Peer1@Example.org ", by=leader
        )
    new.refresh_from_db()
    assert (new.group, new.email, new.status) == ("peer", "peer1@example.org", "invited")
    assert not Rater.objects.filter(pk=raters[1].pk).exists()
    assert [m.to for m in mail.outbox] == [["peer1@example.org"]]
    event = AuditEvent.objects.get(action="replace_nomination")
    assert "Peer 1 <peer1@example.org>" in event.detail
    assert "replaced by Peer One <peer1@example.org>" in event.detail
    assert event.actor == leader


def test_a_replacement_is_checked_like_a_nomination(participant, leader):
    raters = nominate(participant, 2)
    with pytest.raises(DomainError, match="already one of your raters"):
        nominations.replace_nomination(rater=raters[0], name="X", email=raters[1].email, by=leader)
    with pytest.raises(DomainError, match="cannot nominate yourself"):
        nominations.replace_nomination(rater=raters[0], name="X", email=leader.email, by=leader)
    started = RaterFactory(participant=participant, status=Rater.Status.STARTED)
    with pytest.raises(DomainError, match="can no longer be changed here"):
        nominations.replace_nomination(rater=started, name="X", email="x@example.org", by=leader)


def test_a_replacement_needs_the_supervisors_approval_where_the_cycle_asks(
    approval_participant, leader, supervisor, django_capture_on_commit_callbacks
):
    raters = nominate(approval_participant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=approval_participant)
    Rater.objects.filter(pk__in=[r.pk for r in raters]).update(approval="approved")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = nominations.replace_nomination(
            rater=raters[0], name="Peer Zero", email="zero@example.org", by=leader
        )
    new.refresh_from_db()
    assert (new.approval, new.status) == ("pending", "nominated")
    assert [m.to for m in mail.outbox] == [[supervisor.email]]


@pytest.mark.parametrize("group", [RaterGroup.SELF, RaterGroup.SUPERVISOR])
def test_the_self_and_supervisor_raters_cannot_be_removed(participant, group):
    with pytest.raises(DomainError):
        nominations.remove_nomination(rater=participant.raters.get(group=group))


# Sending: the fewest allowed is checked here


def test_sending_with_too_few_peers_is_refused_with_a_clear_message(participant):
    nominate(participant, 2)
    with pytest.raises(DomainError) as error:
        nominations.submit_nominations(participant=participant)
    assert "Peers: nominate at least 3 (you have 2)." in error.value.message
    participant.refresh_from_db()
    assert participant.nominations_submitted_at is None


def test_sending_with_no_direct_reports_is_allowed(participant, django_capture_on_commit_callbacks):
    nominate(participant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=participant)
    participant.refresh_from_db()
    assert participant.nominations_submitted_at is not None


@pytest.mark.parametrize("n", [1, 2])
def test_sending_with_one_or_two_direct_reports_is_refused(participant, n):
    nominate(participant, 3)
    nominate(participant, n, RaterGroup.DIRECT_REPORT, "report")
    with pytest.raises(DomainError, match="nominate none"):
        nominations.submit_nominations(participant=participant)


def test_sending_without_approval_invites_each_rater_with_a_personal_link(
    participant, django_capture_on_commit_callbacks
):
    raters = nominate(participant, 3) + nominate(participant, 1, RaterGroup.PARTNER, "partner")
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=participant)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in raters)
    for message in mail.outbox:
        assert len(links_in(message)) == 1
        assert "Lucía Ortega" in message.subject
    assert len({links_in(m)[0] for m in mail.outbox}) == 4
    statuses = set(participant.raters.filter(group="peer").values_list("status", flat=True))
    assert statuses == {Rater.Status.INVITED}


def test_a_rater_added_after_sending_is_invited_at_once(
    participant, django_capture_on_commit_callbacks
):
    nominate(participant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=participant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        nominate(participant, 1, RaterGroup.PARTNER, "late")
    assert [m.to for m in mail.outbox] == [["late0@example.org"]]


def test_sending_in_a_draft_cycle_invites_raters_only_when_it_opens(
    compass, leader, supervisor, django_capture_on_commit_callbacks
):
    participant = make_participant(
        CycleFactory(state=Cycle.State.DRAFT), person=leader, supervisor=supervisor
    )
    nominate(participant, 3)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=participant)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        cycles.open_cycle(cycle=participant.cycle, by=UserFactory())
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        ["lucia.ortega@example.org", "samuel.okoro@example.org"]
        + [f"peer{i}@example.org" for i in range(3)]
    )


# Approval by the supervisor


def test_with_approval_required_the_supervisor_is_asked_and_nobody_is_invited(
    approval_participant, django_capture_on_commit_callbacks
):
    raters = nominate(approval_participant, 3)
    assert {r.approval for r in raters} == {Rater.Approval.PENDING}
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=approval_participant)
    assert [m.to for m in mail.outbox] == [["samuel.okoro@example.org"]]
    assert f"{SITE_URL}/me/{approval_participant.pk}/approvals/" in mail.outbox[0].body
    assert not approval_participant.raters.filter(status=Rater.Status.INVITED).exists()


def test_approved_raters_are_invited_and_rejected_ones_never(
    approval_participant, supervisor, django_capture_on_commit_callbacks
):
    first, second, third, fourth = nominate(approval_participant, 4)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.submit_nominations(participant=approval_participant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        nominations.decide_nominations(
            participant=approval_participant,
            supervisor=supervisor,
            approved_ids=[first.pk, second.pk],
            rejected_ids=[third.pk],
        )
    assert sorted(m.to[0] for m in mail.outbox) == [first.email, second.email]
    approvals = dict(approval_participant.raters.values_list("pk", "approval"))
    assert approvals[third.pk] == Rater.Approval.REJECTED
    assert approvals[fourth.pk] == Rater.Approval.PENDING

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        nominations.decide_nominations(
            participant=approval_participant,
            supervisor=supervisor,
            approved_ids=[third.pk, fourth.pk],
            rejected_ids=[],
        )
    assert [m.to for m in mail.outbox] == [[fourth.email]]
    third.refresh_from_db()
    assert (third.approval, third.status) == (Rater.Approval.REJECTED, Rater.Status.NOMINATED)


def test_only_the_supervisor_can_decide_on_nominations(approval_participant, leader):
    (rater,) = nominate(approval_participant, 1)
    with pytest.raises(DomainError):
        nominations.decide_nominations(
            participant=approval_participant,
            supervisor=leader,
            approved_ids=[rater.pk],
            rejected_ids=[],
        )
    rater.refresh_from_db()
    assert rater.approval == Rater.Approval.PENDING
