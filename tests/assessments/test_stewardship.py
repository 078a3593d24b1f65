from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Comment, Rater, RaterGroup, User
from assessments.reporting import reports
from tests.assessments.helpers import fast_submit, submit_all
from tests.factories import RaterFactory, make_participant

pytestmark = pytest.mark.django_db


def _numbers(report):
    return [
        (s.row.others.mean, s.row.others.n, tuple(c.mean for c in s.row.units.values()))
        for s in report.sections
    ]


@pytest.fixture
def participant(compass):
    participant = make_participant()
    for _ in range(3):
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), "4")
    talkative = RaterFactory(
        participant=participant, group=RaterGroup.PEER, email="talk@partner.example.net"
    )
    submit_all(talkative, "2", comments={1: {"strength": "Always makes time for us."}})
    return participant


def test_erasing_a_rater_removes_their_name_email_and_comments_but_not_the_numbers(participant):
    before = reports.individual_report(participant)
    call_command("erase_person", "TALK@partner.example.net", "--confirm", stdout=StringIO())
    after = reports.individual_report(participant)
    assert _numbers(after) == _numbers(before)
    assert not Comment.objects.exists()
    assert not Rater.objects.filter(email__icontains="talk").exists()


def test_erasing_a_leader_erases_their_account_and_self_rater(participant):
    email = participant.person.email
    call_command("erase_person", email, "--confirm", stdout=StringIO())
    person = User.objects.get(pk=participant.person_id)
    assert person.full_name == "Erased person"
    assert email not in person.email
    assert not person.is_active and not person.has_usable_password()
    assert not Rater.objects.filter(email__iexact=email).exists()


def test_without_confirm_nothing_changes(participant):
    out = StringIO()
    call_command("erase_person", "talk@partner.example.net", stdout=out)
    assert "Nothing was changed" in out.getvalue()
    assert Comment.objects.count() == 1


def test_unknown_or_malformed_addresses_fail_clearly(participant):
    with pytest.raises(CommandError, match="Nobody"):
        call_command("erase_person", "ghost@example.org", "--confirm")
    with pytest.raises(CommandError, match="not an email"):
        call_command("erase_person", "ghost", "--confirm")


def test_retention_erases_rater_identities_of_old_released_cycles_and_keeps_numbers(participant):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Cycle

    before = reports.individual_report(participant)
    Cycle.objects.filter(pk=participant.cycle_id).update(
        state=Cycle.State.RELEASED, released_at=timezone.now() - timedelta(days=400)
    )
    out = StringIO()
    call_command("apply_retention", "--days", "365", stdout=out)
    assert "Erased the identity of" in out.getvalue()
    assert not Rater.objects.filter(email__icontains="partner.example.net").exists()
    assert _numbers(reports.individual_report(participant)) == _numbers(before)
    again = StringIO()
    call_command("apply_retention", "--days", "365", stdout=again)
    assert "of 0 raters" in again.getvalue()


def test_retention_leaves_recent_cycles_alone(participant):
    from django.utils import timezone

    from assessments.models import Cycle

    Cycle.objects.filter(pk=participant.cycle_id).update(
        state=Cycle.State.RELEASED, released_at=timezone.now()
    )
    call_command("apply_retention", "--days", "365", stdout=StringIO())
    assert Rater.objects.filter(email__icontains="partner.example.net").count() == 4
