"""HR creates and edits cycles, imports through the page, and moves cycles with confirmed
actions: open, close, re-open with a reason, release (with a notice to every participant)."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.errors import DomainError
from assessments.models import AuditEvent, Cycle, Participant, Rater, RaterGroup
from assessments.running import cycles, hr_actions
from tests.assessments.helpers import cycle_data, fast_submit
from tests.factories import (
    CycleFactory,
    RaterFactory,
    UserFactory,
    make_participant,
    self_rater,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# Creating and editing


def test_hr_creates_a_draft_cycle_and_the_trail_says_who(as_hr, hr_admin, compass):
    response = as_hr.post(reverse("hr:cycle_create"), cycle_data())
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:cycle_detail", args=[cycle.pk])
    assert (cycle.name, cycle.state, cycle.created_by) == ("Leaders 2026", "draft", hr_admin)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("create", hr_admin)


def test_k_below_three_is_refused_next_to_the_field(as_hr, compass):
    response = as_hr.post(reverse("hr:cycle_create"), cycle_data(anonymity_threshold=2))
    assert response.status_code == 200
    assert "at least 3" in errors_of(response, "anonymity_threshold")[0]
    assert not Cycle.objects.exists()


def test_fewest_above_most_is_refused_next_to_the_field(as_hr, compass):
    response = as_hr.post(reverse("hr:cycle_create"), cycle_data(min_peers=9, max_peers=8))
    assert "cannot be more than the most" in errors_of(response, "min_peers")[0]
    assert not Cycle.objects.exists()


def test_closing_before_opening_is_refused_next_to_the_field(as_hr, compass):
    data = cycle_data(closes_on=(TODAY - datetime.timedelta(days=1)).isoformat())
    response = as_hr.post(reverse("hr:cycle_create"), data)
    assert "before the open date" in errors_of(response, "closes_on")[0]
    assert not Cycle.objects.exists()


def test_an_unknown_edition_is_refused(as_hr, compass):
    response = as_hr.post(reverse("hr:cycle_create"), cycle_data(edition="1999"))
    assert errors_of(response, "edition")
    assert not Cycle.objects.exists()


def test_a_draft_can_change_its_rules(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    response = as_hr.post(
        reverse("hr:cycle_edit", args=[cycle.pk]),
        cycle_data(name="Renamed", anonymity_threshold=4, min_peers=4),
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.name, cycle.anonymity_threshold, cycle.min_peers) == ("Renamed", 4, 4)
    assert "Changed:" in AuditEvent.objects.get(action="edit").detail


def test_an_open_cycle_keeps_its_rules_but_its_dates_can_move(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.OPEN, name="Leaders 2026")
    later = TODAY + datetime.timedelta(days=40)
    response = as_hr.post(
        reverse("hr:cycle_edit", args=[cycle.pk]),
        cycle_data(anonymity_threshold=7, max_partners=1, closes_on=later.isoformat()),
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.closes_on == later
    assert (cycle.anonymity_threshold, cycle.max_partners) == (3, 5)  # disabled fields ignored


def test_the_rule_refuses_rule_changes_once_open(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    with pytest.raises(DomainError) as caught:
        hr_actions.update_cycle(cycle=cycle, by=hr_admin, changes={"anonymity_threshold": 5})
    assert caught.value.field == "anonymity_threshold"


def test_the_edition_cannot_change_once_participants_are_enrolled(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    make_participant(cycle)
    with pytest.raises(DomainError):
        hr_actions.update_cycle(cycle=cycle, by=hr_admin, changes={"edition": "2030"})


def test_a_released_cycle_cannot_be_edited(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.RELEASED, name="Old")
    response = as_hr.post(reverse("hr:cycle_edit", args=[cycle.pk]), cycle_data(name="New"))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "Old"


# Import through the page


def upload(text, name="people.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_import_page_lists_every_bad_row_and_saves_nothing(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    text = "email,full_name,level\nlucia@example.org,Lucía Ortega,Chief\nbad,Ama,Directors"
    response = as_hr.post(
        reverse("hr:import_participants", args=[cycle.pk]), {"file": upload(text)}
    )
    assert response.status_code == 400
    errors = [(e.row, e.column) for e in response.context["row_errors"]]
    assert errors == [(2, "level"), (3, "email")]
    body = response.content.decode()
    assert "Unknown level" in body
    assert not Participant.objects.exists()


def test_a_file_level_problem_shows_next_to_the_file_field(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    response = as_hr.post(
        reverse("hr:import_participants", args=[cycle.pk]),
        {"file": SimpleUploadedFile("p.csv", "Lucía".encode("cp1252"))},
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.context["form"].errors["file"][0]


def test_a_good_import_redirects_with_counts(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    text = "email,full_name,level\nlucia@example.org,Lucía Ortega,Directors"
    response = as_hr.post(
        reverse("hr:import_participants", args=[cycle.pk]), {"file": upload(text)}, follow=True
    )
    assert "1 participants added" in " ".join(messages_of(response))
    assert Participant.objects.get().person.email == "lucia@example.org"


def test_the_template_downloads_with_the_columns(as_hr, compass):
    response = as_hr.get(reverse("hr:participants_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").strip() == (
        "email,full_name,level,supervisor_email,org_unit,gender,language"
    )


# Confirmed transitions


def test_open_asks_first_and_says_how_many_emails(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    make_participant(cycle)
    make_participant(cycle, supervisor=False)
    response = as_hr.get(reverse("hr:cycle_open", args=[cycle.pk]))
    assert "3 emails will be sent" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.DRAFT


def test_open_sends_in_the_background_and_the_page_shows_progress(
    as_hr, hr_admin, compass, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    for _ in range(2):
        make_participant(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_hr.post(reverse("hr:cycle_open", args=[cycle.pk]))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.get(action="open").actor == hr_admin
    page = as_hr.get(reverse("hr:cycle_detail", args=[cycle.pk]))
    assert page.context["totals"]["invited_participants"] == 2


def test_opening_twice_says_so_and_sends_nothing_more(
    as_hr, compass, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    make_participant(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        as_hr.post(reverse("hr:cycle_open", args=[cycle.pk]))
        response = as_hr.post(reverse("hr:cycle_open", args=[cycle.pk]), follow=True)
    assert "Only a draft cycle can be opened." in messages_of(response)
    assert len(mail.outbox) == 2


def test_close_reopen_with_reason_and_release_leave_a_trail(
    as_hr, hr_admin, compass, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    participants = [make_participant(cycle) for _ in range(2)]
    assert (
        "drafts are kept" in as_hr.get(reverse("hr:cycle_close", args=[cycle.pk])).content.decode()
    )
    as_hr.post(reverse("hr:cycle_close", args=[cycle.pk]))
    response = as_hr.post(reverse("hr:cycle_reopen", args=[cycle.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    as_hr.post(
        reverse("hr:cycle_reopen", args=[cycle.pk]),
        {"reason": "Two field offices lost connectivity."},
    )
    as_hr.post(reverse("hr:cycle_close", args=[cycle.pk]))
    assert "final" in as_hr.get(reverse("hr:cycle_release", args=[cycle.pk])).content.decode()
    # Nobody answered: the admin types the cycle's name (issue 16) to release.
    with django_capture_on_commit_callbacks(execute=True):
        as_hr.post(reverse("hr:cycle_release", args=[cycle.pk]), {"cycle_name": cycle.name})
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.RELEASED
    trail = list(
        AuditEvent.objects.filter(cycle=cycle).order_by("pk").values_list("action", "reason")
    )
    assert trail == [
        ("close", ""),
        ("reopen", "Two field offices lost connectivity."),
        ("close", ""),
        ("release", ""),
    ]
    assert all(e.actor == hr_admin for e in AuditEvent.objects.all())
    # Every participant is told, with a link to their report.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.person.email for p in participants)
    notice = mail.outbox[0]
    assert "report" in notice.subject
    participant = Participant.objects.get(person__email=notice.to[0])
    assert reverse("reports:individual", args=[participant.pk]) in notice.body
    assert notice.alternatives
    # The cycle page shows the trail, latest first.
    page = as_hr.get(reverse("hr:cycle_detail", args=[cycle.pk]))
    assert [row["event"].action for row in page.context["audit"]][:2] == ["release", "close"]


def release_page(client, cycle, data=None):
    url = reverse("hr:cycle_release", args=[cycle.pk])
    return client.post(url, data) if data is not None else client.get(url)


def test_release_lists_what_is_short_and_asks_for_the_cycles_name(as_hr, compass):

    cycle = CycleFactory(state=Cycle.State.OPEN, name="Heads of Office 2026")
    full = make_participant(cycle, person=UserFactory(full_name="Ada Full"))
    fast_submit(self_rater(full), "4")
    for _ in range(3):
        fast_submit(RaterFactory(participant=full, group=RaterGroup.PEER), "3")
    thin = make_participant(cycle, person=UserFactory(full_name="Bo Thin"))
    fast_submit(RaterFactory(participant=thin, group=RaterGroup.PEER), "3")
    RaterFactory(participant=thin, group=RaterGroup.PEER)  # invited, never answered
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)

    page = release_page(as_hr, cycle).content.decode()
    short = page[page.index("Some reports will be short") :]
    assert "1 leader's report will show no peers, direct reports or partners" in short
    assert "1 leader has not submitted a self-assessment" in short
    assert short.count("Bo Thin") == 2 and "Ada Full" not in short
    assert "Raters other than the leaders: 4 of 5 invited answered." in page
    assert "Self-assessments: 1 of 2 submitted." in page
    assert 'name="cycle_name"' in page

    response = release_page(as_hr, cycle, {"cycle_name": "Heads of Office"})
    assert response.status_code == 400
    assert "This is not the cycle&#x27;s name" in response.content.decode()
    assert "data-error-summary" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    release_page(as_hr, cycle, {"cycle_name": " Heads of Office 2026 "})
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.RELEASED


def test_a_cycle_with_nothing_short_releases_without_typing_its_name(as_hr, compass):

    cycle = CycleFactory(state=Cycle.State.OPEN)
    participant = make_participant(cycle)
    fast_submit(self_rater(participant), "4")
    for _ in range(3):
        fast_submit(RaterFactory(participant=participant, group=RaterGroup.PARTNER), "3")
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
    page = release_page(as_hr, cycle).content.decode()
    assert "Some reports will be short" not in page and 'name="cycle_name"' not in page
    release_page(as_hr, cycle, {})
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.RELEASED


def test_the_release_check_runs_in_constant_queries(as_hr, compass, django_assert_max_num_queries):

    for n in (1, 5):
        cycle = CycleFactory(state=Cycle.State.OPEN)
        for _ in range(n):
            RaterFactory(participant=make_participant(cycle))
        Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
        with django_assert_max_num_queries(7):
            assert release_page(as_hr, cycle).status_code == 200


def test_a_transition_out_of_order_becomes_a_message(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    response = as_hr.post(reverse("hr:cycle_release", args=[cycle.pk]), follow=True)
    assert "Close the cycle before releasing its reports." in messages_of(response)
    assert not mail.outbox


def test_a_released_cycle_cannot_reopen(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.RELEASED)
    response = as_hr.post(
        reverse("hr:cycle_reopen", args=[cycle.pk]), {"reason": "please"}, follow=True
    )
    assert any("not released" in m for m in messages_of(response))
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.RELEASED


# Extending the close date


def test_extend_moves_the_close_date_later_and_records_it(as_hr, hr_admin, compass):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    old = cycle.closes_on
    new = old + datetime.timedelta(days=7)
    response = as_hr.post(
        reverse("hr:cycle_extend", args=[cycle.pk]), {"closes_on": new.isoformat()}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.closes_on == new
    event = AuditEvent.objects.get(action="extend")
    assert event.actor == hr_admin
    assert old.isoformat() in event.detail and new.isoformat() in event.detail


def test_extend_refuses_an_earlier_date_next_to_the_field(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    response = as_hr.post(
        reverse("hr:cycle_extend", args=[cycle.pk]), {"closes_on": cycle.closes_on.isoformat()}
    )
    assert response.status_code == 400
    assert "after the current close date" in response.context["form"].errors["closes_on"][0]
    assert not AuditEvent.objects.exists()


def test_the_dashboard_lists_cycles_with_rates_in_constant_queries(
    as_hr, compass, django_assert_num_queries, django_assert_max_num_queries
):
    def build(n):
        for _ in range(n):
            cycle = CycleFactory()
            participant = make_participant(cycle)
            Rater.objects.filter(participant=participant).update(status=Rater.Status.INVITED)
            Rater.objects.filter(participant=participant, group="self").update(
                status=Rater.Status.SUBMITTED
            )

    build(2)
    as_hr.get(reverse("hr:dashboard"))  # warm the session
    # Session, user, HR check, the cycles with their rates; a little room for middleware.
    with django_assert_max_num_queries(6) as few:
        as_hr.get(reverse("hr:dashboard"))
    build(8)
    with django_assert_num_queries(len(few.captured_queries)):
        response = as_hr.get(reverse("hr:dashboard"))
    cycles = list(response.context["cycles"])
    assert len(cycles) == 10
    first = cycles[0]
    assert (first.participant_count, first.self_submitted) == (1, 1)
    assert (first.others_invited, first.others_submitted) == (1, 0)
    assert re.search(r"0%", response.content.decode())


def test_release_notice_offers_a_password_to_leaders_who_never_chose_one(
    compass, hr_admin, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    newcomer = UserFactory(email="new@example.org")
    newcomer.set_unusable_password()
    newcomer.save()
    make_participant(cycle, person=newcomer)
    make_participant(cycle, person=UserFactory(email="old@example.org"))
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.release_cycle(cycle=cycle, by=hr_admin)
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "/accounts/reset/" in bodies["new@example.org"]
    assert "/accounts/reset/" not in bodies["old@example.org"]


def test_imports_are_refused_once_the_cycle_is_closed(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.CLOSED)
    response = as_hr.get(reverse("hr:import_participants", args=[cycle.pk]), follow=True)
    assert "draft or open" in " ".join(messages_of(response))


def test_a_released_cycle_links_to_its_cohort_report(as_hr, compass):
    cycle = CycleFactory(state=Cycle.State.RELEASED)
    body = as_hr.get(reverse("hr:cycle_detail", args=[cycle.pk])).content.decode()
    assert reverse("reports:cohort", args=[cycle.pk]) in body
    assert reverse("hr:cycle_extend", args=[cycle.pk]) not in body


def test_the_cycle_page_says_anonymity_rests_on_honest_nominations_without_approval(as_hr, db):
    """Issue 12: a leader who nominates addresses they control defeats any threshold; without
    supervisors approving nominations, HR is told so on the cycle page."""
    unchecked = CycleFactory(state=Cycle.State.DRAFT, supervisor_approval_required=False)
    body = as_hr.get(reverse("hr:cycle_detail", args=[unchecked.pk])).content.decode()
    assert 'id="honest-nominations"' in body
    assert "anonymity then rests on leaders nominating real, distinct people" in body
    checked = CycleFactory(state=Cycle.State.DRAFT, supervisor_approval_required=True)
    body = as_hr.get(reverse("hr:cycle_detail", args=[checked.pk])).content.decode()
    assert 'id="honest-nominations"' not in body
