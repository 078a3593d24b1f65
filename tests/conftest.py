import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from assessments.answering.tokens import issue_token
from assessments.models import HR_ADMINS_GROUP
from compass.models import Level
from tests.factories import CycleFactory, RaterFactory, UserFactory, make_participant


def pytest_sessionstart(session):
    """Compile the translations when a catalogue is newer than its .mo (build output, not in
    git), so that ``pytest`` alone reads what locale/ says, as ``make test`` does."""
    for po in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if shutil.which("msgfmt"):
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
        else:  # without GNU gettext: the same .mo from polib (pure Python)
            import polib

            polib.pofile(str(po)).save_as_mofile(str(mo))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the compass once per test session: nearly every test needs it. (The cache table
    comes from the migrations, as in production.)"""
    with django_db_blocker.unblock():
        call_command("loaddata", "compass", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One process: compass changes clear its questionnaires at once, so query counts never
    # depend on when the shared content version was last checked.
    settings.COMPASS_VERSION_CHECK_SECONDS = None


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in French leaves French active in the thread (LocaleMiddleware does not reset
    it), and compass texts follow the active language: the next test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def compass(db):
    """The 2024 compass, reloaded when a transactional test flushed the database."""
    if not Level.objects.exists():
        call_command("loaddata", "compass", verbosity=0)
        Group.objects.get_or_create(name=HR_ADMINS_GROUP)
    return Level.objects.filter(edition="2024")


# --- roles ----------------------------------------------------------------------------------
# One fixture per role, like healthchecks' alice/bob/charlie: every module uses these, none
# defines its own. The leader takes part under the supervisor; the other leader under the other
# supervisor; the rater answers through a link; the outsider is signed in and in nothing.


@pytest.fixture
def hr_admin(db):
    """An HR admin (member of the "HR admins" group), like the demo's Hana Rahimi."""
    user = UserFactory(email="hana.rahimi@example.org", full_name="Hana Rahimi")
    user.groups.add(Group.objects.get_or_create(name=HR_ADMINS_GROUP)[0])
    return user


@pytest.fixture
def leader(db):
    """A leader with an account; ``participant`` is their part in a cycle."""
    return UserFactory(email="lucia.ortega@example.org", full_name="Lucía Ortega")


@pytest.fixture
def supervisor(db):
    """The leader's supervisor (``participant`` records them as such)."""
    return UserFactory(email="samuel.okoro@example.org", full_name="Samuel Okoro")


@pytest.fixture
def other_leader(db):
    """Another leader: their objects answer 404 to the leader, and the leader's to them."""
    return UserFactory(email="wei.zhang@example.org", full_name="Wei Zhang")


@pytest.fixture
def other_supervisor(db):
    """A supervisor of other people, not of the leader."""
    return UserFactory(email="gustavo.geneva@example.org", full_name="Gustavo Geneva")


@pytest.fixture
def outsider(db):
    """Signed in, in no cycle, no HR admin; staff of the Django admin, which gives no rights in
    the app."""
    return UserFactory(email="otto.keller@example.org", full_name="Otto Keller", is_staff=True)


@pytest.fixture
def participant(compass, leader, supervisor):
    """The leader's part in an open cycle, under the supervisor (self and supervisor raters)."""
    return make_participant(person=leader, supervisor=supervisor)


@pytest.fixture
def approval_participant(compass, leader, supervisor):
    """The leader's part in a cycle where the supervisor approves nominations."""
    return make_participant(
        CycleFactory(name="Approval cohort", supervisor_approval_required=True),
        person=leader,
        supervisor=supervisor,
    )


@pytest.fixture
def rater(participant):
    """A peer invited to give feedback on the leader; no account, only a link."""
    return RaterFactory(participant=participant, name="Ama Mensah")


@pytest.fixture
def linked_rater(rater):
    """(rater, token): the rater and the token of their personal link."""
    return rater, issue_token(rater)


def _signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def as_hr(client, hr_admin):
    return _signed_in(client, hr_admin)


@pytest.fixture
def as_leader(client, leader):
    return _signed_in(client, leader)


@pytest.fixture
def as_supervisor(client, supervisor):
    return _signed_in(client, supervisor)


@pytest.fixture
def as_outsider(client, outsider):
    return _signed_in(client, outsider)
