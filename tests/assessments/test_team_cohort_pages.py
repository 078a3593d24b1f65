"""The team report (supervisor) and the cohort report (HR) pages: who may read them, what they
show, what they hide, and in how many queries."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Cycle, Rater, RaterGroup
from assessments.plans import action_plans
from compass.models import Enabler
from tests.assessments.helpers import rated_leader, release
from tests.factories import CycleFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


# --- people and a released cohort ----------------------------------------------------------


@pytest.fixture
def cohort(compass, supervisor, other_supervisor):
    """The supervisor has six Heads of Teams: four in Nairobi (women; self 4, peers 3, 3, 4) and
    two in an org unit with a hostile name (men; self 1, peers 1, 1, 2). The other supervisor has
    three Directors in Geneva (women; self 5, peers 4, 4, 4).

    By hand, per enabler (every leader of a level answers the same items):
      Heads of Teams: others (4 × 10 + 2 × 4) / 18 = 2.67, self (4 × 4 + 2 × 1) / 6 = 3.0,
      gap +0.3; Directors: others 4.0, self 5.0, gap +1.0.
      Org units: the hostile one has 2 leaders (< k = 3) and is suppressed; so is Nairobi,
      since the Heads of Teams level minus Nairobi would give the hostile unit away (issue 12:
      breakdowns are checked together). Geneva (3) is shown: the hidden units hold six. The
      hostile unit's others' mean would be 4 / 3 = 1.3: that number must appear nowhere.
      Genders: two men (< 3) suppressed, and the women with them.
    """
    cycle = CycleFactory(name="Cohort 2026")
    for _ in range(4):
        rated_leader(
            cycle,
            supervisor,
            org_unit="Regional Office Nairobi",
            gender="woman",
            own="4",
            peers="334",
        )
    for _ in range(2):
        rated_leader(cycle, supervisor, org_unit=HOSTILE, gender="man", own="1", peers="112")
    for _ in range(3):
        rated_leader(
            cycle,
            other_supervisor,
            org_unit="Headquarters Geneva",
            gender="woman",
            level_slug="directors",
            own="5",
            peers="444",
        )
    release(cycle)
    return cycle


@pytest.fixture
def member(cohort):
    return cohort.participants.filter(org_unit="Regional Office Nairobi").first()


def team_url(cycle):
    return reverse("reports:team", args=[cycle.pk])


def cohort_url(cycle):
    return reverse("reports:cohort", args=[cycle.pk])


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


class _Tables(HTMLParser):
    """The text of every cell of every table, by table id: {id: [[cell text, …], …]}."""

    def __init__(self):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(response, table_id):
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables[table_id]


def row_of(rows, label):
    return next(row for row in rows if row[0].startswith(label))


# --- who may read them ---------------------------------------------------------------------


@pytest.fixture
def stranger_supervisor(compass):
    """Supervises a leader in another released cycle, nobody in this one."""
    boss = UserFactory(full_name="Otto Other")
    other = CycleFactory()
    make_participant(other, supervisor=boss)
    release(other)
    return boss


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort):
    for url in (team_url(cohort), cohort_url(cohort)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_team_report_is_the_supervisors_alone(
    client, cohort, supervisor, member, hr_admin, stranger_supervisor
):
    assert get(client, supervisor, team_url(cohort)).status_code == 200
    for user in (member.person, stranger_supervisor, hr_admin):
        assert get(client, user, team_url(cohort)).status_code == 404


def test_the_cohort_report_is_for_hr_alone(
    client, cohort, supervisor, member, hr_admin, stranger_supervisor
):
    assert get(client, hr_admin, cohort_url(cohort)).status_code == 200
    for user in (member.person, supervisor, stranger_supervisor):
        assert get(client, user, cohort_url(cohort)).status_code == 404


def test_an_unknown_cycle_is_404(client, cohort, supervisor, hr_admin):
    assert (
        get(client, supervisor, reverse("reports:team", args=[cohort.pk + 999])).status_code == 404
    )
    assert (
        get(client, hr_admin, reverse("reports:cohort", args=[cohort.pk + 999])).status_code == 404
    )


@pytest.mark.parametrize("state", [Cycle.State.OPEN, Cycle.State.CLOSED])
def test_no_team_or_cohort_report_exists_before_release(
    client, cohort, supervisor, hr_admin, state
):
    Cycle.objects.filter(pk=cohort.pk).update(state=state)
    assert get(client, supervisor, team_url(cohort)).status_code == 404
    assert get(client, hr_admin, cohort_url(cohort)).status_code == 404


# --- the team report -----------------------------------------------------------------------


def test_team_report_shows_the_team_per_enabler_and_level(client, cohort, supervisor):
    response = get(client, supervisor, team_url(cohort))
    assert response.context["size"] == 6
    others = table(response, "team-others")
    assert others[0][1:] == list(
        Enabler.objects.filter(edition="2024").values_list("name", flat=True)
    )
    # All six are Heads of Teams: the level and the whole team read the same.
    for label in ("Heads of Teams", "Whole team"):
        assert row_of(others, label)[1:] == ["2.7"] * 7
        assert row_of(table(response, "team-self"), label)[1:] == ["3.0"] * 7
        assert row_of(table(response, "team-gap"), label)[1:] == ["+0.3"] * 7
    assert "6 leaders" in row_of(others, "Whole team")[0]
    # The other supervisor's Directors are not this team.
    assert "Directors" not in response.content.decode()


def test_team_report_lists_the_members_who_shared_their_report(client, cohort, supervisor, member):
    member.shared_with_supervisor = True
    member.save()
    content = get(client, supervisor, team_url(cohort)).content.decode()
    assert reverse("reports:individual", args=[member.pk]) in content
    assert member.person.get_full_name() in content
    others = cohort.participants.filter(supervisor=supervisor).exclude(pk=member.pk)
    for participant in others:
        assert reverse("reports:individual", args=[participant.pk]) not in content


def test_a_team_below_k_is_explained_and_shows_no_numbers(client, compass):
    boss = UserFactory()
    cycle = CycleFactory()
    first = rated_leader(cycle, boss, org_unit="Country Office Peru", own="2", peers="115")
    rated_leader(cycle, boss, org_unit="Country Office Peru", own="2", peers="115")
    first.shared_with_supervisor = True
    first.save()
    release(cycle)
    response = get(client, boss, team_url(cycle))
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "With fewer than 3 team members who have not shared their report with you, a team "
        "report would show individual results" in content
    )
    assert "<table" not in content
    assert "2.3" not in content and "2.0" not in content  # others' (7 / 3) and self means
    # Sharing still works below k: the shared report is listed.
    assert reverse("reports:individual", args=[first.pk]) in content


def test_a_suppressed_level_of_a_team_shows_no_number(client, compass):
    """Three Heads of Teams and one Director: the Director's level is suppressed, and the Heads
    of Teams with it (otherwise the whole team minus them gives the Director away)."""
    boss = UserFactory()
    cycle = CycleFactory()
    for _ in range(3):
        rated_leader(cycle, boss, org_unit="Country Office Peru", own="4", peers="333")
    rated_leader(
        cycle, boss, org_unit="Country Office Peru", level_slug="directors", own="2", peers="122"
    )
    release(cycle)
    response = get(client, boss, team_url(cycle))
    content = response.content.decode()
    for measure in ("others", "self", "gap"):
        rows = table(response, f"team-{measure}")
        for label in ("Heads of Teams", "Directors"):
            line = row_of(rows, label)
            assert line[0] == label  # no participant count beside a suppressed level
            assert line[1].startswith("suppressed (fewer than 3 leaders")
        assert "suppressed" not in " ".join(row_of(rows, "Whole team"))
    assert "1.7" not in content  # the Director's others' mean, 5 / 3
    assert "complementary suppression" in content


# --- the cohort report ---------------------------------------------------------------------


def test_cohort_heatmap_by_level_matches_hand_computation(client, cohort, hr_admin):
    response = get(client, hr_admin, cohort_url(cohort))
    expected = {
        "levels-others": {"Heads of Teams": "2.7", "Directors": "4.0"},
        "levels-self": {"Heads of Teams": "3.0", "Directors": "5.0"},
        "levels-gap": {"Heads of Teams": "+0.3", "Directors": "+1.0"},
    }
    for table_id, rows in expected.items():
        shown = table(response, table_id)
        for label, value in rows.items():
            assert row_of(shown, label)[1:] == [value] * 7
    assert "6 leaders" in row_of(table(response, "levels-others"), "Heads of Teams")[0]
    # Shown numbers carry their colour band; the number is printed all the same.
    assert '<td class="heat heat-mean-2">2.7</td>' in response.content.decode()
    assert '<td class="heat heat-gap-5">+1.0</td>' in response.content.decode()


def test_cohort_response_rates(client, cohort, hr_admin):
    rates = table(get(client, hr_admin, cohort_url(cohort)), None)
    assert ["Self-assessments", "9", "9", "100%"] in rates
    assert ["Raters (all except self)", "27", "27", "100%"] in rates


def test_cohort_org_units_suppress_a_small_unit_and_its_complement(client, cohort, hr_admin):
    response = get(client, hr_admin, cohort_url(cohort))
    content = response.content.decode()
    for measure in ("others", "self", "gap"):
        rows = table(response, f"org-units-{measure}")
        assert not row_of(rows, "Headquarters Geneva")[1].startswith("suppressed")
        for label in (HOSTILE, "Regional Office Nairobi"):
            assert row_of(rows, label)[1].startswith("suppressed")
    geneva = row_of(table(response, "org-units-others"), "Headquarters Geneva")
    assert geneva[1:] == ["4.0"] * 7
    # The hostile unit's means (others 4/3, self 1) and its size are nowhere in the page.
    assert "1.3" not in content
    assert "1.0" not in content.replace("+1.0", "").replace("−1.0", "")
    assert "2 leaders" not in content
    assert row_of(table(response, "org-units-others"), "Regional Office Nairobi")[0] == (
        "Regional Office Nairobi"  # no participant count beside a suppressed cell
    )
    assert "complementary suppression" in content


def test_cohort_genders_suppress_two_men_and_the_women_with_them(client, cohort, hr_admin):
    response = get(client, hr_admin, cohort_url(cohort))
    rows = table(response, "genders-others")
    assert row_of(rows, "Man")[1].startswith("suppressed")
    assert row_of(rows, "Woman")[1].startswith("suppressed")
    assert not any(row[0].startswith("Another gender") for row in rows)  # nobody: left out


def test_cohort_most_frequent_pitfalls_per_level(client, cohort, hr_admin):
    response = get(client, hr_admin, cohort_url(cohort))
    content = response.content.decode()
    assert response.context["pitfalls"][0]["level"] == "Heads of Teams"
    assert [len(level["pitfalls"]) for level in response.context["pitfalls"]] == [3, 3]
    directors = response.context["pitfalls"][1]
    assert {p["others"] for p in directors["pitfalls"]} == {"4.0"}
    assert all(p["flagged"] for p in directors["pitfalls"])  # 4.0 is "often" or more
    assert directors["pitfalls"][0]["title"] in content


def test_cohort_counts_action_plans_without_showing_them(client, cohort, hr_admin, member):
    enabler = Enabler.objects.filter(edition="2024").first()
    second = cohort.participants.exclude(pk=member.pk).first()
    for participant in (member, second):
        action_plans.add_focus(participant=participant, enabler=enabler, goal="Secret goal text")
    action_plans.share_plan(plan=action_plans.plan_for(member), shared=True)
    content = get(client, hr_admin, cohort_url(cohort)).content.decode()
    assert "2 leaders have an action plan; 1 shared it with their supervisor." in content
    assert "Secret goal text" not in content


def test_hostile_org_unit_names_are_escaped(client, cohort, hr_admin):
    content = get(client, hr_admin, cohort_url(cohort)).content.decode()
    assert ESCAPED in content
    assert HOSTILE not in content


def test_cohort_page_links_its_exports(client, cohort, hr_admin):
    content = get(client, hr_admin, cohort_url(cohort)).content.decode()
    export = reverse("reports:cohort_export", args=[cohort.pk])
    assert f"{export}?format=csv" in content and f"{export}?format=xlsx" in content


def test_pages_never_show_raters_or_team_members_who_did_not_share(
    client, cohort, supervisor, hr_admin
):
    raters = Rater.objects.filter(participant__cycle=cohort, group=RaterGroup.PEER)
    names = [r.name for r in raters] + [p.person.full_name for p in cohort.participants.all()]
    emails = [r.email for r in raters] + [p.person.email for p in cohort.participants.all()]
    for response in (
        get(client, hr_admin, cohort_url(cohort)),
        get(client, supervisor, team_url(cohort)),
    ):
        content = response.content.decode()
        assert not any(name in content for name in names if name)
        assert not any(email in content for email in emails)


# --- query budgets -------------------------------------------------------------------------


def test_team_and_cohort_pages_run_in_constant_queries(client, compass, hr_admin):
    counts = []
    for size in (4, 12):
        boss = UserFactory()
        cycle = CycleFactory()
        for i in range(size):
            participant = rated_leader(
                cycle,
                boss,
                org_unit=f"Country Office {i % 4}",
                gender="woman",
                own="4",
                peers="333",
            )
            # shared reports do not count toward k: keep at least k unshared in the team
            participant.shared_with_supervisor = i == 0
            participant.save()
        release(cycle)
        measured = []
        for user, url in ((boss, team_url(cycle)), (hr_admin, cohort_url(cycle))):
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            measured.append(len(captured))
        counts.append(measured)
    assert counts[0] == counts[1]


# --- the home page -------------------------------------------------------------------------


def test_home_links_supervisors_to_team_reports_and_shared_reports(cohort, supervisor, member):
    """The home template, given the context ``leader.home`` is to pass (see the view)."""
    member.shared_with_supervisor = True
    member.save()
    request = RequestFactory().get("/")
    request.user = supervisor
    html = render_to_string(
        "home.html",
        {"participations": [], "team": [], "team_reports": [cohort], "shared_reports": [member]},
        request=request,
    )
    assert reverse("reports:team", args=[cohort.pk]) in html
    assert reverse("reports:individual", args=[member.pk]) in html


def test_home_without_team_reports_renders_as_before(client, cohort, member):
    response = get(client, member.person, reverse("home"))
    assert response.status_code == 200
    assert not re.search(r'href="/reports/team/', response.content.decode())
