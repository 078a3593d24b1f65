"""The app in the reader's language (issue 15): a partner answers the whole questionnaire in
Arabic on a phone, right to left; a leader reads the released report in French; an HR admin
imports a cohort in Spanish. Every page is checked with axe, as in the other journeys."""

import re

from playwright.sync_api import expect

from assessments.models import Participant, Rater, User

from . import offscreen
from .helpers import PHONE, answer_section, emails_to, link_in, questions
from .offscreen import LEADER, LEADER_EMAIL, PASSWORD, PEERS

PARTNER = ("Rania Saleh", "rania.saleh@partner.example.net", "partner")
# Arabic-Indic digits: the app uses Western digits (0–9) in every language (README).
EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")


def html_direction(page):
    return page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")


def assert_no_eastern_digits(page):
    assert not EASTERN_DIGITS.search(page.locator("main").inner_text())


def test_a_partner_answers_and_submits_in_arabic_on_a_phone(site, journey, hr_admin):
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    offscreen.nominate(offscreen.participant(cycle, LEADER_EMAIL), [*PEERS, PARTNER])
    (invitation,) = emails_to(PARTNER[1])
    link = link_in(invitation, "/r/")

    rania = journey("partner-ar", PHONE)
    page = rania.page
    page.goto(link)
    # The start page offers the questionnaire's language; the partner reads Arabic.
    page.get_by_role("button", name="العربيّة").tap()
    expect(page.get_by_role("heading", name="ملاحظاتك بشأن Lucía Ortega")).to_be_visible()
    assert html_direction(page) == ["ar", "rtl"]
    assert "bootstrap.rtl.min.css" in page.locator("link[rel=stylesheet]").first.get_attribute(
        "href"
    )
    expect(page.get_by_text("إجاباتك مجهولة الهوية")).to_be_visible()
    # The name stands isolated inside the Arabic sentence.
    assert page.locator("h1 bdi").inner_text() == "Lucía Ortega"
    rania.check("start, Arabic")
    assert Rater.objects.get(email=PARTNER[1]).language == "ar"

    page.get_by_role("link", name="البدء", exact=True).tap()
    for number in range(1, 8):
        expect(page.get_by_role("heading", name=re.compile(rf"^{number} من 7: "))).to_be_visible()
        if number == 1:
            # Right to left: the first answer ("1") sits at the right, "5" to its left.
            first = questions(page).first
            one = first.locator("label[for$='-1']").bounding_box()
            five = first.locator("label[for$='-5']").bounding_box()
            assert one["x"] > five["x"] or one["y"] < five["y"]
            page.get_by_label(re.compile("ما الذي يُحسنه")).fill("يشرك الشركاء مبكرًا.")
        rania.check(f"section {number}", screenshot=number in (1, 7))
        answer_section(page, tap=True, pick=lambda i: "na" if i % 5 == 4 else str(2 + i % 4))
        last = number == 7
        page.get_by_role("button", name="الحفظ والمراجعة" if last else "الحفظ والمتابعة").tap()

    expect(page.get_by_role("heading", name="المراجعة والتقديم")).to_be_visible()
    assert_no_eastern_digits(page)
    rania.check("review")
    page.get_by_role("button", name="تقديم إجاباتي").tap()
    expect(page.get_by_role("heading", name="شكرًا لك")).to_be_visible()
    expect(page.get_by_text("قُدِّمت ملاحظاتك بشأن Lucía Ortega")).to_be_visible()
    rania.check("thanks")
    partner = Rater.objects.get(email=PARTNER[1])
    assert partner.status == Rater.Status.SUBMITTED
    # The comment is kept as written, in Arabic.
    assert partner.response.comments.get().text == "يشرك الشركاء مبكرًا."
    rania.done()


