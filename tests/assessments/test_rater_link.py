"""Answering through a personal link, as a rater without an account."""

import re

import pytest
from django.urls import reverse

from assessments.answering.questionnaire import NOT_OBSERVED, build_questionnaire
from assessments.answering.tokens import hash_token, issue_token, revoke_token
from assessments.models import Answer, Comment, Cycle, Rater, Response
from tests.assessments.helpers import answer_everything, section_post
from tests.factories import RaterFactory, make_participant, supervisor_rater

pytestmark = pytest.mark.django_db


def url(name, token, *args):
    return reverse(f"rater:{name}", args=[token, *args])


def test_token_has_at_least_128_bits_and_only_its_hash_is_stored(linked_rater):
    rater, token = linked_rater
    rater.refresh_from_db()
    assert len(token) >= 22  # 32 random bytes, urlsafe base64: 43 characters
    assert rater.token_hash == hash_token(token)
    assert token not in rater.token_hash


def test_start_page_names_the_leader_and_promises_anonymity(client, linked_rater):
    rater, token = linked_rater
    response = client.get(url("start", token))
    assert response.status_code == 200
    body = response.content.decode()
    assert rater.participant.person.get_full_name() in body
    assert "anonymous" in body
    assert "at least 3" in body


def test_supervisor_is_told_before_answering_that_answers_are_not_anonymous(client, compass):
    rater = supervisor_rater(make_participant())
    token = issue_token(rater)
    body = client.get(url("start", token)).content.decode()
    assert "not anonymous" in body
    assert "Supervisor" in body


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 500])
def test_wrong_links_get_a_friendly_page_with_no_hint(client, compass, token):
    response = client.get(url("start", token))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_retired_link_stops_working_and_says_the_same_as_a_wrong_one(client, linked_rater):
    rater, old = linked_rater
    revoke_token(rater)
    wrong = client.get(url("start", "x" * 43)).content
    retired = client.get(url("start", old))
    assert retired.status_code == 404
    assert retired.content == wrong
    assert client.get(url("start", issue_token(rater))).status_code == 200


@pytest.mark.parametrize("state", [Cycle.State.DRAFT, Cycle.State.CLOSED, Cycle.State.RELEASED])
def test_links_work_only_while_the_cycle_is_open(client, linked_rater, state):
    rater, token = linked_rater
    Cycle.objects.update(state=state)
    response = client.get(url("start", token))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def _checked(page):
    """{item key: the answer shown checked} on a section page, read from its HTML."""
    found = re.findall(r'name="([^"]+)" id="[^"]*" value="([^"]*)" checked', page.content.decode())
    return dict(found)


def test_a_link_opens_only_its_own_raters_answers(client, linked_rater, compass):
    rater, token = linked_rater
    other = RaterFactory()
    other_token = issue_token(other)
    client.post(
        url("section", token, 1),
        section_post(build_questionnaire(rater.participant.level).section(1), "2"),
    )
    assert Response.objects.get().rater == rater
    page = client.get(url("section", other_token, 1))
    assert _checked(page) == {}


def test_each_section_saves_as_a_draft_and_comes_back_with_the_same_link(client, linked_rater):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(3)
    data = section_post(section, "4", comment_strength="Brings donors to the table.")
    data[section.items[0].key] = NOT_OBSERVED
    response = client.post(url("section", token, 3), data)
    assert response.status_code == 302
    assert response.url == url("section", token, 4)

    client.cookies.clear()  # a closed tab, an expired session: the link alone brings it back
    page = client.get(url("section", token, 3))
    checked = _checked(page)
    assert set(checked) == set(section.item_keys)
    assert checked[section.items[0].key] == NOT_OBSERVED
    assert {checked[item.key] for item in section.items[1:]} == {"4"}
    assert "Brings donors to the table." in page.content.decode()
    assert 'aria-valuenow="1"' in page.content.decode()  # one section complete


def test_save_draft_stays_and_back_goes_to_the_previous_section(client, linked_rater):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(2)
    stay = client.post(url("section", token, 2), section_post(section, go="stay"))
    assert stay.url == url("section", token, 2) + "?saved=1"
    back = client.post(url("section", token, 2), section_post(section, go="previous"))
    assert back.url == url("section", token, 1)


