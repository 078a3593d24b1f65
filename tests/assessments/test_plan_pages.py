"""The action plan pages: the leader builds the plan from the report; once shared, the
supervisor reads it and comments; nobody else ever sees it. And the report's link to the plan
and its change since the previous 360."""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.answering.questionnaire import (
    NOT_OBSERVED,
    build_questionnaire,
    rater_questionnaire,
)
from assessments.models import (
    Action,
    ActionPlan,
    Cycle,
    FocusArea,
    Participant,
    PlanComment,
    RaterGroup,
)
from assessments.plans import action_plans
from assessments.plans import urls as urls_plans
from assessments.reporting.presenting.insight import compass_directions
from compass.models import Enabler
from tests.assessments.helpers import fast_submit
from tests.factories import (
    CycleFactory,
    RaterFactory,
    make_participant,
    self_rater,
    supervisor_rater,
)

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
DUE = "2027-03-31"


# --- people, a released report, and helpers ------------------------------------------------


def section(participant, slug):
    questionnaire = build_questionnaire(participant.level)
    return next(s for s in questionnaire.sections if s.enabler.slug == slug)


def enabler(slug):
    return Enabler.objects.get(edition="2024", slug=slug)


def rate(participant, peer_score="3", self_score="4", override=None, peers=3):
    """Self, supervisor and ``peers`` peers, every item answered, in bulk."""
    fast_submit(self_rater(participant), self_score)
    if participant.supervisor_id:
        fast_submit(supervisor_rater(participant), peer_score)
    for _ in range(peers):
        fast_submit(
            RaterFactory(participant=participant, group=RaterGroup.PEER), peer_score, override
        )
    return participant


def release(participant, when=None):
    Cycle.objects.filter(pk=participant.cycle_id).update(
        state=Cycle.State.RELEASED, released_at=when or timezone.now()
    )
    participant.cycle.refresh_from_db()
    return participant


@pytest.fixture
def participant(compass, leader, supervisor, other_leader):
    """Lucía's released report, where others rate Communication lowest; Wei is in the same
    cycle with the same supervisor."""
    participant = make_participant(person=leader, supervisor=supervisor)
    low = section(participant, "communication")
    rate(participant, "4", override=dict.fromkeys(low.item_keys, "2"))
    rate(make_participant(participant.cycle, person=other_leader, supervisor=supervisor))
    return release(participant)


@pytest.fixture
def other_participant(participant, other_leader):
    return Participant.objects.get(cycle=participant.cycle, person=other_leader)


def url(name, participant, *args):
    return reverse(f"plans:{name}", args=[participant.pk, *args])


def get_plan(client, user, participant):
    client.force_login(user)
    return client.get(url("plan", participant))


