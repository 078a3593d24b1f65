"""Importing participants (and raters) from CSV: all or nothing, every error by row and column."""

import pytest
from django.core import mail

from assessments.errors import DomainError
from assessments.models import AuditEvent, Cycle, Participant, Rater, RaterGroup, User
from assessments.running import imports
from assessments.running.imports import ImportRejected, RowError
from tests.factories import CycleFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,level,supervisor_email,org_unit,gender"
GOOD = "\n".join(
    [
        HEADER,
        "amina.diallo@example.org,Amina Diallo,Directors,,HQ Geneva,woman",
        "lucia.ortega@example.org,Lucía Ortega,Heads of Teams,amina.diallo@example.org,"
        "Country Office Kenya,Woman",
        "samuel.okoro@example.org,Samuel Okoro,heads-of-teams,amina.diallo@example.org,"
        "Country Office Kenya,prefer not to say",
    ]
)


@pytest.fixture
def draft(compass):
    return CycleFactory(state=Cycle.State.DRAFT)


def run(cycle, text, hr, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return imports.import_participants(cycle=cycle, data=data, by=hr)


def rejected(cycle, text, hr, **kwargs):
    """The errors of a refused import, after checking that nothing was saved."""
    users_before = User.objects.count()
    with pytest.raises(ImportRejected) as caught:
        run(cycle, text, hr, **kwargs)
    assert not Participant.objects.filter(cycle=cycle).exists()
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(cycle=cycle, action="import").exists()
    return caught.value.errors


def snapshot(cycle):
    return (
        sorted(
            Participant.objects.filter(cycle=cycle).values_list(
                "person__email", "level__slug", "supervisor__email", "org_unit", "gender"
            )
        ),
        sorted(Rater.objects.filter(participant__cycle=cycle).values_list("email", "group")),
        sorted(User.objects.values_list("email", "full_name")),
    )


# The happy path


def test_a_good_file_enrols_everyone_with_accounts_and_self_and_supervisor_raters(draft, hr_admin):
    summary = run(draft, GOOD, hr_admin)
    assert (summary.added, summary.updated, summary.unchanged) == (3, 0, 0)
    assert summary.accounts_created == 3
    assert summary.without_supervisor == 1
    lucia = Participant.objects.get(person__email="lucia.ortega@example.org")
    assert lucia.person.full_name == "Lucía Ortega"
    assert lucia.level.slug == "heads-of-teams"
    assert lucia.supervisor.email == "amina.diallo@example.org"
    assert lucia.gender == Participant.Gender.WOMAN
    assert lucia.org_unit == "Country Office Kenya"
    assert set(lucia.raters.values_list("group", flat=True)) == {"self", "supervisor"}
    assert not lucia.person.has_usable_password()
    samuel = Participant.objects.get(person__email="samuel.okoro@example.org")
    assert samuel.gender == Participant.Gender.UNDISCLOSED
    event = AuditEvent.objects.get(cycle=draft, action="import")
    assert event.actor == hr_admin
    assert "3 added" in event.detail
    assert not mail.outbox  # a draft cycle sends nothing


def test_reimporting_the_same_file_changes_nothing(draft, hr_admin):
    run(draft, GOOD, hr_admin)
    before = snapshot(draft)
    summary = run(draft, GOOD, hr_admin)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 3)
    assert summary.accounts_created == 0
    assert snapshot(draft) == before


def test_existing_accounts_are_reused_whatever_the_case_of_the_email(draft, hr_admin):
    lucia = UserFactory(email="lucia.ortega@example.org", full_name="Lucía O.")
    boss = UserFactory(email="amina.diallo@example.org", full_name="Dr Amina Diallo")
    text = GOOD.replace("lucia.ortega@example.org", "Lucia.Ortega@EXAMPLE.org").replace(
        ",amina.diallo@example.org", ",AMINA.diallo@example.org"
    )
    summary = run(draft, text, hr_admin)
    assert summary.accounts_created == 1  # Samuel only
    assert Participant.objects.get(cycle=draft, person=lucia).supervisor == boss
    lucia.refresh_from_db()
    assert lucia.full_name == "Lucía O."  # a name someone chose is never overwritten
    assert User.objects.filter(email__iexact="lucia.ortega@example.org").count() == 1


