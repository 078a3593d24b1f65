"""The participation export: CSV with a byte-order mark and XLSX, aggregates per participant only,
every cell safe from formula injection."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Rater
from assessments.running import exports
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db

Status = Rater.Status
HOSTILE_NAME = '=HYPERLINK("http://x")'
HOSTILE_UNIT = "@SUM(1)"


@pytest.fixture
def cycle(compass):
    cycle = CycleFactory(name="Leaders 2026")
    hostile = make_participant(
        cycle,
        person=UserFactory(email="h@example.org", full_name=HOSTILE_NAME),
        supervisor=UserFactory(email="boss@example.org", full_name="+Boss"),
        org_unit=HOSTILE_UNIT,
        gender="woman",
    )
    hostile.raters.filter(group="self").update(status=Status.SUBMITTED)
    hostile.raters.filter(group="supervisor").update(status=Status.SUBMITTED)
    RaterFactory(participant=hostile, status=Status.SUBMITTED, name="Secret Peer")
    RaterFactory(participant=hostile, status=Status.DECLINED)
    RaterFactory(participant=hostile, group="partner", status=Status.INVITED)
    make_participant(cycle, person=UserFactory(email="lucia@example.org", full_name="Lucía Ortega"))
    return cycle


def export(client, cycle, kind):
    return client.get(reverse("hr:export_participation", args=[cycle.pk]), {"format": kind})


def test_csv_has_a_bom_one_row_per_participant_and_aggregates_only(as_hr, cycle):
    response = export(as_hr, cycle, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="participation-leaders-2026-' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *body = rows
    assert len(body) == 2
    assert "Secret Peer" not in response.content.decode()  # no rater appears by name
    by_email = {row[1]: dict(zip(header, row, strict=True)) for row in body}
    lucia = by_email["lucia@example.org"]
    assert lucia["Name"] == "Lucía Ortega"
    assert lucia["Response rate (%)"] == ""
    hostile = by_email["h@example.org"]
    assert hostile["Self-assessment"] == "Submitted"
    assert hostile["Peers: invited"] == "2"
    assert hostile["Peers: submitted"] == "1"
    assert hostile["Peers: declined"] == "1"
    assert hostile["Partners: invited"] == "1"
    assert hostile["Supervisor: submitted"] == "1"
    assert hostile["Response rate (%)"] == "50"  # supervisor + 1 peer of 4 invited


def test_csv_neutralises_formulas(as_hr, cycle):
    rows = list(csv.reader(io.StringIO(export(as_hr, cycle, "csv").content.decode("utf-8-sig"))))
    hostile = next(row for row in rows if row[1] == "h@example.org")
    assert hostile[0] == "'" + HOSTILE_NAME
    assert hostile[3] == "'" + HOSTILE_UNIT
    assert hostile[4] == "'+Boss"
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_xlsx_opens_with_text_not_formulas(as_hr, cycle):
    response = export(as_hr, cycle, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, *body = rows
    assert header[0] == "Name" and header[-1] == "Response rate (%)"
    hostile = next(row for row in body if row[1] == "h@example.org")
    assert hostile[0] == "'" + HOSTILE_NAME
    assert hostile[3] == "'" + HOSTILE_UNIT
    assert hostile[-1] == 50
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_xlsx_has_a_frozen_filtered_header_widths_and_numbers(as_hr, cycle):
    sheet = load_workbook(io.BytesIO(export(as_hr, cycle, "xlsx").content)).active
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.auto_filter.ref.endswith(str(sheet.max_row))
    header = [cell.value for cell in sheet[1]]
    email = header.index("Email") + 1
    assert sheet.column_dimensions[sheet.cell(1, email).column_letter].width >= len("h@example.org")
    rate = sheet.cell(2, len(header))
    assert rate.data_type == "n" or rate.value is None


def test_an_unknown_format_is_404(as_hr, cycle):
    assert export(as_hr, cycle, "pdf").status_code == 404


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Lucía", "Lucía"),
        (3, 3),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_export_in_constant_queries(as_hr, cycle, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        export(as_hr, cycle, "xlsx")
    for _ in range(5):
        make_participant(cycle)
    with django_assert_num_queries(len(few.captured_queries)):
        export(as_hr, cycle, "xlsx")
