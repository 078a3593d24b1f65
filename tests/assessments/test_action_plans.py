import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from assessments import access
from assessments.answering.questionnaire import NOT_OBSERVED, build_questionnaire
from assessments.errors import DomainError
from assessments.models import Action, Cycle, RaterGroup
from assessments.plans import action_plans
from assessments.reporting import reports
from compass.models import Enabler
from tests.assessments.helpers import fast_submit
from tests.factories import (
    CycleFactory,
    RaterFactory,
    UserFactory,
    make_participant,
    self_rater,
)

pytestmark = pytest.mark.django_db


def _released(participant, when=None):
    Cycle.objects.filter(pk=participant.cycle_id).update(
        state=Cycle.State.RELEASED, released_at=when or timezone.now()
    )
    participant.cycle.refresh_from_db()
    return participant


def _rated(participant, peer_score, self_score="4", override=None):
    fast_submit(self_rater(participant), self_score)
    for _ in range(3):
        fast_submit(
            RaterFactory(participant=participant, group=RaterGroup.PEER), peer_score, override
        )
    return participant


@pytest.fixture
def participant(compass):
    return _released(_rated(make_participant(), "3"))


def enabler(slug):
    return Enabler.objects.get(edition="2024", slug=slug)


def test_no_plan_before_the_report_is_released(compass):
    open_participant = make_participant()
    with pytest.raises(DomainError, match="released"):
        action_plans.add_focus(participant=open_participant, enabler=enabler("funding"), goal="x")


def test_one_to_three_focus_areas_each_once(participant):
    for slug in ["workforce", "funding", "communication"]:
        action_plans.add_focus(participant=participant, enabler=enabler(slug), goal="Grow.")
    with pytest.raises(DomainError, match="at most 3"):
        action_plans.add_focus(participant=participant, enabler=enabler("partnerships"), goal="x")
    with pytest.raises(DomainError, match="already"):
        action_plans.add_focus(participant=participant, enabler=enabler("funding"), goal="x")


def test_focus_links_only_to_report_items_of_its_enabler(participant):
    section = build_questionnaire(participant.level).section(3)  # funding
    indicator = section.level_items[0].indicator_id
    pitfall = section.pitfall_items[0].pitfall_id
    focus = action_plans.add_focus(
        participant=participant,
        enabler=enabler("funding"),
        goal="Multi-year funding.",
        indicator_ids=[indicator],
        pitfall_ids=[pitfall],
    )
    assert list(focus.indicators.values_list("pk", flat=True)) == [indicator]
    with pytest.raises(DomainError, match="this enabler"):
        action_plans.add_focus(
            participant=participant,
            enabler=enabler("workforce"),
            goal="x",
            indicator_ids=[section.level_items[1].indicator_id],
        )


def test_actions_have_due_dates_and_a_status(participant):
    focus = action_plans.add_focus(participant=participant, enabler=enabler("funding"), goal="G")
    action = action_plans.add_action(
        focus=focus, text="Meet two new donors", due_on=datetime.date(2027, 3, 1)
    )
    action_plans.set_action_status(action=action, status="in_progress")
    assert Action.objects.get().status == "in_progress"
    with pytest.raises(DomainError):
        action_plans.set_action_status(action=action, status="forgotten")
    with pytest.raises(DomainError):
        action_plans.add_action(focus=focus, text="  ", due_on=datetime.date(2027, 3, 1))


def test_supervisor_comments_only_on_a_shared_plan_and_the_leader_hears_of_it(
    participant, django_capture_on_commit_callbacks
):
    plan = action_plans.plan_for(participant)
    supervisor = participant.supervisor
    with pytest.raises(DomainError):
        action_plans.comment_on_plan(plan=plan, author=supervisor, text="Good start")
    action_plans.share_plan(plan=plan, shared=True)
    with django_capture_on_commit_callbacks(execute=True):
        action_plans.comment_on_plan(plan=plan, author=supervisor, text="Good start")
    assert mail.outbox[0].to == [participant.person.email]
    assert "Good start" in mail.outbox[0].body
    with pytest.raises(DomainError):
        action_plans.comment_on_plan(plan=plan, author=UserFactory(), text="Hi")
    assert access.may_read_plan(supervisor, plan)
    assert not access.may_read_plan(UserFactory(), plan)


def test_suggestions_point_at_the_lowest_rated_enablers(compass):
    low = build_questionnaire(make_participant().level).section(6)  # communication
    participant = make_participant()
    _rated(participant, "4", override=dict.fromkeys(low.item_keys, "1"))
    _released(participant)
    suggestions = action_plans.suggest_focus(reports.individual_report(participant))
    assert suggestions[0].enabler.slug == "communication"


def test_suggestion_reasons_write_numbers_as_the_reader_does(compass):
    """A French leader reads "1,0", as every number of their report: not "1.0"."""
    low = build_questionnaire(make_participant().level).section(6)  # communication
    participant = make_participant()
    _rated(participant, "4", override=dict.fromkeys(low.item_keys, "1"))
    _released(participant)
    with translation.override("fr"):
        suggestions = action_plans.suggest_focus(reports.individual_report(participant))
        reasons = " ".join(str(r) for r in suggestions[0].reasons)
    assert "les autres lui attribuent 1,0" in reasons


def test_change_since_the_previous_cycle_only_where_both_numbers_are_shown(compass):
    person = UserFactory()
    boss = UserFactory()
    before = make_participant(CycleFactory(), person=person, supervisor=boss)
    funding = build_questionnaire(before.level).section(3)
    # Last year one of three peers could not see the funding work: too few answers there.
    fast_submit(self_rater(before), "3")
    for override in [None, None, dict.fromkeys(funding.item_keys, NOT_OBSERVED)]:
        fast_submit(RaterFactory(participant=before, group=RaterGroup.PEER), "2", override)
    _released(before, timezone.now() - datetime.timedelta(days=365))
    now = _released(_rated(make_participant(CycleFactory(), person=person, supervisor=boss), "4"))

    assert action_plans.previous_participation(now) == before
    changes = action_plans.change_since_previous(
        reports.individual_report(now), reports.individual_report(before)
    )
    workforce, funding_change = changes[0], changes[2]
    assert workforce.others_change == pytest.approx(2.0)
    assert workforce.self_change == pytest.approx(1.0)
    assert funding_change.others_before is None
    assert funding_change.others_change is None


def test_hr_sees_counts_of_plans_never_their_content(compass):
    cycle = CycleFactory()
    first, second, third = (_rated(make_participant(cycle), "3") for _ in range(3))
    _released(first)
    action_plans.add_focus(participant=first, enabler=enabler("funding"), goal="G")
    plan = action_plans.add_focus(participant=second, enabler=enabler("workforce"), goal="G").plan
    action_plans.share_plan(plan=plan, shared=True)
    action_plans.plan_for(third)  # opened, nothing written: not counted
    assert action_plans.plan_counts(cycle) == {"plans": 2, "shared": 1}
