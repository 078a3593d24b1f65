import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from assessments.models import HR_ADMINS_GROUP
from compass.models import Level


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


@pytest.fixture
def hr_admin(db):
    """An HR admin (member of the "HR admins" group), like the demo's Hana Rahimi."""
    from tests.factories import UserFactory

    user = UserFactory(email="hana.rahimi@example.org", full_name="Hana Rahimi")
    user.groups.add(Group.objects.get_or_create(name=HR_ADMINS_GROUP)[0])
    return user
