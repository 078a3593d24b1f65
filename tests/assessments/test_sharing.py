"""Sharing an individual report with the supervisor: the leader's choice, after release."""

import pytest

from assessments.errors import DomainError
from assessments.models import AuditEvent, Cycle
from assessments.reporting import sharing, tallies
from tests.factories import make_participant

pytestmark = pytest.mark.django_db


def released(participant):
    Cycle.objects.filter(pk=participant.cycle_id).update(state=Cycle.State.RELEASED)
    tallies.freeze(participant.cycle)  # as release_cycle does
    participant.cycle.refresh_from_db()
    return participant


@pytest.fixture
def participant(compass):
    return released(make_participant())


def test_sharing_and_unsharing_flip_the_flag(participant):
    sharing.share_report(participant=participant, shared=True)
    participant.refresh_from_db()
    assert participant.shared_with_supervisor

    sharing.share_report(participant=participant, shared=False)
    participant.refresh_from_db()
    assert not participant.shared_with_supervisor


def test_each_change_is_recorded_in_the_cycles_trail(participant):
    sharing.share_report(participant=participant, shared=True)
    sharing.share_report(participant=participant, shared=False)
    actions = list(
        AuditEvent.objects.filter(cycle=participant.cycle)
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [
        ("report_shared", participant.person_id),
        ("report_unshared", participant.person_id),
    ]


def test_asking_for_the_current_state_changes_and_records_nothing(participant):
    sharing.share_report(participant=participant, shared=True)
    sharing.share_report(participant=participant, shared=True)
    assert AuditEvent.objects.filter(cycle=participant.cycle).count() == 1


@pytest.mark.parametrize("state", [Cycle.State.DRAFT, Cycle.State.OPEN, Cycle.State.CLOSED])
def test_a_report_that_is_not_released_cannot_be_shared(compass, state):
    participant = make_participant()
    Cycle.objects.filter(pk=participant.cycle_id).update(state=state)
    with pytest.raises(DomainError, match="once it is released"):
        sharing.share_report(participant=participant, shared=True)
    participant.refresh_from_db()
    assert not participant.shared_with_supervisor
    assert not AuditEvent.objects.filter(cycle=participant.cycle).exists()


def test_without_a_supervisor_there_is_no_one_to_share_with(compass):
    participant = released(make_participant(supervisor=False))
    with pytest.raises(DomainError, match="No supervisor"):
        sharing.share_report(participant=participant, shared=True)
    participant.refresh_from_db()
    assert not participant.shared_with_supervisor


def test_the_returned_participant_is_the_fresh_row(participant):
    stale = participant
    updated = sharing.share_report(participant=stale, shared=True)
    assert updated.shared_with_supervisor
    assert updated.pk == stale.pk
