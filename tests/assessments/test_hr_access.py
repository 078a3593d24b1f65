"""Who may reach the HR pages: every HR URL × every role, and objects that do not belong together.

Anonymous visitors are sent to sign in; anyone signed in who is not an HR admin gets 404, like any
page that is not theirs.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import get_resolver, reverse

from assessments.models import HR_ADMINS_GROUP, Cycle, EmailDelivery, ReportArchive
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_admin(db):
    user = UserFactory(email="hana.rahimi@example.org", full_name="Hana Rahimi")
    user.groups.add(Group.objects.get_or_create(name=HR_ADMINS_GROUP)[0])
    return user


@pytest.fixture
def world(compass):
    cycle = CycleFactory(state=Cycle.State.OPEN)
    participant = make_participant(cycle)
    rater = RaterFactory(participant=participant)
    archive = ReportArchive.objects.create(
        cycle=cycle, state=ReportArchive.State.READY, total=1, done=1, content=b"PK"
    )
    card_rater = RaterFactory(participant=participant, email="")  # a rater without email
    delivery = EmailDelivery.objects.create(
        cycle=cycle, rater=rater, kind="invitation", to=rater.email, subject="x", status="failed"
    )
    return {
        "cycle": cycle,
        "participant": participant,
        "rater": rater,
        "delivery": delivery,
        "archive": archive,
        "card_rater": card_rater,
    }


def _ids(world, *names):
    ids = {
        "cycle": world["cycle"].pk,
        "participant": world["participant"].pk,
        "rater": world["rater"].pk,
        "archive": world["archive"].pk,
        "card_rater": world["card_rater"].pk,
        "delivery": world["delivery"].pk,
    }
    return [ids[name] for name in names]


RATER = ("cycle", "participant", "rater")

# Every HR URL: the objects in its path, and what an HR admin's GET gets.
HR_URLS = {
    "dashboard": ((), 200),
    "cycle_create": ((), 200),
    "cycle_detail": (("cycle",), 200),
    "cycle_edit": (("cycle",), 200),
    "import_participants": (("cycle",), 200),
    "import_raters": (("cycle",), 200),
    "cycle_open": (("cycle",), 302),  # the cycle is open already: explained on its page
    "cycle_close": (("cycle",), 200),
    "cycle_reopen": (("cycle",), 302),  # only a closed cycle re-opens
    "cycle_release": (("cycle",), 302),
    "cycle_extend": (("cycle",), 200),
    "cycle_remind": (("cycle",), 200),
    "cycle_reminder_schedule": (("cycle",), 405),  # POST only
    "cycle_report_pdfs": (("cycle",), 200),
    "report_archive_download": (("cycle", "archive"), 200),
    "export_participation": (("cycle",), 200),
    "participant_detail": (("cycle", "participant"), 200),
    "rater_resend": (RATER, 405),  # POST only
    "delivery_retry": (("cycle", "delivery"), 405),  # POST only
    "rater_replace": (RATER, 200),
    "rater_remove": (RATER, 200),
    "rater_card": (("cycle", "participant", "card_rater"), 200),
    "rater_add_without_email": (("cycle", "participant"), 405),  # POST only
    "participants_template": ((), 200),
    "raters_template": ((), 200),
}


def hr_url_names():
    resolver = get_resolver()
    _namespace, hr = resolver.namespace_dict["hr"]
    return {pattern.name for pattern in hr.url_patterns}


def test_every_hr_url_has_an_expected_answer():
    assert hr_url_names() == set(HR_URLS)


def url_of(name, world):
    parts, _status = HR_URLS[name]
    return reverse(f"hr:{name}", args=_ids(world, *parts))


@pytest.mark.parametrize("name", sorted(HR_URLS))
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    url = url_of(name, world)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(HR_URLS))
def test_people_who_are_not_hr_get_404(client, world, name):
    # The leader, their supervisor and a staff member of the Django admin: none is HR.
    for user in (
        world["participant"].person,
        world["participant"].supervisor,
        UserFactory(is_staff=True),
    ):
        client.force_login(user)
        url = url_of(name, world)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404


@pytest.mark.parametrize("name", sorted(HR_URLS))
def test_hr_admins_reach_every_hr_page(client, world, hr_admin, name):
    client.force_login(hr_admin)
    assert client.get(url_of(name, world)).status_code == HR_URLS[name][1]


def test_a_participant_of_another_cycle_is_404(client, world, hr_admin):
    client.force_login(hr_admin)
    other = CycleFactory()
    url = reverse("hr:participant_detail", args=[other.pk, world["participant"].pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["rater_resend", "rater_replace", "rater_remove"])
def test_a_rater_of_another_participant_is_404(client, world, hr_admin, name):
    client.force_login(hr_admin)
    stranger = RaterFactory(participant=make_participant(world["cycle"]))
    url = reverse(f"hr:{name}", args=[world["cycle"].pk, world["participant"].pk, stranger.pk])
    assert client.post(url, {"reason": "x", "name": "A", "email": "a@x.org"}).status_code == 404
    stranger.refresh_from_db()  # still there


def test_the_card_of_another_participants_rater_is_404(client, world, hr_admin):
    client.force_login(hr_admin)
    stranger = RaterFactory(participant=make_participant(world["cycle"]), email="")
    url = reverse("hr:rater_card", args=[world["cycle"].pk, world["participant"].pk, stranger.pk])
    assert client.get(url).status_code == 404


def test_unknown_ids_are_404(client, hr_admin, compass):
    client.force_login(hr_admin)
    assert client.get(reverse("hr:cycle_detail", args=[999999])).status_code == 404
