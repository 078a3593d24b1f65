"""Progress pulses (issue 19): when one may start, whom it asks, what it asks, a whole cohort's,
answering it, and how it closes and releases (running/pulses.py)."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.answering import nominations, responses
from assessments.answering.questionnaire import questionnaire_for
from assessments.errors import DomainError
from assessments.models import (
    ChangeAnswer,
    Cycle,
    FocusArea,
    ItemTally,
    Participant,
    Rater,
    RaterGroup,
)
from assessments.plans import action_plans
from assessments.running import cycles, pulses
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant

from .pulse_helpers import (
    answer_pulse,
    focus_on,
    release,
    released_360,
    section,
    start,
)

pytestmark = pytest.mark.django_db

Status = Rater.Status


@pytest.fixture
def participant(compass, leader, supervisor):
    """Lucía's 360, released 100 days ago; her plan focuses on Funding (two behaviours linked)
    and Communication (none linked)."""
    participant = released_360(person=leader, supervisor=supervisor, peers=4)
    release(participant.cycle)
    participant.refresh_from_db()
    focus_on(participant, "funding", links=2)
    focus_on(participant, "communication", links=0)
    return participant


def today_plus(days):
    return timezone.localdate() + datetime.timedelta(days=days)


# --- when ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after_release", "allowed"),
    [(89, False), (90, True), (120, True), (183, True), (184, False)],
)
def test_a_pulse_starts_three_to_six_months_after_release(participant, days_after_release, allowed):
    released = timezone.localdate(participant.cycle.released_at)
    today = released + datetime.timedelta(days=days_after_release)
    problem = pulses.window_problem(participant.cycle, today=today)
    assert (problem is None) == allowed
    if days_after_release < 90:
        assert "can start from" in problem
    elif not allowed:
        assert "that time has passed" in problem


def test_outside_the_window_the_rule_refuses_with_the_dates(participant):
    Cycle.objects.filter(pk=participant.cycle_id).update(
        released_at=timezone.now() - datetime.timedelta(days=30)
    )
    participant.cycle.refresh_from_db()
    first, _last = pulses.window(participant.cycle)
    with pytest.raises(DomainError, match="three months after") as refused:
        start(participant)
    assert str(first.year) in refused.value.message
    assert not Participant.objects.filter(follows=participant).exists()


def test_a_360_that_is_not_released_has_no_pulse(compass, leader):
    participant = released_360(person=leader)
    assert "released" in pulses.window_problem(participant.cycle)


# --- what it needs --------------------------------------------------------------------------


def test_a_pulse_needs_a_focus_area(participant):
    FocusArea.objects.filter(plan__participant=participant).delete()
    with pytest.raises(DomainError, match="no focus area"):
        start(participant)


def test_a_pulse_starts_once_per_participation(participant):
    start(participant)
    with pytest.raises(DomainError, match="already started"):
        start(participant)
    assert Participant.objects.filter(follows=participant).count() == 1


def test_the_database_refuses_a_second_pulse_of_the_same_participation(participant):
    pulse = start(participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            cycle=pulse.cycle, person=UserFactory(), level=participant.level, follows=participant
        )


def test_fewer_than_k_anonymous_raters_to_ask_cannot_start(compass, leader, supervisor):
    participant = released_360(person=leader, supervisor=supervisor, peers=2)
    release(participant.cycle)
    participant.refresh_from_db()
    focus_on(participant, "funding")
    assert "Fewer than 3 peers" in pulses.start_problem(participant)
    with pytest.raises(DomainError, match="Fewer than 3"):
        start(participant)


def test_the_leader_must_ask_at_least_k_anonymous_raters(participant):
    peers = list(pulses.candidate_raters(participant).filter(group=RaterGroup.PEER))
    supervisor = pulses.candidate_raters(participant).get(group=RaterGroup.SUPERVISOR)
    with pytest.raises(DomainError, match="at least 3 peers") as refused:
        start(participant, rater_ids=[supervisor.pk, peers[0].pk, peers[1].pk])
    assert refused.value.field == "raters"
    with pytest.raises(DomainError, match="Choose the raters"):
        start(participant, rater_ids=[])
    stranger = RaterFactory(group=RaterGroup.PEER)  # a rater of someone else
    with pytest.raises(DomainError, match="from the list"):
        start(participant, rater_ids=[p.pk for p in peers] + [stranger.pk])
    assert not Participant.objects.filter(follows=participant).exists()


# --- whom it asks ---------------------------------------------------------------------------


def test_every_rater_invited_to_the_360_who_did_not_decline_is_offered(participant):
    """Whether they answered or not: offering only those who answered would tell the leader who
    did (anonymity)."""
    peers = list(participant.raters.filter(group=RaterGroup.PEER))
    waiting = RaterFactory(participant=participant, group=RaterGroup.PEER, status=Status.INVITED)
    started = RaterFactory(participant=participant, group=RaterGroup.PARTNER, status=Status.STARTED)
    declined = RaterFactory(participant=participant, group=RaterGroup.PEER, status=Status.DECLINED)
    never = RaterFactory(participant=participant, group=RaterGroup.PEER, status=Status.NOMINATED)
    rejected = RaterFactory(
        participant=participant, group=RaterGroup.PEER, approval=Rater.Approval.REJECTED
    )
    offered = set(pulses.candidate_raters(participant))
    assert set(peers) | {waiting, started} <= offered
    assert not {declined, never, rejected} & offered
    groups = {rater.group for rater in offered}
    assert RaterGroup.SELF not in groups  # no self-assessment in a pulse
    assert RaterGroup.SUPERVISOR in groups


def test_the_chosen_raters_are_asked_again_in_their_groups_with_new_links(
    participant, django_capture_on_commit_callbacks
):
    card = RaterFactory(participant=participant, group=RaterGroup.PARTNER, email="", name="Amina")
    chosen = [r for r in pulses.candidate_raters(participant) if r.name != "Amina"][:4] + [card]
    with django_capture_on_commit_callbacks(execute=True):
        pulse = start(participant, rater_ids=[r.pk for r in chosen])
    asked = list(pulse.raters.order_by("pk"))
    assert sorted((r.group, r.name, r.email) for r in asked) == sorted(
        (r.group, r.name, r.email) for r in chosen
    )
    assert not {r.pk for r in asked} & {r.pk for r in chosen}  # new rows, new links
    assert all(r.token_hash and r.status == Status.INVITED for r in asked)
    assert not pulse.raters.filter(group=RaterGroup.SELF).exists()
    # Emails: one per rater with an email, the card rater's to the leader ("print the cards").
    by_email = [r for r in chosen if r.email]
    invitations = [m for m in mail.outbox if "short follow-up" in m.subject]
    assert sorted(m.to[0] for m in invitations) == sorted(r.email for r in by_email)
    body = invitations[0].body
    assert participant.cycle.name in body and "/r/" in body
    assert any("Print the cards" in m.subject for m in mail.outbox)


def test_a_pulse_is_a_cycle_of_its_own_kind_with_the_360s_rules(participant):
    participant.cycle.anonymity_threshold = 4
    Cycle.objects.filter(pk=participant.cycle_id).update(
        anonymity_threshold=4, contact_email="hr-360@example.org"
    )
    RaterFactory(participant=participant, group=RaterGroup.PEER)  # k = 4 anonymous to ask
    participant.refresh_from_db()
    pulse = start(participant).cycle
    assert pulse.is_pulse and pulse.follows_id == participant.cycle_id
    assert pulse.state == Cycle.State.OPEN and pulse.opened_at is not None
    assert (pulse.opens_on, pulse.closes_on) == (timezone.localdate(), today_plus(21))
    assert pulse.anonymity_threshold == 4
    assert pulse.contact == "hr-360@example.org"  # never the leader who started it
    assert "Lucía Ortega" in pulse.name and participant.cycle.name in pulse.name
    actions = set(participant.cycle.audit_events.values_list("action", flat=True))
    assert "pulse" in actions
    assert {"create", "open"} <= set(pulse.audit_events.values_list("action", flat=True))


def test_nobody_is_nominated_in_a_pulse(participant):
    pulse = start(participant)
    with pytest.raises(DomainError, match="nobody is nominated"):
        nominations.nominate_rater(
            participant=pulse, name="Extra", email="extra@example.org", group=RaterGroup.PEER
        )
    with pytest.raises(DomainError, match="nobody is nominated"):
        nominations.remove_nomination(rater=pulse.raters.filter(group=RaterGroup.PEER).first())


# --- what it asks ----------------------------------------------------------------------------


def test_the_questions_are_the_linked_behaviours_and_one_change_question_per_focus(participant):
    pulse = start(participant)
    questionnaire = questionnaire_for(pulse)
    assert questionnaire.is_pulse
    funding, communication = questionnaire.sections
    assert [funding.enabler.slug, communication.enabler.slug] == ["funding", "communication"]
    linked = section(participant, "funding").level_items[:2]
    assert [i.key for i in funding.focus_items] == [i.key for i in linked]
    # A focus area that links none asks about the enabler's behaviours of the leader's level.
    level_items = section(participant, "communication").level_items
    assert [i.key for i in communication.focus_items] == [i.key for i in level_items]
    for s in questionnaire.sections:
        (change,) = s.change_items
        assert change.key == f"c{s.enabler.pk}" and change.is_change
        assert "more or less effective" in change.text
        assert [value for value, _label in change.scale] == [
            "-3", "-2", "-1", "0", "+1", "+2", "+3"
        ]  # fmt: skip
        assert not s.pitfall_items and not s.general_items  # only the focus areas' behaviours


def test_the_questions_are_fixed_when_the_pulse_starts(participant):
    pulse = start(participant)
    before = questionnaire_for(pulse).item_keys
    FocusArea.objects.filter(plan__participant=participant, enabler__slug="funding").delete()
    focus_on(participant, "workforce")
    assert questionnaire_for(pulse).item_keys == before


# --- answering -------------------------------------------------------------------------------


def test_a_rater_answers_the_change_question_from_minus_3_to_plus_3(participant):
    pulse = start(participant)
    rater = pulse.raters.filter(group=RaterGroup.PEER).first()
    rater.status = Status.INVITED
    rater.save()
    questionnaire = answer_pulse(rater, change="-2", submit=False)
    first = questionnaire.sections[0]
    change = first.change_items[0]
    for wrong in ("+4", "-4", "6", "x"):
        with pytest.raises(DomainError, match="outside the scale"):
            responses.save_section(
                rater=rater, section=first, values={change.key: wrong}, comments={}
            )
    responses.save_section(rater=rater, section=first, values={change.key: "na"}, comments={})
    responses.submit_response(rater=rater)
    stored = dict(ChangeAnswer.objects.values_list("enabler__slug", "score"))
    assert stored == {"funding": None, "communication": -2}  # "not observed" is kept as such
    rater.refresh_from_db()
    assert rater.status == Status.SUBMITTED


def test_every_question_needs_an_answer_the_change_question_too(participant):
    pulse = start(participant)
    rater = pulse.raters.filter(group=RaterGroup.PEER).first()
    questionnaire = answer_pulse(rater, submit=False)
    ChangeAnswer.objects.filter(enabler=questionnaire.sections[1].enabler).delete()
    with pytest.raises(responses.IncompleteResponse) as incomplete:
        responses.submit_response(rater=rater)
    assert incomplete.value.missing == [questionnaire.sections[1].change_items[0].key]


# --- closing and release ---------------------------------------------------------------------


def test_a_pulse_releases_itself_when_it_closes_at_the_end_of_its_close_date(
    participant, django_capture_on_commit_callbacks
):
    pulse = start(participant)
    for rater in pulse.raters.all():
        answer_pulse(rater)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    other = CycleFactory(opens_on=yesterday, closes_on=yesterday)
    Cycle.objects.filter(pk=pulse.cycle_id).update(opens_on=yesterday, closes_on=yesterday)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        closed = cycles.close_due_cycles()
    assert {c.pk for c in closed} == {pulse.cycle_id, other.pk}
    pulse.cycle.refresh_from_db()
    other.refresh_from_db()
    assert pulse.cycle.state == Cycle.State.RELEASED  # a pulse: released with it
    assert other.state == Cycle.State.CLOSED  # a 360 waits for HR
    assert ItemTally.objects.filter(participant=pulse).exists()  # frozen as a release does
    (notice,) = mail.outbox
    assert notice.to == ["lucia.ortega@example.org"]
    assert "progress pulse" in notice.subject
    assert f"/plans/{participant.pk}/#pulse" in notice.body


def test_a_pulse_has_no_report_pages_of_its_own(client, participant, leader):
    pulse = start(participant)
    cycles.close_cycle(cycle=pulse.cycle, by=None)
    cycles.release_cycle(cycle=pulse.cycle, by=None)
    client.force_login(leader)
    for name in ("reports:individual", "reports:individual_summary", "plans:plan"):
        assert client.get(reverse(name, args=[pulse.pk])).status_code == 404


def test_a_pulse_is_never_the_previous_360(participant, leader, supervisor):
    pulse = start(participant)
    cycles.close_cycle(cycle=pulse.cycle, by=None)
    cycles.release_cycle(cycle=pulse.cycle, by=None)
    later = make_participant(person=leader, supervisor=supervisor)
    assert action_plans.previous_participation(later) == participant


# --- a whole cohort ----------------------------------------------------------------------------


@pytest.fixture
def cohort(compass):
    """A released cohort of four: two ready, one without a focus area, one who started their own
    pulse already."""
    cycle = CycleFactory(name="Leadership 360 — 2025")
    people = {}
    for name in ("Ana Ready", "Ben Ready", "Cleo Noplan", "Dev Started"):
        people[name] = released_360(
            cycle=cycle, person=UserFactory(full_name=name), supervisor=UserFactory()
        )
    release(cycle)
    for name, participant in people.items():
        participant.refresh_from_db()
        if name != "Cleo Noplan":
            focus_on(participant, "funding")
    start(people["Dev Started"])
    return cycle, people


def test_hr_starts_one_pulse_for_the_cohort_and_lists_who_is_skipped(
    cohort, hr_admin, django_capture_on_commit_callbacks
):
    cycle, people = cohort
    plan = pulses.cohort_plan(cycle)
    assert [p.person.full_name for p in plan.ready] == ["Ana Ready", "Ben Ready"]
    no_plan = "The action plan has no focus area yet: a pulse asks about the focus areas."
    assert [(p.person.full_name, reason) for p, reason in plan.skipped] == [
        ("Cleo Noplan", no_plan),
        ("Dev Started", "A progress pulse was already started for this 360."),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        pulse, _plan = pulses.start_cohort_pulse(cycle=cycle, by=hr_admin, closes_on=today_plus(14))
    assert pulse.closes_on == today_plus(14) and pulse.follows_id == cycle.pk
    assert sorted(pulse.participants.values_list("person__full_name", flat=True)) == [
        "Ana Ready",
        "Ben Ready",
    ]
    assert Rater.objects.filter(participant__cycle=pulse, status=Status.INVITED).count() == 8
    assert pulse.created_by == hr_admin
    # Each leader is told (HR started it, not they), with the page that follows it.
    notices = [m for m in mail.outbox if "progress pulse on your action plan" in m.subject]
    assert sorted(m.to[0] for m in notices) == sorted(
        p.person.email for p in (people["Ana Ready"], people["Ben Ready"])
    )
    ana = pulse.participants.get(person=people["Ana Ready"].person)
    assert f"/pulses/{ana.pk}/" in next(m.body for m in notices if m.to[0] == ana.person.email)
    trail = cycle.audit_events.filter(action="pulse").values_list("detail", flat=True)
    assert "Progress pulse started for 2 leaders; 2 skipped." in trail


def test_a_cohort_pulse_is_all_made_or_nothing_is(cohort, hr_admin, monkeypatch):
    cycle, _people = cohort
    made = []
    real = pulses._enrol

    def enrol_then_fail(**kwargs):
        made.append(real(**kwargs))
        if len(made) == 2:
            raise RuntimeError("the database went away")
        return made[-1]

    monkeypatch.setattr(pulses, "_enrol", enrol_then_fail)
    pulses_before = Cycle.objects.filter(kind=Cycle.Kind.PULSE).count()
    with pytest.raises(RuntimeError):
        pulses.start_cohort_pulse(cycle=cycle, by=hr_admin, closes_on=today_plus(21))
    assert Cycle.objects.filter(kind=Cycle.Kind.PULSE).count() == pulses_before
    assert Participant.objects.filter(follows__cycle=cycle).count() == 1  # Dev's own, only


@pytest.mark.parametrize(
    ("closes_in", "message"),
    [(0, "after today"), (-3, "after today"), (61, "within 60 days")],
)
def test_hr_chooses_a_close_date_after_today_and_within_60_days(
    cohort, hr_admin, closes_in, message
):
    cycle, _people = cohort
    with pytest.raises(DomainError, match=message) as refused:
        pulses.start_cohort_pulse(cycle=cycle, by=hr_admin, closes_on=today_plus(closes_in))
    assert refused.value.field == "closes_on"


def test_a_cohort_where_nobody_can_have_a_pulse_starts_nothing(cohort, hr_admin):
    cycle, _people = cohort
    pulses.start_cohort_pulse(cycle=cycle, by=hr_admin, closes_on=today_plus(21))
    with pytest.raises(DomainError, match="No leader of this cohort"):
        pulses.start_cohort_pulse(cycle=cycle, by=hr_admin, closes_on=today_plus(21))
    assert Cycle.objects.filter(follows=cycle).count() == 2  # Dev's, and the cohort's