def test_a_leader_reads_the_report_in_french(site, journey, hr_admin):
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    offscreen.nominate(offscreen.participant(cycle, LEADER_EMAIL), PEERS)
    offscreen.everyone_answers(cycle)
    offscreen.close_and_release(cycle, hr_admin)
    leader = offscreen.choose_password(LEADER_EMAIL)

    lucia = journey("leader-fr")
    page = lucia.page
    page.goto("/")
    lucia.check("sign in")
    page.get_by_label("Email address").fill(LEADER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    lucia.check("home, English")

    # The header's choice: French, saved on the account.
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", name="Bienvenue, Lucía")).to_be_visible()
    assert html_direction(page) == ["fr", "ltr"]
    lucia.check("accueil")
    assert User.objects.get(email=LEADER_EMAIL).language == "fr"

    participant = Participant.objects.get(cycle=cycle, person=leader)
    page.goto(f"/reports/{participant.pk}/")
    expect(page.get_by_role("heading", name="Rapport 360 : Lucía Ortega")).to_be_visible()
    expect(page.get_by_text("Comment lire ce rapport")).to_be_visible()
    expect(page.get_by_role("heading", name="1. Qui a répondu")).to_be_visible()
    body = page.locator("main").inner_text()
    assert "How to read this report" not in body and "Who answered" not in body
    assert re.search(r"\b[1-5],\d\b", body), "scores in French format (decimal comma)"
    lucia.check("rapport")
    lucia.done()


PEOPLE = [
    ("amina.diallo@iom.example.org", "Amina Diallo", "heads-of-teams", "", "", "", "fr"),
    ("omar.haddad@iom.example.org", "Omar Haddad", "heads-of-teams", "", "", "", "ar"),
    ("rosa.delgado@iom.example.org", "Rosa Delgado", "heads-of-teams", "", "", "", ""),
]


def cohort_file(rows, name):
    lines = ["email,full_name,level,supervisor_email,org_unit,gender,language"]
    lines += [",".join(row) for row in rows]
    return {"name": name, "mimeType": "text/csv", "buffer": ("\n".join(lines) + "\n").encode()}


def test_an_hr_admin_imports_a_cohort_in_spanish(site, journey, hr_admin):
    hana = journey("hr-es")
    page = hana.page
    page.goto("/")
    # Before signing in, the page follows the browser (English here); the header changes it.
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    hana.check("inicio de sesión")
    page.get_by_label("Dirección de correo electrónico").fill(hr_admin.email)
    page.get_by_label("Contraseña").fill("pw-for-tests")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name="Le damos la bienvenida, Hana")).to_be_visible()
    hana.check("inicio")
    page.get_by_role("link", name="Gestionar los ciclos").click()
    expect(page.get_by_role("heading", name="Ciclos")).to_be_visible()
    hana.check("ciclos")

    page.get_by_role("link", name="Nuevo ciclo").click()
    hana.check("nuevo ciclo")
    page.get_by_label(re.compile(r"^\s*Nombre")).fill("Cohorte de campo 2026")
    page.get_by_role("group", name="El ciclo").get_by_label("Idioma").select_option("es")
    page.get_by_role("button", name="Crear el ciclo").click()
    expect(page.get_by_text("Se creó el ciclo Cohorte de campo 2026.")).to_be_visible()
    hana.check("ciclo en borrador")

    page.get_by_role("link", name="Importar participantes").click()
    hana.check("importar")
    upload = page.get_by_role("button", name="Importar", exact=True)
    bad = [*PEOPLE[:2], ("rosa.delgado@iom.example.org", "Rosa", "nivel-x", "", "", "", "xx")]
    page.get_by_label(re.compile(r"^\s*Archivo CSV")).set_input_files(cohort_file(bad, "mal.csv"))
    upload.click()
    expect(page.get_by_text("Nivel desconocido «nivel-x»")).to_be_visible()
    expect(page.get_by_text("Idioma desconocido «xx»")).to_be_visible()
    hana.check("importación con errores")
    page.get_by_label(re.compile(r"^\s*Archivo CSV")).set_input_files(
        cohort_file(PEOPLE, "cohorte.csv")
    )
    upload.click()
    expect(page.get_by_text(re.compile("Importación completada: 3 participantes"))).to_be_visible()
    assert html_direction(page) == ["es", "ltr"]
    hana.check("importación completada")
    languages = dict(Participant.objects.values_list("person__email", "language"))
    assert languages == {
        "amina.diallo@iom.example.org": "fr",
        "omar.haddad@iom.example.org": "ar",
        "rosa.delgado@iom.example.org": "es",
    }
    hana.done()
