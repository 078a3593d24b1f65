"""Each person in their own language (issue 15): imports, the rater's choice, emails, the
header's choice, the browser's language, right-to-left Arabic, and the reader's formats."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from assessments import emails, languages
from assessments.answering.questionnaire import build_questionnaire
from assessments.models import Comment, Cycle, Participant, Response, User
from assessments.reporting import charts
from assessments.running import imports
from assessments.running.imports import ImportRejected
from tests.assessments.helpers import cycle_data, fast_submit, section_post, submit_all
from tests.factories import (
    CycleFactory,
    RaterFactory,
    UserFactory,
    make_participant,
    self_rater,
    supervisor_rater,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
LINK = "https://compass.example.org/r/a-token/"


def page_language(response):
    html = response.content.decode()
    start = html.index("<html")
    return html[start : html.index(">", start) + 1]


# --- which language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("es-ES", "es"),
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("Français", "fr"),
        ("español", "es"),
        ("english", "en"),
        ("de", None),
        ("Klingon", None),
    ],
)
def test_an_import_cell_names_a_language_by_code_or_by_name(cell, code):
    assert languages.parse(cell) == code


HEADER = "email,full_name,level,supervisor_email,language\n"


def test_the_import_gives_each_participant_their_language_or_the_cycles(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.DRAFT, language="es")
    data = (
        HEADER + "amina@example.org,Amina Diallo,heads-of-teams,boss@example.org,fr\n"
        "omar@example.org,Omar Haddad,heads-of-teams,boss@example.org,Arabic\n"
        "ana@example.org,Ana Costa,heads-of-teams,boss@example.org,\n"
    )
    imports.import_participants(cycle=cycle, data=data.encode(), by=hr_admin)
    got = dict(Participant.objects.filter(cycle=cycle).values_list("person__email", "language"))
    assert got == {"amina@example.org": "fr", "omar@example.org": "ar", "ana@example.org": "es"}
    # New accounts read in their row's language until their owner picks another.
    assert User.objects.get(email="omar@example.org").language == "ar"


def test_an_unknown_language_is_refused_with_its_row_and_column(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    data = HEADER + "amina@example.org,Amina Diallo,heads-of-teams,boss@example.org,Klingon\n"
    with pytest.raises(ImportRejected) as caught:
        imports.import_participants(cycle=cycle, data=data.encode(), by=hr_admin)
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "language")
    assert "Klingon" in error.message


def test_reimporting_with_another_language_updates_it_in_place(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    row = "amina@example.org,Amina Diallo,heads-of-teams,boss@example.org,{}\n"
    imports.import_participants(cycle=cycle, data=(HEADER + row.format("fr")).encode(), by=hr_admin)
    summary = imports.import_participants(
        cycle=cycle, data=(HEADER + row.format("es")).encode(), by=hr_admin
    )
    assert summary.updated == 1
    assert Participant.objects.get(cycle=cycle).language == "es"


def test_hr_gives_a_cycle_its_language(client, hr_admin, compass):
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:cycle_create"),
        cycle_data(
            name="Cohorte de primavera",
            language="es",
            opens_on="2026-03-01",
            closes_on="2026-03-21",
        ),
    )
    assert response.status_code == 302
    assert Cycle.objects.get(name="Cohorte de primavera").language == "es"


# --- raters choose, and keep their answers ------------------------------------------------


def test_a_rater_chooses_the_questionnaire_language_on_the_start_page(client, linked_rater):
    rater, token = linked_rater
    start = reverse("rater:start", args=[token])
    page = client.get(start)
    assert b'value="ar"' in page.content  # the choice is offered on the start page
    response = client.post(
        reverse("rater:language", args=[token]), {"language": "ar", "next": start}
    )
    assert response.status_code == 302 and response.url == start
    rater.refresh_from_db()
    assert rater.language == "ar"
    # Another browser (no cookie, English preferred) still gets the rater's choice.
    other = client.__class__()
    page = other.get(start, HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(page) == '<html lang="ar" dir="rtl">'
    assert b"bootstrap.rtl.min.css" in page.content
    assert "لغة الاستبيان" in page.content.decode()


def test_switching_language_from_a_section_saves_what_was_typed_first(client, linked_rater):
    rater, token = linked_rater
    questionnaire = build_questionnaire(rater.participant.level)
    first = questionnaire.sections[0]
    url = reverse("rater:section", args=[token, 1])
    data = section_post(first, "4", comment_strength="Listens before deciding.")
    response = client.post(url, {**data, "language": "fr", "go": "language"})
    assert response.status_code == 302 and response.url == url
    rater.refresh_from_db()
    assert rater.language == "fr"
    saved = Response.objects.get(rater=rater)
    assert saved.answers.count() == len(first.items)
    assert saved.comments.get().text == "Listens before deciding."
    page = client.get(url)
    assert page_language(page) == '<html lang="fr" dir="ltr">'
    assert "Enregistrer et continuer" in page.content.decode()
    assert 'value="4" checked' in page.content.decode()


def test_a_wrong_link_cannot_set_a_language(client, linked_rater):
    response = client.post(reverse("rater:language", args=["not-a-token"]), {"language": "fr"})
    assert response.status_code == 404


def test_an_unknown_language_changes_nothing(client, linked_rater):
    rater, token = linked_rater
    client.post(reverse("rater:language", args=[token]), {"language": "xx"})
    rater.refresh_from_db()
    assert rater.language == ""


# --- signed-in users and anonymous pages --------------------------------------------------


def test_anonymous_pages_follow_the_browsers_language(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert page_language(page) == '<html lang="es" dir="ltr">'
    assert "Iniciar sesión" in page.content.decode()


def test_a_signed_in_user_picks_the_language_in_the_header_and_keeps_it(client, compass):
    user = UserFactory()
    client.force_login(user)
    home = client.get(reverse("home"))
    assert b'action="/language/"' in home.content
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "fr"
    # On another device (no language cookie, English browser) the account's choice applies.
    other = client.__class__()
    other.force_login(user)
    page = other.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(page) == '<html lang="fr" dir="ltr">'
    assert "Se déconnecter" in page.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "signed_in"])
def test_the_language_choice_is_a_post_for_everyone(client, role, outsider):
    if role == "signed_in":
        client.force_login(outsider)
    assert client.get(reverse("set_language")).status_code == 405
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    cookie = response.cookies["django_language"]
    assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"
    # An address elsewhere is never a target.
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "https://evil.example.com/"}
    )
    assert response.status_code == 302 and "evil" not in response.url


# --- emails in the recipient's language ---------------------------------------------------


def test_a_rater_invitation_goes_out_in_the_raters_language(compass):
    participant = make_participant(CycleFactory(name="Cohorte B", language="en"))
    rater = RaterFactory(participant=participant, language="ar")
    with translation.override("en"):
        emails.send_invitation(rater, LINK)
        assert translation.get_language() == "en"  # the request's language is left as it was
    [message] = mail.outbox
    assert message.subject.startswith("ملاحظاتك بشأن")
    html = message.alternatives[0][0]
    assert 'lang="ar"' in html and "قدّم ملاحظاتك" in html
    assert "قدّم ملاحظاتك هنا" in message.body


def test_a_participant_invitation_follows_the_cycles_language(compass):
    participant = make_participant(CycleFactory(language="es"))
    emails.send_invitation(self_rater(participant), LINK)
    assert mail.outbox[0].subject.startswith("Su evaluación 360")


def test_the_supervisors_own_language_wins_for_the_approval_request(compass):
    boss = UserFactory(language="fr")
    participant = make_participant(CycleFactory(language="es"), supervisor=boss)
    emails.send_approval_request(participant)
    assert "attendent votre approbation" in mail.outbox[0].subject
    emails.send_invitation(supervisor_rater(participant), LINK)
    assert mail.outbox[1].subject.startswith("Votre avis sur")


def test_the_report_notice_follows_the_participants_language(compass):
    participant = make_participant(CycleFactory())
    Cycle.objects.filter(pk=participant.cycle_id).update(state=Cycle.State.RELEASED)
    Participant.objects.filter(pk=participant.pk).update(language="ar")
    participant.refresh_from_db()
    emails.send_report_ready(participant)
    assert "جاهز" in mail.outbox[0].subject


def test_the_password_reset_email_is_in_the_accounts_language(client):
    UserFactory(email="amina@example.org", language="es")
    client.post(reverse("password_reset"), {"email": "amina@example.org"})
    [message] = mail.outbox
    assert "elija una nueva contraseña" in message.subject


# --- reports in the reader's language ------------------------------------------------------


@pytest.fixture
def released_report(compass):
    cycle = CycleFactory(state=Cycle.State.OPEN, anonymity_threshold=3)
    leader = UserFactory(full_name="Lucía Ortega")
    participant = make_participant(cycle, person=leader)
    fast_submit(self_rater(participant), "4")
    for _n in range(3):
        rater = RaterFactory(participant=participant)
        submit_all(rater, "3", comments={1: {"strength": "Listens before deciding."}})
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.RELEASED)
    return participant


def test_a_leader_reads_the_report_in_french_with_comments_as_written(client, released_report):
    leader = released_report.person
    leader.language = "fr"
    leader.save()
    client.force_login(leader)
    page = client.get(reverse("reports:individual", args=[released_report.pk])).content.decode()
    assert "Comment lire ce rapport" in page
    assert "Listens before deciding." in page  # never machine-translated
    assert Comment.objects.filter(text="Listens before deciding.").count() == 3
    assert "3,0" in page  # decimal comma: the reader's number format
    assert "How to read this report" not in page


def test_charts_are_mirrored_in_arabic():
    bars = [charts.Bar("الذات", 5, kind=charts.SELF), charts.Bar("الزملاء", 2)]
    with translation.override("ar"):
        root = ET.fromstring(str(charts.score_chart(chart_id="c", title="t", bars=bars)))  # noqa: S314
    assert root.get("direction") == "rtl"
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    right_edge = charts.WIDTH - charts.PLOT_LEFT
    for rect in rects:  # every bar grows leftwards from the scale's 1 on the right
        assert float(rect.get("x")) + float(rect.get("width")) == pytest.approx(right_edge)
    ticks = {t.text: float(t.get("x")) for t in root.iter(f"{SVG}text") if t.text in "12345"}
    assert ticks["1"] > ticks["5"]
    labels = [t for t in root.iter(f"{SVG}text") if t.text == "الذات"]
    assert float(labels[0].get("x")) == charts.WIDTH - charts.LABEL_RIGHT
    with translation.override("en"):
        root = ET.fromstring(str(charts.score_chart(chart_id="c", title="t", bars=bars)))  # noqa: S314
    assert root.get("direction") == "ltr"


# --- isolation and formats ---------------------------------------------------------------


def test_names_dates_and_numbers_in_sentences_are_isolated_and_escaped():
    template = Template(
        "{% load i18n %}{% blocktranslate with name=name|bdi date=day|date|bdi %}"
        "Feedback for {{ name }}{% endblocktranslate %} {{ day|bdi }} {{ n|bdi }}"
    )
    context = Context({"name": "<b>Ana</b>", "day": datetime.date(2026, 12, 14), "n": 3.5})
    with translation.override("fr"):
        out = template.render(context)
    assert "<bdi>&lt;b&gt;Ana&lt;/b&gt;</bdi>" in out
    assert "<bdi>14 décembre 2026</bdi>" in out
    assert "<bdi>3,5</bdi>" in out


def test_dates_on_rater_pages_are_in_the_readers_format(client, linked_rater):
    rater, token = linked_rater
    cycle = rater.participant.cycle
    Cycle.objects.filter(pk=cycle.pk).update(closes_on=datetime.date(2026, 12, 14))
    page = client.get(reverse("rater:start", args=[token]), HTTP_ACCEPT_LANGUAGE="es")
    assert "14 de diciembre de 2026" in page.content.decode()
    page = client.get(reverse("rater:start", args=[token]), HTTP_ACCEPT_LANGUAGE="ar")
    html = page.content.decode()
    assert "14 ديسمبر" in html  # Western Arabic digits, the month in Arabic
    assert "١" not in html and "٤" not in html