def text_of(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def focus_on(participant, slug, goal="Grow.", links=0):
    """A focus area through the rule, linked to the first ``links`` indicators and pitfall."""
    s = section(participant, slug)
    return action_plans.add_focus(
        participant=participant,
        enabler=s.enabler,
        goal=goal,
        indicator_ids=[i.indicator_id for i in s.level_items[:links]],
        pitfall_ids=[p.pitfall_id for p in s.pitfall_items[:links]],
    )


def action_data(focus, text="Meet two donors", due=DUE):
    return {f"focus-{focus.pk}-text": text, f"focus-{focus.pk}-due_on": due}


# --- the leader builds a plan --------------------------------------------------------------


def test_leader_builds_a_plan_through_the_pages(client, participant, leader):
    response = get_plan(client, leader, participant)
    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert "Your action plan" in page
    # Suggestions, with their reasons: others rate Communication lowest.
    assert "Communication others rate it 2.5, among your lowest" in page
    assert "Step 1 of 2" in page

    # Step 1: choose the enabler; step 2 shows its items with the report's numbers.
    funding = section(participant, "funding")
    response = client.get(url("plan", participant), {"enabler": "funding"})
    html = response.content.decode()
    assert "Step 2 of 2" in text_of(html)
    for item in funding.items:
        assert f'id="link-{item.key}"' in html
    workforce = section(participant, "workforce")
    assert f'id="link-{workforce.items[0].key}"' not in html
    label = html[html.index(f'for="link-{funding.level_items[0].key}"') :]
    label = text_of(label[: label.index("</label>")])
    assert "Self: 4.0" in label
    assert "All except self: 4.0" in label

    # Add the focus area, linked to one behaviour and one pitfall of the report.
    indicator, pitfall = funding.level_items[0], funding.pitfall_items[0]
    response = client.post(
        url("add_focus", participant),
        {
            "enabler": "funding",
            "goal": "Secure multi-year funding.",
            "indicators": [indicator.indicator_id],
            "pitfalls": [pitfall.pitfall_id],
        },
    )
    focus = FocusArea.objects.get(plan__participant=participant)
    assert response.status_code == 302
    assert response["Location"] == url("plan", participant) + f"#focus-{focus.pk}"
    assert focus.enabler.slug == "funding"
    assert list(focus.indicators.values_list("pk", flat=True)) == [indicator.indicator_id]
    assert list(focus.pitfalls.values_list("pk", flat=True)) == [pitfall.pitfall_id]

    # Actions with due dates, then their status.
    response = client.post(url("add_action", participant, focus.pk), action_data(focus))
    assert response.status_code == 302
    action = Action.objects.get(focus=focus)
    assert (action.text, action.due_on) == ("Meet two donors", datetime.date(2027, 3, 31))
    assert action.status == Action.Status.PLANNED
    for status in ["in_progress", "done", "dropped", "planned", "done"]:
        response = client.post(url("action_status", participant, action.pk), {"status": status})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == status

    response = client.get(url("plan", participant))
    html = response.content.decode()
    page = text_of(html)
    assert "Secure multi-year funding." in page
    assert "Meet two donors" in page
    assert indicator.text in page
    assert pitfall.title in page
    assert '<option value="done" selected>' in html
    assert "is now: Done" in page


def test_the_leader_removes_a_focus_area_with_its_actions(client, participant, leader):
    focus = focus_on(participant, "funding")
    action_plans.add_action(focus=focus, text="Call", due_on=datetime.date(2027, 1, 1))
    client.force_login(leader)
    response = client.post(url("remove_focus", participant, focus.pk))
    assert response.status_code == 302
    assert not FocusArea.objects.exists()
    assert not Action.objects.exists()


def test_a_fourth_focus_area_is_refused_in_the_page(client, participant, leader):
    for slug in ["workforce", "funding", "communication"]:
        focus_on(participant, slug)
    response = get_plan(client, leader, participant)
    page = text_of(response.content.decode())
    assert "Your plan has 3 focus areas, the most it can have" in page
    assert "Step 1 of 2" not in page
    assert "Focus on " not in page  # no suggestion offers a fourth

    response = client.post(
        url("add_focus", participant), {"enabler": "partnerships", "goal": "One more goal"}
    )
    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert "Choose at most 3 focus areas" in page
    assert "One more goal" in page  # nothing typed is lost
    assert FocusArea.objects.count() == 3


def test_the_same_enabler_twice_is_refused(client, participant, leader):
    focus_on(participant, "funding")
    client.force_login(leader)
    response = client.post(url("add_focus", participant), {"enabler": "funding", "goal": "Again"})
    assert response.status_code == 200
    assert "already one of your focus areas" in text_of(response.content.decode())
    assert FocusArea.objects.count() == 1


def test_items_of_another_enabler_are_refused(client, participant, leader):
    funding = section(participant, "funding")
    client.force_login(leader)
    response = client.post(
        url("add_focus", participant),
        {
            "enabler": "workforce",
            "goal": "Grow the team",
            "indicators": [funding.level_items[0].indicator_id],
        },
    )
    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert "Link only behaviours and pitfalls of this enabler from your report." in page
    assert "Grow the team" in page
    assert not FocusArea.objects.exists()


def test_items_that_are_not_in_the_report_are_refused(client, participant, leader, compass):
    # A pitfall of another level: never in this leader's questionnaire, so never in the report.
    foreign = section(make_participant(level_slug="directors"), "workforce").pitfall_items[0]
    client.force_login(leader)
    response = client.post(
        url("add_focus", participant),
        {"enabler": "workforce", "goal": "Grow", "pitfalls": [foreign.pitfall_id]},
    )
    assert response.status_code == 200
    assert "Link only behaviours and pitfalls" in text_of(response.content.decode())
    assert not FocusArea.objects.exists()


def test_missing_goal_and_due_date_show_next_to_their_field(client, participant, leader):
    client.force_login(leader)
    response = client.post(url("add_focus", participant), {"enabler": "funding", "goal": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    goal_field = html[html.index('name="goal"') :]
    assert "Write the goal." in goal_field[:1000]

    focus = focus_on(participant, "funding")
    response = client.post(url("add_action", participant, focus.pk), action_data(focus, due=""))
    html = response.content.decode()
    assert response.status_code == 200
    due_field = html[html.index(f'name="focus-{focus.pk}-due_on"') :]
    assert "Give the action a due date." in due_field[:1000]
    assert "Meet two donors" in html
    assert not Action.objects.exists()


def test_an_action_due_in_the_past_is_refused_when_added(client, participant, leader):
    focus = focus_on(participant, "funding")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(leader)
    response = client.post(
        url("add_action", participant, focus.pk), action_data(focus, due=yesterday.isoformat())
    )
    html = response.content.decode()
    assert response.status_code == 200
    due_field = html[html.index(f'name="focus-{focus.pk}-due_on"') :]
    assert "The due date is in the past" in due_field[:1000]
    assert not Action.objects.exists()
    today = timezone.localdate().isoformat()
    client.post(url("add_action", participant, focus.pk), action_data(focus, due=today))
    assert Action.objects.get().due_on == timezone.localdate()


def test_the_leader_edits_an_action(client, participant, leader):
    focus = focus_on(participant, "funding")
    action = action_plans.add_action(focus=focus, text="Call", due_on=datetime.date(2027, 1, 1))
    client.force_login(leader)
    page = client.get(url("plan", participant)).content.decode()
    assert url("edit_action", participant, action.pk) in page
    form = client.get(url("edit_action", participant, action.pk)).content.decode()
    assert "Call" in form and 'value="2027-01-01"' in form

    response = client.post(
        url("edit_action", participant, action.pk),
        {"text": "Call three donors", "due_on": "2027-02-15"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.text, action.due_on) == ("Call three donors", datetime.date(2027, 2, 15))


def test_editing_refuses_a_new_past_date_but_keeps_an_overdue_one(client, participant, leader):
    focus = focus_on(participant, "funding")
    overdue = focus.actions.create(text="Call", due_on=datetime.date(2026, 1, 1))
    client.force_login(leader)
    target = url("edit_action", participant, overdue.pk)
    response = client.post(target, {"text": "Call donors", "due_on": "2026-01-01"})
    assert response.status_code == 302  # the date it had may stay
    response = client.post(target, {"text": "Call donors", "due_on": "2026-02-01"})
    assert response.status_code == 200
    assert "The due date is in the past" in response.content.decode()
    overdue.refresh_from_db()
    assert (overdue.text, overdue.due_on) == ("Call donors", datetime.date(2026, 1, 1))
    response = client.post(target, {"text": "", "due_on": "2027-02-01"})
    assert "Write the action." in response.content.decode()


def test_the_leader_deletes_an_action(client, participant, leader):
    focus = focus_on(participant, "funding")
    kept = action_plans.add_action(focus=focus, text="Keep", due_on=datetime.date(2027, 1, 1))
    gone = action_plans.add_action(focus=focus, text="Drop", due_on=datetime.date(2027, 1, 2))
    client.force_login(leader)
    response = client.post(url("delete_action", participant, gone.pk))
    assert response.status_code == 302
    assert list(Action.objects.all()) == [kept]


def test_an_unknown_status_is_refused(client, participant, leader):
    focus = focus_on(participant, "funding")
    action = action_plans.add_action(focus=focus, text="Call", due_on=datetime.date(2027, 1, 1))
    client.force_login(leader)
    response = client.post(
        url("action_status", participant, action.pk), {"status": "forgotten"}, follow=True
    )
    assert "Choose a status from the list." in text_of(response.content.decode())
    action.refresh_from_db()
    assert action.status == Action.Status.PLANNED


# --- who sees the plan ---------------------------------------------------------------------


def test_another_leader_and_hr_get_404(client, participant, other_leader, hr_admin):
    focus = focus_on(participant, "funding")
    action_plans.share_plan(plan=focus.plan, shared=True)
    for user in (other_leader, hr_admin):
        assert get_plan(client, user, participant).status_code == 404


def test_the_supervisor_reads_and_comments_only_while_the_plan_is_shared(
    client, participant, leader, supervisor, django_capture_on_commit_callbacks
):
    focus = focus_on(participant, "funding", goal="Secure multi-year funding.")
    action_plans.add_action(focus=focus, text="Meet two donors", due_on=datetime.date(2027, 1, 1))
    assert get_plan(client, supervisor, participant).status_code == 404

    client.force_login(leader)
    page = text_of(client.get(url("plan", participant)).content.decode())
    assert "If you share it, Samuel Okoro can read it" in page
    response = client.post(url("share", participant), {"shared": "1"})
    assert response.status_code == 302
    assert ActionPlan.objects.get().shared_with_supervisor

    response = get_plan(client, supervisor, participant)
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(html)
    assert "Action plan of Lucía Ortega" in page
    assert "Secure multi-year funding." in page
    assert "Meet two donors" in page
    # Read-only: no form writes to the plan, only the comment form.
    for name in ["add_focus", "share"]:
        assert url(name, participant) not in html
    assert url("remove_focus", participant, focus.pk) not in html
    assert url("add_action", participant, focus.pk) not in html
    assert "/status/" not in html
    assert url("comment", participant) in html
    # The report's numbers stay on the leader's side.
    assert "Where your report points" not in page
    assert "all except self" not in page.lower()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("comment", participant), {"text": "Good start, let us talk."})
    assert response.status_code == 302
    assert response["Location"].endswith("#comments")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lucia.ortega@example.org"]
    assert "Good start, let us talk." in mail.outbox[0].body
    assert url("plan", participant) in mail.outbox[0].body

    # The leader reads it and answers (no email to anyone for the leader's own comment).
    client.force_login(leader)
    assert "Good start, let us talk." in text_of(
        client.get(url("plan", participant)).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("comment", participant), {"text": "Thanks, Thursday?"})
    assert len(mail.outbox) == 1
    assert PlanComment.objects.count() == 2

    response = client.post(url("share", participant), {"shared": "0"})
    assert response.status_code == 302
    assert get_plan(client, supervisor, participant).status_code == 404
    client.force_login(supervisor)
    assert client.post(url("comment", participant), {"text": "Hello?"}).status_code == 404
    assert PlanComment.objects.count() == 2


def test_a_leader_without_supervisor_cannot_share(client, compass, leader):
    participant = release(rate(make_participant(person=leader, supervisor=False), peers=3))
    response = get_plan(client, leader, participant)
    assert "this plan cannot be shared" in text_of(response.content.decode())
    response = client.post(url("share", participant), {"shared": "1"}, follow=True)
    assert "no supervisor recorded" in text_of(response.content.decode())
    assert not ActionPlan.objects.get().shared_with_supervisor


@pytest.mark.parametrize("state", [Cycle.State.DRAFT, Cycle.State.OPEN, Cycle.State.CLOSED])
def test_before_release_there_is_no_plan_page(client, compass, leader, supervisor, state):
    participant = make_participant(person=leader, supervisor=supervisor)
    Cycle.objects.filter(pk=participant.cycle_id).update(state=state)
    assert get_plan(client, leader, participant).status_code == 404
    response = client.post(url("add_focus", participant), {"enabler": "funding", "goal": "G"})
    assert response.status_code == 404
    assert not ActionPlan.objects.exists()


def test_an_unknown_participation_is_404(client, participant, leader):
    client.force_login(leader)
    assert client.get(reverse("plans:plan", args=[999_999])).status_code == 404


def test_focus_areas_and_actions_of_another_plan_are_404(
    client, participant, other_participant, leader
):
    theirs = focus_on(other_participant, "funding")
    their_action = action_plans.add_action(
        focus=theirs, text="Theirs", due_on=datetime.date(2027, 1, 1)
    )
    focus_on(participant, "workforce")
    client.force_login(leader)
    # Lucía's own participation in the URL, Wei's objects in it.
    assert client.post(url("remove_focus", participant, theirs.pk)).status_code == 404
    assert (
        client.post(url("add_action", participant, theirs.pk), action_data(theirs)).status_code
        == 404
    )
    response = client.post(url("action_status", participant, their_action.pk), {"status": "done"})
    assert response.status_code == 404
    assert FocusArea.objects.filter(pk=theirs.pk).exists()
    their_action.refresh_from_db()
    assert their_action.status == Action.Status.PLANNED
    assert Action.objects.filter(focus=theirs).count() == 1


# Every route × every role: a new route fails here until it says who may use it.
ROUTES = {
    "plan": "get",
    "add_focus": "post",
    "remove_focus": "post",
    "add_action": "post",
    "action_status": "post",
    "edit_action": "get",
    "delete_action": "post",
    "share": "post",
    "comment": "post",
}
ROLES = ["anonymous", "leader", "other_leader", "hr", "supervisor", "supervisor_shared"]
ALLOWED = {
    "leader": set(ROUTES),
    "supervisor_shared": {"plan", "comment"},
}


def test_every_plan_route_has_expected_answers():
    assert {pattern.name for pattern in urls_plans.urlpatterns} == set(ROUTES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ROUTES))
def test_every_route_for_every_role(
    client, participant, supervisor, other_leader, hr_admin, name, role
):
    focus = focus_on(participant, "funding")
    action = action_plans.add_action(focus=focus, text="Call", due_on=datetime.date(2027, 1, 1))
    plan = focus.plan
    args = {
        "remove_focus": [focus.pk],
        "add_action": [focus.pk],
        "action_status": [action.pk],
        "edit_action": [action.pk],
        "delete_action": [action.pk],
    }
    data = {
        "add_focus": {"enabler": "workforce", "goal": "Grow"},
        "add_action": action_data(focus),
        "action_status": {"status": "done"},
        "share": {"shared": "1"},
        "comment": {"text": "Hello"},
    }
    users = {
        "leader": participant.person,
        "other_leader": other_leader,
        "hr": hr_admin,
        "supervisor": supervisor,
        "supervisor_shared": supervisor,
    }
    if role == "supervisor_shared":
        action_plans.share_plan(plan=plan, shared=True)
    if role != "anonymous":
        client.force_login(users[role])
    target = url(name, participant, *args.get(name, []))
    if ROUTES[name] == "get":
        response = client.get(target)
    else:
        response = client.post(target, data.get(name, {}))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif name in ALLOWED.get(role, set()):
        assert response.status_code == (200 if ROUTES[name] == "get" else 302)
    else:
        assert response.status_code == 404


# --- the report page -----------------------------------------------------------------------


def report(client, user, participant, name="individual"):
    client.force_login(user)
    return client.get(reverse(f"reports:{name}", args=[participant.pk]))


def test_the_report_links_the_leader_to_the_plan(client, participant, leader):
    html = report(client, leader, participant).content.decode()
    assert f'href="{url("plan", participant)}"' in html
    assert "Build your action plan" in text_of(html)

    focus_on(participant, "funding")
    page = text_of(report(client, leader, participant).content.decode())
    assert "Build your action plan" not in page
    assert "Your action plan" in page


def test_the_report_links_the_supervisor_to_the_plan_once_shared(
    client, participant, supervisor, hr_admin
):
    Participant.objects.filter(pk=participant.pk).update(shared_with_supervisor=True)
    plan = focus_on(participant, "funding").plan
    html = report(client, supervisor, participant).content.decode()
    assert url("plan", participant) not in html

    action_plans.share_plan(plan=plan, shared=True)
    html = report(client, supervisor, participant).content.decode()
    assert f'href="{url("plan", participant)}"' in html
    assert "Read the action plan Lucía Ortega shared with you" in text_of(html)
    # HR reads the report, never the plan.
    assert url("plan", participant) not in report(client, hr_admin, participant).content.decode()


def test_the_my360_page_links_to_the_plan_once_released(client, participant, leader, compass):
    client.force_login(leader)
    html = client.get(reverse("my360:participation", args=[participant.pk])).content.decode()
    assert f'href="{url("plan", participant)}"' in html

    unreleased = make_participant(person=leader)
    html = client.get(reverse("my360:participation", args=[unreleased.pk])).content.decode()
    assert url("plan", unreleased) not in html


@pytest.fixture
def two_cycles(compass, leader, supervisor):
    """Lucía last year (peers 2; one of three peers could not see her funding work) and now
    (peers and supervisor 4): (before, now)."""
    before = make_participant(CycleFactory(), person=leader, supervisor=supervisor)
    funding = section(before, "funding")
    fast_submit(self_rater(before), "3")
    for override in [None, None, dict.fromkeys(funding.item_keys, NOT_OBSERVED)]:
        fast_submit(RaterFactory(participant=before, group=RaterGroup.PEER), "2", override)
    release(before, timezone.now() - datetime.timedelta(days=365))
    now = release(rate(make_participant(CycleFactory(), person=leader, supervisor=supervisor), "4"))
    return before, now


def change_row(html, enabler_name):
    table = html[html.index('id="previous-heading"') :]
    table = table[: table.index("</table>")]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        if text_of(row).startswith(enabler_name):
            return [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(enabler_name)


def test_the_report_shows_the_change_since_the_previous_360(client, two_cycles, leader, supervisor):
    before, now = two_cycles
    old_focus = focus_on(before, "funding", goal="Diversify donors")
    # Added when the date was still ahead (the rule refuses a past date today).
    action = old_focus.actions.create(text="Meet two donors", due_on=datetime.date(2026, 1, 1))
    action_plans.set_action_status(action=action, status="done")

    html = report(client, leader, now).content.decode()
    page = text_of(html)
    assert "Change since your previous 360" in page
    # self before, now, change; all except self before, now, change
    workforce = change_row(html, "Workforce")
    assert workforce[0].startswith("3.0") and workforce[1].startswith("4.0")
    assert workforce[2] == "+1.0"
    assert workforce[3].startswith("2.0") and workforce[4].startswith("4.0")
    assert workforce[5] == "+2.0"
    funding = change_row(html, "Funding")
    assert funding[2] == "+1.0"
    assert funding[3] == "too few answers"
    assert funding[5] == "not comparable too few answers last time"
    # The leader also sees what they planned last time, with each action's status.
    assert "What you planned last time" in page
    assert "Diversify donors" in page
    assert "Meet two donors" in page
    assert "Done" in page[page.index("What you planned last time") :]
    assert f'href="{url("plan", before)}"' in html

    # The printable version carries the change too.
    assert "Change since your previous 360" in text_of(
        report(client, leader, now, "individual_print").content.decode()
    )

    # The supervisor reading a shared report sees no earlier numbers while the previous report
    # is not shared with them too (issue 12: only readers who may open the earlier report).
    Participant.objects.filter(pk=now.pk).update(shared_with_supervisor=True)
    page = text_of(report(client, supervisor, now).content.decode())
    assert "Change since your previous 360" not in page
    assert "2.0" not in page  # the previous others' mean of Workforce
    # Once both are shared they see the change, not the previous plan.
    Participant.objects.filter(pk=before.pk).update(shared_with_supervisor=True)
    page = text_of(report(client, supervisor, now).content.decode())
    assert "Change since your previous 360" in page
    assert "What you planned last time" not in page
    assert "Diversify donors" not in page


def test_no_change_section_without_a_previous_360(client, participant, leader):
    assert "Change since your previous 360" not in text_of(
        report(client, leader, participant).content.decode()
    )


def test_the_previous_cycles_plan_stays_readable(client, two_cycles, leader):
    before, _now = two_cycles
    focus_on(before, "funding", goal="Diversify donors")
    response = get_plan(client, leader, before)
    assert response.status_code == 200
    assert "Diversify donors" in text_of(response.content.decode())


# --- hostile text --------------------------------------------------------------------------


def test_hostile_text_in_goals_actions_and_comments_is_escaped(
    client, participant, leader, supervisor, two_cycles
):
    client.force_login(leader)
    client.post(url("add_focus", participant), {"enabler": "funding", "goal": HOSTILE})
    focus = FocusArea.objects.get(plan__participant=participant)
    client.post(url("add_action", participant, focus.pk), action_data(focus, text=HOSTILE))
    action = Action.objects.get()
    # The status message quotes the action's text.
    client.post(url("action_status", participant, action.pk), {"status": "done"})
    client.post(url("comment", participant), {"text": HOSTILE})
    client.post(url("share", participant), {"shared": "1"})
    html = client.get(url("plan", participant)).content.decode()
    assert HOSTILE not in html
    assert html.count(ESCAPED) >= 4  # goal, action, status message, comment

    client.force_login(supervisor)
    client.post(url("comment", participant), {"text": HOSTILE})
    html = client.get(url("plan", participant)).content.decode()
    assert HOSTILE not in html
    assert html.count(ESCAPED) >= 4  # goal, action, two comments

    # A form shown again with errors keeps hostile text escaped too.
    client.force_login(leader)
    response = client.post(url("add_focus", participant), {"enabler": "funding", "goal": HOSTILE})
    assert HOSTILE not in response.content.decode()
    assert ESCAPED in response.content.decode()

    # And the report's "what you planned last time".
    before, now = two_cycles
    focus = focus_on(before, "workforce", goal=HOSTILE)
    focus.actions.create(text=HOSTILE, due_on=datetime.date(2026, 1, 1))
    html = report(client, leader, now).content.decode()
    assert HOSTILE not in html
    assert html.count(ESCAPED) >= 2


# --- queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("n_focus", [1, 3])
def test_plan_page_runs_in_constant_queries(
    client, participant, leader, supervisor, django_assert_num_queries, n_focus
):
    for slug in ["workforce", "funding", "communication"][:n_focus]:
        focus = focus_on(participant, slug, links=2)
        for day in range(1, 4):
            action_plans.add_action(
                focus=focus, text=f"Step {day}", due_on=datetime.date(2027, 1, day)
            )
    plan = ActionPlan.objects.get()
    action_plans.share_plan(plan=plan, shared=True)
    for author in [leader, supervisor] * n_focus:
        action_plans.comment_on_plan(plan=plan, author=author, text="On it.")

    client.force_login(leader)
    rater_questionnaire(participant)  # the process has built the questionnaire once
    # session, user, participant, plan; focus areas, their actions, indicators, pitfalls;
    # comments; then the report's 3 queries (rater counts, the per-item tallies, comments).
    with django_assert_num_queries(12):
        assert client.get(url("plan", participant)).status_code == 200
    client.force_login(supervisor)
    # The supervisor's page has no report.
    with django_assert_num_queries(9):
        assert client.get(url("plan", participant)).status_code == 200


@pytest.mark.parametrize("n_focus", [1, 3])
def test_report_with_a_previous_360_runs_in_constant_queries(
    client, two_cycles, leader, django_assert_num_queries, n_focus
):
    before, now = two_cycles
    for slug in ["workforce", "funding", "communication"][:n_focus]:
        focus = focus_on(before, slug)
        for day in range(1, 4):
            focus.actions.create(text="x", due_on=datetime.date(2026, 1, day))
    client.force_login(leader)
    # the process has built the questionnaires and read the compass directions once
    rater_questionnaire(before)
    compass_directions(rater_questionnaire(now), now.cycle.edition)
    # 6 of the report, the plan link, the previous participation, its report's 3 queries,
    # and the previous plan with its actions; 1 of issue 18's insight (norm leaders).
    with django_assert_num_queries(14):
        assert client.get(reverse("reports:individual", args=[now.pk])).status_code == 200
