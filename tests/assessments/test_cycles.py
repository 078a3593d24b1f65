"""Cycle states move only forward; re-opening before release needs a reason."""

import pytest
from django.core import mail
from django.db import IntegrityError

from assessments.errors import DomainError
from assessments.models import AuditEvent, Cycle, Participant, Rater, RaterGroup
from assessments.running import cycles
from tests.factories import CycleFactory, UserFactory, level, make_participant

pytestmark = pytest.mark.django_db


def test_a_participant_comes_with_a_self_rater_and_a_supervisor_rater(compass):
    boss = UserFactory(full_name="Bea Boss")
    participant = make_participant(CycleFactory(state=Cycle.State.DRAFT), supervisor=boss)
    raters = {r.group: r for r in participant.raters.all()}
    assert set(raters) == {RaterGroup.SELF, RaterGroup.SUPERVISOR}
    assert raters[RaterGroup.SELF].email == participant.person.email
    assert raters[RaterGroup.SUPERVISOR].name == "Bea Boss"


def test_nobody_is_their_own_supervisor(compass):
    person = UserFactory()
    with pytest.raises(DomainError):
        make_participant(person=person, supervisor=person)
    assert not Participant.objects.exists()


def test_the_database_refuses_a_second_self_or_supervisor_rater(compass):
    participant = make_participant()
    with pytest.raises(IntegrityError):
        Rater.objects.create(
            participant=participant, group=RaterGroup.SELF, name="x", email="x@x.org"
        )


def test_the_database_refuses_the_same_rater_twice_for_a_participant(compass):
    participant = make_participant()
    Rater.objects.create(participant=participant, group="peer", name="A", email="a@x.org")
    with pytest.raises(IntegrityError):
        Rater.objects.create(participant=participant, group="partner", name="A", email="A@X.org")


def test_the_database_refuses_k_below_three(compass):
    with pytest.raises(IntegrityError):
        CycleFactory(anonymity_threshold=2)


def test_opening_invites_participants_and_supervisors_in_the_background(
    compass, hr_admin, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    for _ in range(3):
        make_participant(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.open_cycle(cycle=cycle, by=hr_admin)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN
    assert len(mail.outbox) == 6  # three self-assessments, three supervisors
    assert Rater.objects.filter(status=Rater.Status.INVITED).count() == 6
    assert all(r.token_hash for r in Rater.objects.all())
    assert AuditEvent.objects.get().action == "open"


def test_opening_twice_is_refused_and_sends_nothing_more(
    compass, hr_admin, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    make_participant(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.open_cycle(cycle=cycle, by=hr_admin)
    with pytest.raises(DomainError):
        cycles.open_cycle(cycle=cycle, by=hr_admin)
    assert len(mail.outbox) == 2


def test_an_empty_cycle_cannot_open(compass, hr_admin):
    with pytest.raises(DomainError, match="participants"):
        cycles.open_cycle(cycle=CycleFactory(state=Cycle.State.DRAFT), by=hr_admin)


def test_states_move_forward_and_reopen_needs_a_reason(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    cycles.close_cycle(cycle=cycle, by=hr_admin)
    with pytest.raises(DomainError):
        cycles.reopen_cycle(cycle=cycle, by=hr_admin, reason="  ")
    cycles.reopen_cycle(cycle=cycle, by=hr_admin, reason="Two field offices lost connectivity.")
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN
    cycles.close_cycle(cycle=cycle, by=hr_admin)
    cycles.release_cycle(cycle=cycle, by=hr_admin)
    with pytest.raises(DomainError):
        cycles.reopen_cycle(cycle=cycle, by=hr_admin, reason="too late")
    with pytest.raises(DomainError):
        cycles.close_cycle(cycle=cycle, by=hr_admin)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "reason"))
    assert actions == [
        ("close", ""),
        ("reopen", "Two field offices lost connectivity."),
        ("close", ""),
        ("release", ""),
    ]


def test_release_only_after_close(compass, hr_admin):
    with pytest.raises(DomainError):
        cycles.release_cycle(cycle=CycleFactory(state=Cycle.State.OPEN), by=hr_admin)


def test_participants_cannot_join_a_closed_cycle(compass):
    cycle = CycleFactory(state=Cycle.State.CLOSED)
    with pytest.raises(DomainError):
        cycles.add_participant(cycle=cycle, person=UserFactory(), level=level())