def test_a_supervisor_who_is_not_a_participant_gets_an_account_named_from_the_email(
    draft, hr_admin
):
    text = f"{HEADER}\nlucia@example.org,Lucía Ortega,Directors,peter.kamau@example.org,,"
    run(draft, text, hr_admin)
    boss = User.objects.get(email="peter.kamau@example.org")
    assert boss.full_name == "peter.kamau"
    assert not boss.has_usable_password()
    # A later file that lists them as a participant gives their real name.
    run(
        draft,
        f"{HEADER}\npeter.kamau@example.org,Peter Kamau,Executive Office,,,\n"
        "lucia@example.org,Lucía Ortega,Directors,peter.kamau@example.org,,",
        hr_admin,
    )
    boss.refresh_from_db()
    assert boss.full_name == "Peter Kamau"


def test_a_supervisor_listed_further_down_gets_the_name_from_their_own_row(draft, hr_admin):
    text = "\n".join(
        [
            HEADER,
            "lucia@example.org,Lucía Ortega,Directors,amina@example.org,,",
            "amina@example.org,Amina Diallo,Executive Office,,,",
        ]
    )
    run(draft, text, hr_admin)
    assert User.objects.get(email="amina@example.org").full_name == "Amina Diallo"
    rater = Rater.objects.get(participant__person__email="lucia@example.org", group="supervisor")
    assert rater.name == "Amina Diallo"


def test_excel_exports_bom_semicolons_crlf_and_any_column_order(draft, hr_admin):
    text = (
        "\ufeffLevel;Full Name;EMAIL;Supervisor_Email;Org unit;Gender\r\n"
        "All leaders;Lucía Ortega;lucia@example.org;;Kenya;another gender\r\n"
        ";;;;;\r\n"
    )
    summary = run(draft, text, hr_admin)
    assert summary.added == 1
    participant = Participant.objects.get()
    assert participant.level.slug == "all-leaders"
    assert participant.gender == Participant.Gender.ANOTHER


def test_optional_columns_may_be_left_out(draft, hr_admin):
    run(draft, "email,full_name,level\nlucia@example.org,Lucía Ortega,Directors", hr_admin)
    participant = Participant.objects.get()
    assert (participant.supervisor, participant.org_unit, participant.gender) == (None, "", "")


def test_reimport_in_a_draft_updates_level_supervisor_and_org_unit_in_place(draft, hr_admin):
    run(draft, GOOD, hr_admin)
    changed = GOOD.replace(
        "Lucía Ortega,Heads of Teams,amina.diallo@example.org,Country Office Kenya",
        "Lucía Ortega,Directors,samuel.okoro@example.org,HQ Geneva",
    )
    summary = run(draft, changed, hr_admin)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 2)
    lucia = Participant.objects.get(person__email="lucia.ortega@example.org")
    assert lucia.level.slug == "directors"
    assert lucia.org_unit == "HQ Geneva"
    assert lucia.supervisor.email == "samuel.okoro@example.org"
    assert lucia.raters.get(group="supervisor").email == "samuel.okoro@example.org"
    assert Participant.objects.filter(cycle=draft).count() == 3


def test_reimport_in_an_open_cycle_refuses_a_changed_level(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    run(cycle, GOOD, hr_admin)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.OPEN)
    changed = GOOD.replace("Lucía Ortega,Heads of Teams", "Lucía Ortega,Directors")
    with pytest.raises(ImportRejected) as caught:
        run(cycle, changed, hr_admin)
    (error,) = caught.value.errors
    assert (error.row, error.column) == (3, "level")
    assert "cannot change once the cycle is open" in error.message
    assert Participant.objects.get(person__email="lucia.ortega@example.org").level.slug == (
        "heads-of-teams"
    )


