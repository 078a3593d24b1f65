"""Server-side SVG charts: well-formed, accessible, escaped, and drawn to scale."""

import xml.etree.ElementTree as ET

import pytest
from django.template.loader import get_template
from django.utils import translation

from assessments.reporting import charts
from assessments.reporting.presenting import fragments, numbers

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"


def parse(markup):
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, not untrusted input


def bars_of(root):
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]


@pytest.fixture
def chart():
    return charts.score_chart(
        chart_id="chart-workforce",
        title="Workforce: mean score per rater group",
        bars=[
            charts.Bar("Self", 5, kind=charts.SELF),
            charts.Bar("Supervisor", 2, kind=charts.SUPERVISOR),
            charts.Bar("Peers", 4, kind=charts.UNIT),
            charts.Bar("Direct reports", note="too few answers"),
            charts.Bar("Partners"),
            charts.Bar("All except self", 3.5, kind=charts.OTHERS),
        ],
    )


def test_the_chart_is_well_formed_svg(chart):
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox").startswith("0 0 ")


def test_the_chart_is_an_image_with_a_title_and_a_description(chart):
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-workforce-title chart-workforce-desc"
    title = root.find(f"{SVG}title")
    assert title.get("id") == "chart-workforce-title"
    assert title.text == "Workforce: mean score per rater group"
    desc = root.find(f"{SVG}desc").text
    assert "Self: 5.0" in desc
    assert "Direct reports: too few answers" in desc
    assert "Partners: no answers" in desc
    assert "All except self: 3.5" in desc


def test_bars_are_proportional_to_the_score_on_the_one_to_five_axis(chart):
    widths = {float(r.get("data-value")): float(r.get("width")) for r in bars_of(parse(chart))}
    full = charts.PLOT_RIGHT - charts.PLOT_LEFT
    assert widths == {
        5.0: pytest.approx(full),
        2.0: pytest.approx(full / 4),
        4.0: pytest.approx(full * 3 / 4),
        3.5: pytest.approx(full * 2.5 / 4),
    }
    for rect in bars_of(parse(chart)):
        assert float(rect.get("x")) == charts.PLOT_LEFT


def test_each_bar_is_labelled_with_its_value_so_colour_carries_no_meaning_alone(chart):
    texts = [t.text for t in parse(chart).iter(f"{SVG}text")]
    for label in ("Self", "Supervisor", "Peers", "All except self"):
        assert label in texts
    for value in ("5.0", "2.0", "4.0", "3.5"):
        assert value in texts


def test_too_few_answers_is_drawn_as_a_labelled_gap_not_a_bar(chart):
    root = parse(chart)
    gaps = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-gap"]
    assert len(gaps) == 1
    assert "too few answers" in [t.text for t in root.iter(f"{SVG}text")]
    assert len(bars_of(root)) == 4


def test_each_kind_of_bar_has_its_own_pattern_with_ids_unique_to_the_chart(chart):
    root = parse(chart)
    pattern_ids = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    fills = {r.get("fill") for r in bars_of(root)}
    assert fills == {
        "url(#chart-workforce-self)",
        "url(#chart-workforce-supervisor)",
        "url(#chart-workforce-unit)",
        "url(#chart-workforce-others)",
    }
    assert {fill[5:-1] for fill in fills} <= pattern_ids
    assert all(pattern_id.startswith("chart-workforce-") for pattern_id in pattern_ids)


def test_labels_and_titles_are_escaped():
    markup = charts.score_chart(
        chart_id="c",
        title=f"Title {HOSTILE}",
        bars=[charts.Bar(HOSTILE, 3), charts.Bar(f"A & B {HOSTILE}", note=HOSTILE)],
    )
    assert HOSTILE not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)  # still well-formed
    assert root.find(f"{SVG}title").text == f"Title {HOSTILE}"
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))


def test_long_labels_are_shortened_and_kept_whole_in_the_tooltip():
    label = "Encourages and supports staff to take up learning opportunities, always"
    root = parse(charts.score_chart(chart_id="c", title="t", bars=[charts.Bar(label, 3)]))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t and t.endswith("…") and len(t) <= charts.LABEL_CHARS for t in texts)
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{label}: 3.0" in tooltips


def test_scores_are_rounded_half_up_to_one_decimal():
    assert numbers.score(23 / 7) == "3.3"
    assert numbers.score(4) == "4.0"
    assert numbers.score(2.25) == "2.3"


def test_pitfall_chart_marks_often_and_names_flagged_bars():
    markup = charts.pitfall_chart(
        chart_id="chart-pitfalls",
        title="Pitfalls",
        bars=[
            charts.Bar("Micromanagement", 4.0, kind=charts.FLAGGED, flag="often or more"),
            charts.Bar("Silo thinking", 2.0, kind=charts.PITFALL),
        ],
        flag_at=3.5,
    )
    root = parse(markup)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "often" in texts  # the dashed reference line's label
    assert "4.0 · often or more" in texts
    assert "Never" in texts and "Almost always" in texts
    reference = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray") == "6 3"]
    assert len(reference) == 1
    assert float(reference[0].get("x1")) == pytest.approx(charts.x_for(3.5))


