"""The cohort report as CSV and XLSX: aggregates only, suppressed cells as text, nothing a
spreadsheet would evaluate, and for HR alone."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.answering.questionnaire import questionnaire_for
from assessments.models import Cycle, Rater, RaterGroup
from assessments.reporting import cohort_exports, group_reports
from compass.models import GRL_EDITION
from tests.assessments.helpers import fast_submit, rated_leader, release
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant, self_rater

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x","y")'
SUM = "@SUM(1)"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture
def cycle(compass):
    """Heads of Teams: five in an org unit named like a formula (self 4, peers 3, 3, 4 → others
    3.33), two in "@SUM(1)" (self 1, peers 1, 1, 2 → others 1.33: suppressed, below k = 3), and
    three Directors in Nairobi (self 5, peers 4, 4, 4), suppressed with them as the next
    smallest cell in the old rule; now the two hidden units hold seven leaders together, so
    Nairobi stays shown. The formula-named unit is suppressed: Heads of Teams (a shown level)
    minus it would be the two of "@SUM(1)" (issue 12, across breakdowns). Men: the two of
    "@SUM(1)"; everyone else women."""
    cycle = CycleFactory(name="Cohort Été 2026")
    boss = UserFactory()
    for _ in range(5):
        rated_leader(cycle, boss, org_unit=LINK, own="4", peers="334", gender="woman")
    for _ in range(2):
        rated_leader(cycle, boss, org_unit=SUM, gender="man", own="1", peers="112")
    for _ in range(3):
        rated_leader(
            cycle,
            boss,
            org_unit="Regional Office Nairobi",
            level_slug="directors",
            own="5",
            peers="444",
            gender="woman",
        )
    release(cycle)
    return cycle


def export_url(cycle, kind):
    return reverse("reports:cohort_export", args=[cycle.pk]) + f"?format={kind}"


def download(client, user, cycle, kind):
    client.force_login(user)
    return client.get(export_url(cycle, kind))


def csv_sections(content):
    """{section title: [header, row, …]} from the CSV export."""
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    sections, current = {}, None
    for row in csv.reader(io.StringIO(text[1:])):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


def rows_for(section, label):
    return [row for row in section[1:] if row[1] == label]


# --- CSV -----------------------------------------------------------------------------------


def test_csv_has_every_section_with_hand_computed_numbers(client, cycle, hr_admin):
    response = download(client, hr_admin, cycle, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="cohort-report-cohort-ete-2026.csv"'
    )
    sections = csv_sections(response.content)
    assert list(sections) == [
        "Response rates",
        "By level",
        "By org unit",
        "By gender",
        "Pitfalls per level",
        "Agreement per level",
        "Agreement by gender",
    ]
    assert sections["Response rates"][1:] == [
        ["Self-assessments", "10", "10", "100"],
        ["Raters (all except self)", "30", "30", "100"],
    ]
    levels = sections["By level"]
    assert levels[0] == [
        "Enabler",
        "Level",
        "Participants",
        "All except self: mean",
        "Self: mean",
        "Gap (self minus all except self)",
    ]
    # Heads of Teams: others (5 × 10 + 2 × 4) / 21 = 2.76, self (5 × 4 + 2 × 1) / 7 = 3.14,
    # written to one decimal as the page shows them; the gap is 3.1 − 2.8 as printed.
    heads = rows_for(levels, "Heads of Teams")
    assert len(heads) == 7
    assert all(row[2:] == ["7", "2.8", "3.1", "0.3"] for row in heads)
    assert all(row[2:] == ["3", "4.0", "5.0", "1.0"] for row in rows_for(levels, "Directors"))
    assert len(rows_for(levels, "All levels")) == 7
    pitfalls = sections["Pitfalls per level"]
    assert pitfalls[0] == ["Level", "Rank", "Pitfall", "Enabler", "All except self: mean"]
    assert [row[1] for row in pitfalls[1:4]] == ["1", "2", "3"]
    assert {row[4] for row in pitfalls[1:] if row[0] == "Directors"} == {"4.0"}


def test_csv_has_the_agreement_counts_with_the_pages_cells_hidden(client, cycle, hr_admin):
    """Self against others, as each leader's report prints them: the five women heads 4.0 and
    3.3 (over-estimators), the two men 1.0 and 1.3 (in agreement, low), the three directors
    5.0 and 4.0 (over-estimators)."""
    sections = csv_sections(download(client, hr_admin, cycle, "csv").content)
    levels = sections["Agreement per level"]
    assert levels[0] == [
        "Enabler",
        "Level",
        "Over-estimator",
        "Under-estimator",
        "In agreement, high",
        "In agreement, low",
        "Leaders judged",
    ]
    # Heads: the two men's "low" is below k, and the five over-estimators would give it away.
    assert {tuple(row[2:]) for row in rows_for(levels, "Heads of Teams")} == {
        ("hidden", "0", "0", "hidden", "7")
    }
    # Heads plus directors minus women is the two men: the directors' counts go, but the one
    # no other count shares.
    assert {tuple(row[2:]) for row in rows_for(levels, "Directors")} == {
        ("hidden", "hidden", "hidden", "0", "hidden")
    }
    genders = sections["Agreement by gender"]
    assert {tuple(row[2:]) for row in rows_for(genders, "Woman")} == {("8", "0", "0", "0", "8")}
    assert {tuple(row[2:]) for row in rows_for(genders, "Man")} == {("suppressed",) * 5}
    assert len(genders) == 1 + 2 * 7

    client.force_login(hr_admin)
    page = client.get(reverse("reports:cohort", args=[cycle.pk])).content.decode()
    page = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Heads of Teams Enabler Over-estimator" in page
    assert "Workforce hidden 0 0 hidden 7" in page  # the page hides the same counts
    assert "Workforce hidden hidden hidden 0 hidden" in page
    assert "Workforce 8 0 0 0 8" in page


def test_csv_writes_suppressed_cells_as_text_never_numbers(client, cycle, hr_admin):
    sections = csv_sections(download(client, hr_admin, cycle, "csv").content)
    units = sections["By org unit"]
    assert all(
        row[2:] == ["3", "4.0", "5.0", "1.0"] for row in rows_for(units, "Regional Office Nairobi")
    )
    for label in ("'" + LINK, "'" + SUM):
        rows = rows_for(units, label)
        assert len(rows) == 7
        assert all(row[2:] == ["suppressed"] * 4 for row in rows)
    genders = sections["By gender"]
    assert all(row[2:] == ["suppressed"] * 4 for row in genders[1:])
    # The suppressed unit's means (others 1.33, self 1.0) are nowhere in the file.
    text = download(client, hr_admin, cycle, "csv").content.decode()
    assert "1.33" not in text
    for title in ("By level", "By org unit", "By gender"):
        assert all(row[4] != "1.0" for row in sections[title])  # the self means


def test_csv_neutralises_formulas_in_org_unit_names(client, cycle, hr_admin):
    sections = csv_sections(download(client, hr_admin, cycle, "csv").content)
    labels = {row[1] for row in sections["By org unit"][1:]}
    assert labels == {"'" + LINK, "'" + SUM, "Regional Office Nairobi"}
    for section in sections.values():
        for row in section:
            for cell in row:
                assert not cell.startswith(("=", "@", "+", "\t", "\r")), cell


# --- XLSX ----------------------------------------------------------------------------------


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_xlsx_has_one_sheet_per_section(client, cycle, hr_admin):
    response = download(client, hr_admin, cycle, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="cohort-report-cohort-ete-2026.xlsx"'
    )
    book = workbook(response)
    assert book.sheetnames == [
        "Response rates",
        "By level",
        "By org unit",
        "By gender",
        "Pitfalls per level",
        "Agreement per level",
        "Agreement by gender",
    ]
    levels = list(book["By level"].iter_rows(values_only=True))
    assert levels[0][:3] == ("Enabler", "Level", "Participants")
    heads = [row for row in levels if row[1] == "Heads of Teams"]
    assert len(heads) == 7
    assert all(row[2:] == (7, 2.8, 3.1, 0.3) for row in heads)
    rates = list(book["Response rates"].iter_rows(values_only=True))
    assert rates[1] == ("Self-assessments", 10, 10, 100)


def test_xlsx_leaves_suppressed_cells_empty_with_a_note_and_formulas_as_text(
    client, cycle, hr_admin
):
    # Issue 16: a suppressed cell is empty in XLSX (no text in a number column) and carries a
    # note saying why; CSV still writes the word.
    book = workbook(download(client, hr_admin, cycle, "xlsx"))
    units = book["By org unit"]
    for row in units.iter_rows(min_row=2):
        label = row[1].value
        if label == "Regional Office Nairobi":
            assert [cell.value for cell in row[2:]] == [3, 4, 5, 1]
            assert row[2].data_type == "n"
            continue
        assert label in ("'" + LINK, "'" + SUM)
        assert row[1].data_type == "s"
        # Issue 16: a suppressed cell is empty in XLSX, with a note saying why.
        assert [cell.value for cell in row[2:]] == [None] * 4
        assert all("anonymity threshold" in cell.comment.text for cell in row[2:])
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "@", "+", "-")), cell.value
                else:
                    assert cell.value != 1.33  # the suppressed unit's others' mean


# --- nobody is in it -----------------------------------------------------------------------


def _all_text(client, hr, cycle):
    texts = [download(client, hr, cycle, "csv").content.decode("utf-8")]
    book = workbook(download(client, hr, cycle, "xlsx"))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts.append(" ".join(str(v) for v in row if v is not None))
    return "\n".join(texts)


def test_exports_hold_no_email_address_and_no_name(client, cycle, hr_admin):
    text = _all_text(client, hr_admin, cycle)
    assert not EMAIL.search(text)
    raters = Rater.objects.filter(participant__cycle=cycle).select_related("participant__person")
    for rater in raters:
        assert rater.name not in text
        assert rater.email not in text
        assert rater.participant.person.get_full_name() not in text


# --- who may download ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, cycle):
    response = client.get(export_url(cycle, "csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_hr_may_download(client, cycle, hr_admin):
    participant = cycle.participants.first()
    for user in (participant.person, participant.supervisor, UserFactory(is_staff=True)):
        for kind in ("csv", "xlsx"):
            assert download(client, user, cycle, kind).status_code == 404


def test_no_export_before_release_nor_in_an_unknown_format(client, cycle, hr_admin):
    assert download(client, hr_admin, cycle, "pdf").status_code == 404
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
    for kind in ("csv", "xlsx"):
        assert download(client, hr_admin, cycle, kind).status_code == 404


# --- builders and query budget -------------------------------------------------------------


def test_breakdown_rows_never_put_a_number_in_a_suppressed_cell(cycle):
    report = group_reports.cohort_report(cycle)
    for row in cohort_exports.breakdown_rows(report.org_units):
        if row[1] != "Regional Office Nairobi":
            assert row[2:] == ["suppressed"] * 4
    for row in cohort_exports.breakdown_rows(report.levels, total_label="All levels"):
        assert all(isinstance(value, float) for value in row[3:])  # shown: numbers


def test_exports_run_in_constant_queries(client, compass, hr_admin):
    counts = []
    for size in (3, 12):
        boss = UserFactory()
        cycle = CycleFactory()
        for i in range(size):
            rated_leader(
                cycle,
                boss,
                org_unit=f"Country Office {i % 4}",
                own="4",
                peers="333",
                gender="woman",
            )
        release(cycle)
        client.force_login(hr_admin)
        measured = []
        for kind in ("csv", "xlsx"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(export_url(cycle, kind)).status_code == 200
            measured.append(len(captured))
        counts.append(measured)
    assert counts[0] == counts[1]


def test_xlsx_sheets_read_like_a_hand_made_one(client, cycle, hr_admin):
    book = workbook(download(client, hr_admin, cycle, "xlsx"))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
        assert all(cell.font.bold for cell in sheet[1])
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(8 <= width <= 62 for width in widths), (sheet.title, widths)
    pitfalls = book["Pitfalls per level"]
    # The pitfall titles are wider than the rank column.
    assert pitfalls.column_dimensions["C"].width > pitfalls.column_dimensions["B"].width


def test_exports_carry_next_level_counts_and_the_gender_responsive_rows(client, compass, hr_admin):
    """A cycle with both options: three heads of teams whose peers give 4 on their own
    indicators, 3 on the next level's and 5 on the section's skills."""
    call_command("loaddata", "gender_responsive_leadership", verbosity=0)
    cycle = CycleFactory(next_level_part=True, grl_edition=GRL_EDITION)
    boss = UserFactory()
    for _ in range(3):
        participant = make_participant(cycle, supervisor=boss, gender="woman")
        questionnaire = questionnaire_for(participant)
        above = {i.key for s in questionnaire.sections for i in s.next_items}
        skills = {i.key for s in questionnaire.sections if s.is_grl for i in s.items}

        def score(item, above=above, skills=skills):
            return "3" if item.key in above else "5" if item.key in skills else "4"

        fast_submit(self_rater(participant), "4")
        for _ in range(3):
            fast_submit(RaterFactory(participant=participant, group=RaterGroup.PEER), score)
    release(cycle)

    sections = csv_sections(download(client, hr_admin, cycle, "csv").content)

    assert list(sections)[5:] == [
        "Agreement per level",
        "Agreement by gender",
        "Next-level behaviours per level",
        "Gender-responsive by level",
        "Gender-responsive by gender",
    ]
    next_level = sections["Next-level behaviours per level"]
    assert next_level[0] == [
        "Enabler",
        "Level",
        "Show next-level behaviours",
        "Leaders judged",
    ]
    assert {tuple(row[2:]) for row in rows_for(next_level, "Heads of Teams")} == {("3", "3")}
    assert len(next_level) == 1 + 7
    by_level = sections["Gender-responsive by level"]
    assert by_level[0][:3] == ["Skill", "Level", "Participants"]
    skills = [row for row in by_level[1:] if row[1] == "Heads of Teams"]
    assert len(skills) == 5  # the section's five skills, never the compass's enablers
    assert all(row[2:] == ["3", "5.0", "4.0", "-1.0"] for row in skills)
    assert {row[1] for row in sections["Gender-responsive by gender"][1:]} == {"Woman"}
    book = workbook(download(client, hr_admin, cycle, "xlsx"))
    assert book.sheetnames[5:] == [
        "Agreement per level",
        "Agreement by gender",
        "Next-level behaviours per level",
        "Gender-responsive by level",
        "Gender-responsive by gender",
    ]
    rows = list(book["Next-level behaviours per level"].iter_rows(values_only=True))
    assert rows[1][2:] == (3, 3)