def test_late_joiners_of_an_open_cycle_are_invited(
    compass, hr_admin, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        run(cycle, "email,full_name,level\nlucia@example.org,Lucía Ortega,Directors", hr_admin)
    assert [m.to for m in mail.outbox] == [["lucia@example.org"]]
    assert Participant.objects.get().invited_at is not None


def test_a_closed_cycle_takes_no_import(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.CLOSED)
    with pytest.raises(DomainError):
        run(cycle, GOOD, hr_admin)


# Each bad file: refused whole, with the row and column, and nothing saved


def only_error(cycle, text, hr, **kwargs):
    errors = rejected(cycle, text, hr, **kwargs)
    assert len(errors) == 1, errors
    return errors[0]


def test_unknown_level(draft, hr_admin):
    text = GOOD.replace("Samuel Okoro,heads-of-teams", "Samuel Okoro,Team lead")
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (4, "level")
    assert "Unknown level “Team lead”" in error.message
    assert "Heads of Teams" in error.message


def test_malformed_email(draft, hr_admin):
    text = GOOD.replace("samuel.okoro@example.org,Samuel", "samuel.okoro@example,Samuel")
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (4, "email")
    assert "not a valid email address" in error.message


def test_malformed_supervisor_email(draft, hr_admin):
    text = GOOD.replace(
        "Lucía Ortega,Heads of Teams,amina.diallo@example.org",
        "Lucía Ortega,Heads of Teams,amina diallo",
    )
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (3, "supervisor_email")


def test_duplicate_email_in_the_file(draft, hr_admin):
    text = GOOD + "\nLUCIA.ORTEGA@example.org,Lucía Ortega,Directors,,,"
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (5, "email")
    assert "already on row 3" in error.message


def test_own_supervisor(draft, hr_admin):
    text = GOOD.replace(
        "Amina Diallo,Directors,,", "Amina Diallo,Directors,amina.diallo@example.org,"
    )
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (2, "supervisor_email")
    assert "own supervisor" in error.message


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (",Amina Diallo,Directors,,HQ,", "email", "email address is missing"),
        ("amina@example.org,,Directors,,HQ,", "full_name", "full name is missing"),
        ("amina@example.org,Amina Diallo,,,HQ,", "level", "level is missing"),
    ],
)
def test_missing_required_value(draft, hr_admin, row, column, message):
    error = only_error(draft, f"{HEADER}\n{row}", hr_admin)
    assert (error.row, error.column) == (2, column)
    assert message in error.message


def test_unknown_gender(draft, hr_admin):
    text = GOOD.replace("HQ Geneva,woman", "HQ Geneva,female")
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (2, "gender")
    assert "prefer not to say" in error.message


def test_every_error_of_every_row_is_listed(draft, hr_admin):
    text = "\n".join(
        [
            HEADER,
            "not-an-email,Amina Diallo,Boss,,,",
            "lucia@example.org,,Directors,lucia@example.org,,robot",
        ]
    )
    errors = rejected(draft, text, hr_admin)
    assert [(e.row, e.column) for e in errors] == [
        (2, "email"),
        (2, "level"),
        (3, "full_name"),
        (3, "supervisor_email"),
        (3, "gender"),
    ]


def test_a_file_that_is_not_utf8(draft, hr_admin):
    error = only_error(draft, GOOD, hr_admin, encoding="cp1252")
    assert error.row is None
    assert "not UTF-8" in error.message
    assert "CSV UTF-8" in error.message


def test_an_excel_workbook_instead_of_csv(draft, hr_admin):
    error = only_error(draft, b"PK\x03\x04\x14\x00\x06\x00 rest of a zip", hr_admin)
    assert error.row is None
    assert "Excel workbook" in error.message


def test_an_empty_file(draft, hr_admin):
    error = only_error(draft, b"", hr_admin)
    assert (error.row, error.message) == (None, "The file is empty.")


def test_a_header_without_rows(draft, hr_admin):
    error = only_error(draft, HEADER + "\n", hr_admin)
    assert error.row is None
    assert "no rows" in error.message


def test_a_file_over_the_size_limit(draft, hr_admin):
    big = (HEADER + "\n").encode() + b"x" * (imports.MAX_BYTES + 1)
    error = only_error(draft, big, hr_admin)
    assert error.row is None
    assert "larger than 2 MB" in error.message


def test_a_file_with_too_many_rows(draft, hr_admin):
    rows = [f"p{i}@example.org,P {i},Directors,,," for i in range(imports.MAX_ROWS + 1)]
    error = only_error(draft, "\n".join([HEADER, *rows]), hr_admin)
    assert error.row is None
    assert "5000" in error.message or "5,000" in error.message


def test_a_missing_header_column(draft, hr_admin):
    error = only_error(draft, "email,full_name\nlucia@example.org,Lucía", hr_admin)
    assert (error.row, error.column) == (1, "level")
    assert "missing from the header" in error.message


def test_an_unknown_column_is_refused_not_ignored(draft, hr_admin):
    text = GOOD.replace("supervisor_email", "supervisor mail")
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (1, "supervisor mail")
    assert "Unknown column" in error.message


