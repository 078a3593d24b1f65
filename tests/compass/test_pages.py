import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("compass:matrix", []),
    ("compass:matrix_edition", ["2024"]),
    ("compass:enabler", ["2024", "partnerships"]),
    ("compass:level", ["2024", "directors"]),
    ("compass:cell", ["2024", "heads-of-teams", "funding"]),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_compass_pages_ask_visitors_to_sign_in(client, compass, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_matrix_shows_every_level_and_enabler_with_links_to_cells(as_outsider):
    response = as_outsider.get(reverse("compass:matrix"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ["All leaders", "Executive Office", "Workforce", "Internal Systems"]:
        assert name in body
    assert reverse("compass:cell", args=["2024", "directors", "data-evidence"]) in body


def test_enabler_page_shows_growth_from_all_leaders_to_executive_office(as_outsider):
    response = as_outsider.get(reverse("compass:enabler", args=["2024", "partnerships"]))
    body = response.content.decode()
    assert [behaviour.level.name for behaviour, _ in response.context["steps"]] == [
        "All leaders",
        "Heads of Teams",
        "Chiefs of Mission & Heads of Office",
        "Directors",
        "Executive Office",
    ]
    headings = [body.index(f'id="step-{slug}"') for slug in ["all-leaders", "executive-office"]]
    assert headings == sorted(headings)
    assert "Over-Reliance on Familiar Networks" in body  # a Heads of Teams pitfall
    assert "Lack of Clear Partnership Framework" in body  # an Executive Office pitfall


def test_level_page_shows_all_seven_enablers_with_their_pitfalls(as_outsider):
    response = as_outsider.get(reverse("compass:level", args=["2024", "directors"]))
    body = response.content.decode()
    assert response.context["level"].name == "Directors"
    assert len(response.context["sections"]) == 7
    assert "Silos and Isolation" in body


def test_cell_page_lists_indicators_and_pitfalls(as_outsider):
    response = as_outsider.get(
        reverse("compass:cell", args=["2024", "heads-of-teams", "workforce"])
    )
    body = response.content.decode()
    assert "Micromanagement" in body
    assert len(response.context["pitfalls"]) == 3


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("compass:enabler", ["2024", "no-such-enabler"]),
        ("compass:level", ["2024", "no-such-level"]),
        ("compass:cell", ["2024", "all-leaders", "nothing"]),
        ("compass:matrix_edition", ["1999"]),
    ],
)
def test_unknown_compass_pages_answer_404(as_outsider, name, args):
    assert as_outsider.get(reverse(name, args=args)).status_code == 404


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_compass_pages_run_a_constant_number_of_queries(
    as_outsider, django_assert_max_num_queries, name, args
):
    # Session + user, then a handful of reads whatever the number of cells or indicators.
    with django_assert_max_num_queries(8):
        assert as_outsider.get(reverse(name, args=args)).status_code == 200
