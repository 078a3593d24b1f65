"""Raters without email (issue 19): a printed card with the link, a QR code and a short code."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from assessments.answering import nominations, tokens
from assessments.errors import DomainError
from assessments.models import AuditEvent, Cycle, EmailDelivery, Rater, RaterGroup
from assessments.running import hr_actions
from tests.assessments.helpers import submit_all
from tests.factories import CycleFactory, RaterFactory, make_participant

pytestmark = pytest.mark.django_db

Status = Rater.Status


def card_rater(participant, name="Amina Diallo", **extra):
    return RaterFactory(participant=participant, name=name, email="", **extra)


def card_url(rater):
    return reverse("my360:rater_card", args=[rater.participant_id, rater.pk])


def shown_code(body):
    return re.search(r'data-testid="short-code">([^<]+)<', body).group(1)


def shown_link(body):
    return re.search(r"(http://[^\s<\"]+/r/[A-Za-z0-9_-]{43}/)", body).group(1)


# --- the short code ------------------------------------------------------------------------


def test_a_short_code_has_60_bits_is_stable_and_only_its_hash_is_stored(participant):
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert len(tokens.CODE_ALPHABET) ** tokens.CODE_LENGTH == 2**60
    assert tokens.issue_code(rater) == code  # the same card every time it is printed
    rater.refresh_from_db()
    plain = code.replace("-", "")
    assert rater.code_hash == tokens.hash_token(plain)
    stored = " ".join(str(v) for v in Rater.objects.filter(pk=rater.pk).values().get().values())
    assert plain not in stored and code not in stored


def test_each_rater_gets_another_code_and_the_code_depends_on_the_server_key(participant, settings):
    first, second = card_rater(participant), card_rater(participant, name="Bo Berg")
    code = tokens.issue_code(first)
    assert code != tokens.issue_code(second)
    settings.RATER_LINK_KEY = "another key"
    assert tokens.issue_code(first) != code  # the database alone cannot give the codes


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "  {spaced}  ", "{plain}", "{confusable}"])
def test_a_code_is_found_whatever_the_case_spaces_dashes_or_look_alike_letters(participant, typed):
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    plain = code.replace("-", "")
    variants = {
        "code": code,
        "lower": code.lower(),
        "spaced": " ".join(plain[i : i + 3] for i in range(0, 12, 3)),
        "plain": plain,
        # Someone reading 0 as O and 1 as I or L still gets in.
        "confusable": plain.replace("0", "O").replace("1", "l"),
    }
    assert tokens.find_rater_by_code(typed.format(**variants), Rater.objects) == rater


@pytest.mark.parametrize("typed", ["", "ABC", "A" * 13, "ABCD-EFGH-JKMU!", "ABCD EFGH JKM"])
def test_what_cannot_be_a_code_is_not_looked_up(participant, typed):
    assert tokens.normalize_code(typed) is None
    assert tokens.find_rater_by_code(typed, Rater.objects) is None


def test_a_retired_link_takes_the_code_with_it(participant):
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    tokens.revoke_token(rater)
    assert tokens.find_rater_by_code(code, Rater.objects) is None


# --- adding a rater without email ----------------------------------------------------------


def post_nomination(client, participant, **data):
    return client.post(reverse("my360:nominate", args=[participant.pk]), data)


def test_a_leader_adds_a_rater_without_email_by_ticking_the_box(client, participant, leader):
    client.force_login(leader)
    response = post_nomination(
        client, participant, name="Amina Diallo", email="", group="partner", without_email="on"
    )
    assert response.status_code == 302
    rater = participant.raters.get(name="Amina Diallo")
    assert rater.email == "" and rater.group == RaterGroup.PARTNER
    body = client.get(response.url).content.decode()
    assert "No email: printed card" in body
    assert card_url(rater) in body


def test_an_empty_email_without_the_box_is_refused_and_so_is_an_email_with_it(
    client, participant, leader
):
    client.force_login(leader)
    empty = post_nomination(client, participant, name="Amina", email="", group="partner")
    assert empty.status_code == 200
    assert "tick the box below for a rater without email" in empty.content.decode()
    both = post_nomination(
        client, participant, name="Amina", email="a@x.org", group="partner", without_email="on"
    )
    assert "Leave the email empty" in both.content.decode()
    assert not participant.raters.filter(name="Amina").exists()


def test_two_raters_without_email_are_told_apart_by_name(participant):
    add = nominations.nominate_rater
    add(participant=participant, name="Amina Diallo", email="", group="partner")
    add(participant=participant, name="Amina Sow", email="", group="partner")
    with pytest.raises(DomainError) as error:
        add(participant=participant, name="amina diallo", email="", group="partner")
    assert error.value.field == "name"
    assert participant.raters.filter(email="").count() == 2


def test_hr_adds_a_rater_without_email_on_the_audit_trail(client, participant, hr_admin):
    client.force_login(hr_admin)
    cycle = participant.cycle
    response = client.post(
        reverse("hr:rater_add_without_email", args=[cycle.pk, participant.pk]),
        {"name": "Kofi Mensah", "group": "peer"},
    )
    assert response.status_code == 302
    rater = participant.raters.get(name="Kofi Mensah")
    assert rater.email == ""
    event = AuditEvent.objects.get(action="add_card_rater")
    assert event.actor == hr_admin and "Kofi Mensah" in event.detail
    page = client.get(response.url).content.decode()
    assert reverse("hr:rater_card", args=[cycle.pk, participant.pk, rater.pk]) in page


def test_hr_cannot_add_a_rater_without_email_to_a_closed_cycle(client, participant, hr_admin):
    Cycle.objects.update(state=Cycle.State.CLOSED)
    client.force_login(hr_admin)
    cycle = participant.cycle
    response = client.post(
        reverse("hr:rater_add_without_email", args=[cycle.pk, participant.pk]),
        {"name": "Kofi Mensah", "group": "peer"},
        follow=True,
    )
    assert "nominations can no longer change" in response.content.decode()
    assert not participant.raters.filter(name="Kofi Mensah").exists()


# --- the card ------------------------------------------------------------------------------


def test_the_card_has_a_server_drawn_qr_code_the_link_and_the_code(client, participant, leader):
    rater = card_rater(participant)
    client.force_login(leader)
    response = client.get(card_url(rater))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and 'class="segno"' in body  # drawn here, nothing fetched
    assert "Amina Diallo" in body and "Lucía Ortega" in body
    link = shown_link(body)
    code = shown_code(body)
    assert tokens.find_rater_by_code(code, Rater.objects) == rater
    assert client.get(card_url(rater)).content.decode().count(link) == 1
    assert shown_code(client.get(card_url(rater)).content.decode()) == code  # reprint = same
    client.logout()
    assert client.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_the_qr_code_encodes_the_personal_link(participant):
    from assessments.answering.cards import card_for

    rater = card_rater(participant)
    card = card_for(rater)
    assert card.link == tokens.rater_link(tokens.issue_token(rater))
    import segno

    expected = segno.make(card.link, error="m", micro=False)
    assert card.qr_svg == expected.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", omitsize=True
    )


def test_only_the_leader_and_hr_get_the_card_and_only_for_raters_without_email(
    client, participant, leader, hr_admin, outsider
):
    rater = card_rater(participant)
    with_email = RaterFactory(participant=participant)
    client.force_login(outsider)
    assert client.get(card_url(rater)).status_code == 404
    client.force_login(leader)
    assert client.get(card_url(with_email)).status_code == 404
    client.force_login(hr_admin)
    cycle_id = participant.cycle_id
    hr_url = reverse("hr:rater_card", args=[cycle_id, participant.pk, rater.pk])
    assert client.get(hr_url).status_code == 200
    hr_with_email = reverse("hr:rater_card", args=[cycle_id, participant.pk, with_email.pk])
    assert client.get(hr_with_email).status_code == 404


def test_the_card_reads_the_same_whatever_the_raters_progress(client, participant, leader):
    """The leader must not learn from the card page who has answered."""
    client.force_login(leader)
    pages = []
    for status in (Status.INVITED, Status.STARTED, Status.SUBMITTED):
        rater = card_rater(participant, name=f"Rater {status}", status=status)
        pages.append(client.get(card_url(rater)))
    assert [p.status_code for p in pages] == [200, 200, 200]


@pytest.mark.parametrize(
    "change",
    [
        {"status": Status.DECLINED},
        {"approval": Rater.Approval.REJECTED},
    ],
)
def test_no_card_for_a_rater_who_declined_or_was_rejected(client, participant, leader, change):
    rater = card_rater(participant, **change)
    client.force_login(leader)
    response = client.get(card_url(rater), follow=True)
    assert response.redirect_chain[-1][0] == reverse("my360:participation", args=[participant.pk])
    assert "<svg" not in response.content.decode()


@pytest.mark.parametrize("state", [Cycle.State.CLOSED, Cycle.State.RELEASED])
def test_no_card_once_the_cycle_is_closed(client, participant, leader, state):
    rater = card_rater(participant)
    Cycle.objects.update(state=state)
    client.force_login(leader)
    response = client.get(card_url(rater), follow=True)
    assert "the card can no longer be used" in response.content.decode()


def test_the_card_page_has_a_fixed_query_count(
    client, participant, leader, django_assert_max_num_queries
):
    rater = card_rater(participant)
    client.force_login(leader)
    client.get(card_url(rater))  # issues the link and code once
    for name in ("Bo", "Chen", "Dara"):
        card_rater(participant, name=name)
    with django_assert_max_num_queries(6):
        assert client.get(card_url(rater)).status_code == 200


# --- typing the code at /r/ ----------------------------------------------------------------


def test_the_code_typed_at_r_opens_the_questionnaire(client, participant):
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    assert client.get(reverse("rater:code")).status_code == 200
    response = client.post(reverse("rater:code"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response.url == reverse("rater:start", args=[tokens.issue_token(rater)])
    assert "Lucía Ortega" in client.get(response.url).content.decode()


def test_a_wrong_code_says_so_and_counts_as_a_wrong_link(client, participant):
    card_rater(participant)
    response = client.post(reverse("rater:code"), {"code": "ZZZZ-ZZZZ-ZZZZ"})
    assert response.status_code == 400
    assert "This code does not work" in response.content.decode()


def test_past_the_limit_even_the_right_code_is_not_looked_up(client, participant, settings):
    settings.RATER_LINK_ATTEMPTS = 3
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    for _ in range(3):
        assert client.post(reverse("rater:code"), {"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code == 400
    # A guesser cannot tell a right guess from a wrong one any more.
    assert client.post(reverse("rater:code"), {"code": code}).status_code == 429
    assert client.post(reverse("rater:code"), {"code": "ZZZZ-ZZZZ-ZZZY"}).status_code == 429


def test_wrong_links_and_wrong_codes_share_the_limit(client, participant, settings):
    settings.RATER_LINK_ATTEMPTS = 2
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    client.get(reverse("rater:start", args=["x" * 43]))
    client.get(reverse("rater:start", args=["y" * 43]))
    assert client.post(reverse("rater:code"), {"code": code}).status_code == 429


def test_the_limit_is_per_client_address(client, participant, settings):
    settings.RATER_LINK_ATTEMPTS = 1
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    client.post(reverse("rater:code"), {"code": "ZZZZ-ZZZZ-ZZZZ"}, REMOTE_ADDR="10.0.0.1")
    blocked = client.post(reverse("rater:code"), {"code": code}, REMOTE_ADDR="10.0.0.1")
    assert blocked.status_code == 429
    other = client.post(reverse("rater:code"), {"code": code}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def test_a_typo_in_the_shape_of_the_code_is_not_counted(client, participant, settings):
    settings.RATER_LINK_ATTEMPTS = 1
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    for _ in range(3):
        response = client.post(reverse("rater:code"), {"code": code[:-1]})
        assert "A code has 12 letters and digits" in response.content.decode()
    assert client.post(reverse("rater:code"), {"code": code}).status_code == 302


def test_the_code_page_has_a_fixed_query_count(client, participant, django_assert_max_num_queries):
    rater = card_rater(participant)
    code = tokens.issue_code(rater)
    for name in ("Bo", "Chen", "Dara"):
        tokens.issue_code(card_rater(participant, name=name))
    # The count, the lookup, and the miss counted (its first one creates the counter row).
    with django_assert_max_num_queries(7):
        client.post(reverse("rater:code"), {"code": "ZZZZ-ZZZZ-ZZZZ"})
    with django_assert_max_num_queries(4):
        client.post(reverse("rater:code"), {"code": "ZZZZ-ZZZZ-ZZZY"})
    with django_assert_max_num_queries(3):
        assert client.post(reverse("rater:code"), {"code": code}).status_code == 302


# --- after submitting: the card opens nothing ----------------------------------------------


def test_once_submitted_the_card_shows_only_thanks_never_the_answers(client, participant):
    rater = card_rater(participant)
    token = tokens.issue_token(rater)
    submit_all(rater, value="5")
    start = client.get(reverse("rater:start", args=[token]))
    assert start.status_code == 302 and start.url == reverse("rater:thanks", args=[token])
    section = client.get(reverse("rater:section", args=[token, 1]))
    assert section.status_code == 302
    thanks = client.get(start.url).content.decode()
    assert "your card no longer opens them" in thanks
    assert 'value="5" checked' not in thanks


def test_a_rater_with_email_still_sees_their_submitted_answers(client, participant):
    rater = RaterFactory(participant=participant)
    token = tokens.issue_token(rater)
    submit_all(rater)
    assert client.get(reverse("rater:start", args=[token])).status_code == 200


# --- emails go to the leader ---------------------------------------------------------------


def test_invitations_for_raters_without_email_go_to_the_leader_without_the_link(
    participant, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rater = nominations.nominate_rater(
            participant=participant, name="Amina Diallo", email="", group="partner"
        )
        for name in ("Bo", "Chen"):
            nominations.nominate_rater(
                participant=participant, name=name, email=f"{name}@x.org", group="partner"
            )
        for i in range(3):
            nominations.nominate_rater(
                participant=participant, name=f"P{i}", email=f"p{i}@x.org", group="peer"
            )
        nominations.submit_nominations(participant=participant)
    rater.refresh_from_db()
    assert rater.status == Status.INVITED
    assert all(m.to != [""] for m in mail.outbox)
    to_leader = [m for m in mail.outbox if m.to == [leader.email]]
    assert len(to_leader) == 1
    notice = to_leader[0]
    assert "Print the cards" in notice.subject
    assert "Amina Diallo" in notice.body and card_url(rater) in notice.body
    assert tokens.issue_token(rater) not in notice.body  # the leader is never mailed the link
    assert EmailDelivery.objects.filter(kind="card_notice", rater=rater).exists()


def test_reminders_for_raters_without_email_go_to_the_leader_naming_them_all(
    hr_admin, participant, leader, django_capture_on_commit_callbacks
):
    """The reminder never says who has not answered: every card rater still counted is named."""
    waiting = card_rater(participant, name="Amina Diallo")
    done = card_rater(participant, name="Bakary Sow")
    submit_all(done)
    card_rater(participant, name="Chidi Okafor", status=Status.DECLINED)
    with django_capture_on_commit_callbacks(execute=True):
        hr_actions.send_reminders(cycle=participant.cycle, by=hr_admin)
    assert all(m.to != [""] for m in mail.outbox)
    reminders = [m for m in mail.outbox if m.to == [leader.email] and "Remind your" in m.subject]
    assert len(reminders) == 1
    body = reminders[0].body
    assert "Amina Diallo" in body and "Bakary Sow" in body  # answered or not, both named
    assert "Chidi Okafor" not in body  # declined: the leader already sees that
    assert tokens.issue_token(waiting) not in body


def test_hr_resending_to_a_rater_without_email_tells_the_leader(
    client, hr_admin, participant, leader, django_capture_on_commit_callbacks
):
    rater = card_rater(participant)
    client.force_login(hr_admin)
    page = reverse("hr:participant_detail", args=[participant.cycle_id, participant.pk])
    assert "Tell the leader" in client.get(page).content.decode()
    url = reverse("hr:rater_resend", args=[participant.cycle_id, participant.pk, rater.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert [m.to for m in mail.outbox] == [[leader.email]]


def test_the_supervisor_approving_nominations_sees_which_raters_have_no_email(
    client, compass, leader
):
    cycle = CycleFactory(state=Cycle.State.OPEN, supervisor_approval_required=True)
    participant = make_participant(cycle, person=leader)
    nominations.nominate_rater(
        participant=participant, name="Amina Diallo", email="", group="partner"
    )
    client.force_login(participant.supervisor)
    page = client.get(reverse("my360:approvals", args=[participant.pk])).content.decode()
    assert "Amina Diallo" in page and "No email: printed card" in page


def test_the_reminder_preview_counts_raters_without_email_under_their_leader(participant, leader):
    from assessments.running import reminders

    card_rater(participant, name="Amina Diallo")
    card_rater(participant, name="Bakary Sow")
    plan = reminders.preview(reminders.remindable_raters(participant.cycle))
    addresses = {person["email"]: person["requests"] for person in plan.people}
    assert "" not in addresses
    assert addresses[leader.email] == 2