def test_an_empty_chart_is_still_well_formed():
    root = parse(charts.score_chart(chart_id="c", title="Nothing yet", bars=[]))
    assert root.find(f"{SVG}title").text == "Nothing yet"


def test_a_chart_carries_no_more_precision_than_its_table():
    """Issue 12: the bar, its data attribute and its label hold the mean as printed (one
    decimal); 10/3 must not be recoverable as 3.33 from the chart."""
    markup = charts.score_chart(
        chart_id="c", title="t", bars=[charts.Bar(label="Peers", value=10 / 3)]
    )
    (bar,) = bars_of(parse(markup))
    assert bar.get("data-value") == "3.3"
    assert float(bar.get("width")) == pytest.approx(
        (3.3 - 1) / 4 * (charts.PLOT_RIGHT - charts.PLOT_LEFT)
    )
    assert "3.33" not in markup


# --- rendered once per shape and filled (issue 20) -----------------------------------------


FILL_BARS = [
    charts.Bar(HOSTILE, 4.25, kind=charts.SELF),
    charts.Bar("Supervisor", 1, kind=charts.SUPERVISOR),
    charts.Bar("Peers & partners", note="too few answers"),
    charts.Bar("Direct reports"),
    charts.Bar('A "quoted" label long enough to be shortened', 5, kind=charts.OTHERS, flag="often"),
]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("reference", [None, (3.5, "often")])
@pytest.mark.parametrize("bars", [FILL_BARS, FILL_BARS[::-1], FILL_BARS[:1], []])
def test_a_chart_is_exactly_its_template_rendered(language, reference, bars):
    with translation.override(language):
        for chart_id in ("chart-a", "chart-b"):  # the second is filled from the first's shape
            data = charts.chart_data(
                chart_id=chart_id,
                title=f"{HOSTILE} 1–5",
                bars=bars,
                ends=("Low", "High"),
                reference=reference,
            )
            rendered = get_template(charts.TEMPLATE).render({"chart": data}).strip()
            drawn = charts.bar_chart(
                chart_id=chart_id,
                title=f"{HOSTILE} 1–5",
                bars=bars,
                ends=("Low", "High"),
                reference=reference,
            )
            assert drawn == rendered


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize(
    "cell",
    [
        {"state": "shown", "text": "3.5", "n": 12},
        {"state": "shown", "text": HOSTILE, "n": 0},
        {"state": "too_few"},
        {"state": "none"},
        {"state": "shown", "text": "-0.5", "band": "gap-2"},
        {"state": "suppressed"},
    ],
)
def test_a_cell_is_exactly_its_template_rendered(language, cell):
    with translation.override(language):
        for _twice in range(2):
            assert fragments.cell(cell) == get_template("assessments/reports/_cell.html").render(
                {"c": cell}
            )
            assert fragments.heat_cell(cell) == get_template(
                "assessments/reports/_heat_cell.html"
            ).render({"c": cell})


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_rows_of_cells_and_notes_are_exactly_their_templates_rendered(language):
    row = [
        {"state": "shown", "text": "4.5", "n": 3},
        {"state": "too_few"},
        {"state": "none"},
        {"state": "shown", "text": HOSTILE, "n": 12},
    ]
    heat_row = [{"state": "shown", "text": "3.0", "band": "mean-3"}, {"state": "suppressed"}]
    notes = [
        {"what": "Enabler score", "band": "top quarter", "differ": "Peers, All except self"},
        {"what": HOSTILE, "band": "", "differ": HOSTILE},
        {"what": "x", "band": "bottom quarter", "differ": ""},
    ]
    with translation.override(language):
        for _twice in range(2):
            for values in (row, row[::-1], []):
                expected = get_template("assessments/reports/_cells.html").render({"cells": values})
                assert fragments.cells(values) == expected.removesuffix("\n")
            expected = get_template("assessments/reports/_heat_cells.html").render(
                {"cells": heat_row}
            )
            assert fragments.heat_cells(heat_row) == expected.removesuffix("\n")
            for note in notes:
                expected = get_template("assessments/reports/_notes.html").render({"note": note})
                assert fragments.note(note) == expected


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_whole_numbers_are_filled_as_the_template_prints_them(settings, grouped, language):
    settings.USE_THOUSAND_SEPARATOR = grouped
    cell = {"state": "shown", "text": "3.5", "n": 12345}
    with translation.override(language):
        expected = get_template("assessments/reports/_cell.html").render({"c": cell})
        assert fragments.cell(cell) == expected
        assert ("12345" in expected) is not grouped