def test_background_autosave_answers_with_a_small_status(client, linked_rater):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(1)
    response = client.post(
        url("section", token, 1), {section.items[0].key: "5"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Draft saved" in response.content.decode()
    assert Answer.objects.get().score == 5


def test_an_answer_outside_the_scale_is_shown_next_to_its_item_and_nothing_saved(
    client, linked_rater
):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(1)
    data = section_post(section, "3")
    data[section.items[2].key] = "9"
    response = client.post(url("section", token, 1), data)
    assert response.status_code == 400
    row = next(
        r for r in response.context["rows"]["general"] if r["item"].key == section.items[2].key
    )
    assert row["error"] == "An answer is outside the scale."
    assert not Answer.objects.exists()
    # what was typed is still on the page
    kept = response.context["rows"]["general"][0]
    assert next(c for c in kept["choices"] if c["checked"])["value"] == "3"


def test_an_overlong_comment_is_refused_in_place_and_the_answers_kept_on_the_page(
    client, linked_rater
):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(1)
    response = client.post(
        url("section", token, 1), section_post(section, "2", comment_improvement="x" * 4001)
    )
    assert response.status_code == 400
    assert "under 4000 characters" in response.content.decode()
    assert not Answer.objects.exists()
    # The page's own error alert takes the focus when it loads (static/js/error-summary.js).
    body = response.content.decode()
    alert = body[body.index("Nothing was saved") - 200 : body.index("Nothing was saved")]
    assert "data-error-summary" in alert and 'tabindex="-1"' in alert


def test_submitting_with_gaps_lists_the_unanswered_items_by_section(client, linked_rater):
    rater, token = linked_rater
    questionnaire = build_questionnaire(rater.participant.level)
    client.post(url("section", token, 1), section_post(questionnaire.section(1)))
    response = client.post(url("review", token))
    assert response.status_code == 400
    sections = [m["section"].number for m in response.context["missing_by_section"]]
    assert sections == [2, 3, 4, 5, 6, 7]
    assert Answer.objects.count() == len(questionnaire.section(1).items)
    # The section page marks what is missing, in place.
    page = client.get(url("section", token, 2) + "?check=1")
    assert all(row["missing"] for row in page.context["rows"]["general"])


def test_full_journey_submit_thanks_then_read_only(client, linked_rater):
    rater, token = linked_rater
    answer_everything(client, lambda n: url("section", token, n), rater.participant.level)
    response = client.post(url("review", token))
    assert response.url == url("thanks", token)
    assert "Thank you" in client.get(response.url).content.decode()
    rater.refresh_from_db()
    assert rater.status == Rater.Status.SUBMITTED

    page = client.get(url("section", token, 1))
    assert page.context["read_only"]
    assert "disabled" in page.content.decode()
    count = Answer.objects.count()
    section = build_questionnaire(rater.participant.level).section(1)
    refused = client.post(url("section", token, 1), section_post(section, "1"))
    assert refused.status_code == 400
    assert "can no longer change" in refused.content.decode()
    assert Answer.objects.count() == count
    assert set(Answer.objects.values_list("score", flat=True)) == {4}


def test_a_double_clicked_submit_yields_one_submission(client, linked_rater):
    rater, token = linked_rater
    answer_everything(client, lambda n: url("section", token, n), rater.participant.level)
    first = client.post(url("review", token))
    second = client.post(url("review", token))
    assert first.status_code == second.status_code == 302
    assert Response.objects.filter(submitted_at__isnull=False).count() == 1


def test_posting_after_the_cycle_closed_says_so_and_keeps_the_draft(client, linked_rater):
    rater, token = linked_rater
    section = build_questionnaire(rater.participant.level).section(1)
    client.post(url("section", token, 1), section_post(section, "2"))
    Cycle.objects.update(state=Cycle.State.CLOSED)
    response = client.post(url("section", token, 1), section_post(section, "5"))
    assert response.status_code == 404
    assert set(Answer.objects.values_list("score", flat=True)) == {2}


def test_declining_with_a_reason(client, linked_rater):
    rater, token = linked_rater
    response = client.post(url("decline", token), {"reason": "Never worked together."})
    assert response.status_code == 302
    rater.refresh_from_db()
    assert rater.status == Rater.Status.DECLINED
    assert "declined" in client.get(url("start", token)).content.decode()


def test_hostile_names_and_comments_are_shown_as_text(client, compass):
    hostile = '<script>alert("x")</script>'
    participant = make_participant()
    participant.person.full_name = hostile
    participant.person.save()
    rater = RaterFactory(participant=participant)
    token = issue_token(rater)
    section = build_questionnaire(participant.level).section(1)
    client.post(url("section", token, 1), section_post(section, comment_strength=hostile))
    for page in [url("start", token), url("section", token, 1)]:
        body = client.get(page).content.decode()
        assert hostile not in body
        assert "&lt;script&gt;" in body


@pytest.mark.parametrize("slug", ["heads-of-teams", "executive-office"])
def test_questionnaire_page_and_draft_save_run_in_constant_queries(
    client, compass, django_assert_num_queries, slug
):
    rater = RaterFactory(participant=make_participant(level_slug=slug))
    token = issue_token(rater)
    section = build_questionnaire(rater.participant.level).section(1)
    client.get(url("section", token, 1))  # the process builds the questionnaire once
    # the first save of a rater who was only invited: the response is created
    with django_assert_num_queries(8):
        client.post(url("section", token, 1), section_post(section, comment_strength="Calm."))
    # the link, its rater and response in one query; the answers and the comments in one.
    # The questionnaire and its answer choices are built once per process.
    with django_assert_num_queries(2):
        client.get(url("section", token, 1))
    # a later save: the link; SAVEPOINT (BEGIN), the rater's lock, the response, the answers
    # and the comments upserted, the emptied comment removed, RELEASE (COMMIT)
    with django_assert_num_queries(8):
        client.post(
            url("section", token, 1),
            section_post(section, "2", comment_strength="", comment_improvement="Listen."),
        )
    assert {(c.kind, c.text) for c in Comment.objects.filter(response__rater=rater)} == {
        ("improvement", "Listen.")
    }
    assert set(Answer.objects.filter(response__rater=rater).values_list("score", flat=True)) == {2}


def test_rater_pages_carry_no_outside_resources(client, linked_rater):
    rater, token = linked_rater
    body = client.get(url("section", token, 1)).content.decode()
    assert not re.search(r'(src|href)="https?://', body)


def test_wrong_links_from_one_address_are_slowed_down(client, linked_rater, settings):
    settings.RATER_LINK_ATTEMPTS = 3
    rater, token = linked_rater
    statuses = [client.get(url("start", f"guess{i}" + "x" * 40)).status_code for i in range(4)]
    assert statuses == [404, 404, 404, 429]
    # the right link is never refused, and another address is not paused
    assert client.get(url("start", token)).status_code == 200
    other = client.get(url("start", "guess-other" + "x" * 40), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 404