def test_an_unquoted_comma_in_a_value(draft, hr_admin):
    text = f"{HEADER}\namina@example.org,Diallo, Amina,Directors,,HQ,woman"
    error = only_error(draft, text, hr_admin)
    assert error.row == 2
    assert "7 cells" in error.message


def test_row_numbers_count_blank_lines_and_quoted_line_breaks_as_the_spreadsheet_does(
    draft, hr_admin
):
    text = "\n".join(
        [
            HEADER,
            'amina@example.org,Amina Diallo,Directors,,"HQ\nGeneva",',
            "",
            "lucia@example.org,Lucía Ortega,Chief,,,",
        ]
    )
    error = only_error(draft, text, hr_admin)
    assert (error.row, error.column) == (4, "level")


def test_parsing_is_pure_and_returns_rows_and_errors(compass):
    levels = list(compass)
    result = imports.parse_participants(GOOD.encode(), levels=levels)
    assert result.ok
    assert [row.email for row in result.rows] == [
        "amina.diallo@example.org",
        "lucia.ortega@example.org",
        "samuel.okoro@example.org",
    ]
    bad = imports.parse_participants(f"{HEADER}\nx,Y,Z,,,".encode(), levels=levels)
    assert bad.rows == []
    assert RowError(2, "email", "“x” is not a valid email address.") in bad.errors


# Raters nominated by HR


RATERS_HEADER = "participant_email,rater_email,rater_name,group"


@pytest.fixture
def draft_participant(compass, leader):
    return make_participant(CycleFactory(state=Cycle.State.DRAFT), person=leader)


def test_hr_can_nominate_raters_from_a_file(draft_participant, hr_admin):
    text = "\n".join(
        [
            RATERS_HEADER,
            "lucia.ortega@example.org,ama@example.org,Ama Mensah,peer",
            "LUCIA.ORTEGA@example.org,kofi@example.org,Kofi Boateng,Direct reports",
            "lucia.ortega@example.org,partner@ngo.example.net,Pat Partner,partners",
        ]
    )
    added = imports.import_raters(cycle=draft_participant.cycle, data=text.encode(), by=hr_admin)
    assert added == 3
    groups = dict(draft_participant.raters.values_list("email", "group"))
    assert groups["ama@example.org"] == RaterGroup.PEER
    assert groups["kofi@example.org"] == RaterGroup.DIRECT_REPORT
    assert groups["partner@ngo.example.net"] == RaterGroup.PARTNER
    assert AuditEvent.objects.get(action="import_raters").actor == hr_admin


def test_a_bad_rater_row_saves_nothing_and_says_why(draft_participant, hr_admin):
    text = "\n".join(
        [
            RATERS_HEADER,
            "lucia.ortega@example.org,ama@example.org,Ama Mensah,peer",
            "nobody@example.org,kofi@example.org,Kofi Boateng,peer",
            "lucia.ortega@example.org,lucia.ortega@example.org,Lucía Ortega,peer",
            f"lucia.ortega@example.org,{draft_participant.supervisor.email},The Boss,peer",
            "lucia.ortega@example.org,x@example.org,X,friends",
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        imports.import_raters(cycle=draft_participant.cycle, data=text.encode(), by=hr_admin)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "participant_email"),
        (4, "rater_email"),
        (5, "rater_email"),
        (6, "group"),
    ]
    assert set(draft_participant.raters.values_list("group", flat=True)) == {"self", "supervisor"}


def test_rater_import_applies_the_cycles_most_raters_per_group(draft_participant, hr_admin):
    rows = [f"lucia.ortega@example.org,p{i}@example.org,Peer {i},peer" for i in range(9)]
    with pytest.raises(ImportRejected) as caught:
        imports.import_raters(
            cycle=draft_participant.cycle,
            data="\n".join([RATERS_HEADER, *rows]).encode(),
            by=hr_admin,
        )
    (error,) = caught.value.errors
    assert error.row == 10
    assert "most raters allowed" in error.message
    assert not draft_participant.raters.filter(group="peer").exists()


def test_row_errors_and_conflicts_with_the_cycle_are_listed_together(compass, hr_admin):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    run(cycle, GOOD, hr_admin)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.OPEN)
    changed = GOOD.replace("Lucía Ortega,Heads of Teams", "Lucía Ortega,Directors").replace(
        "HQ Geneva,woman", "HQ Geneva,robot"
    )
    with pytest.raises(ImportRejected) as caught:
        run(cycle, changed, hr_admin)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "gender"), (3, "level")]
