"""Production runs email tasks in a separate worker (django-tasks-db's db_worker)."""

import pytest
from asgiref.local import Local
from django.core import mail
from django.core.management import call_command
from django.tasks import task_backends

from assessments.models import Cycle, Rater
from assessments.running import cycles
from tests.factories import CycleFactory, UserFactory, make_participant

# The worker opens and closes its own database connections, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


def _reset_task_backends():
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _reset_task_backends()
    yield
    _reset_task_backends()


def test_opening_a_cycle_queues_invitations_that_the_worker_sends(compass, database_tasks):
    cycle = CycleFactory(state=Cycle.State.DRAFT)
    for _ in range(2):
        make_participant(cycle)
    cycles.open_cycle(cycle=cycle, by=UserFactory())
    assert mail.outbox == []  # the request returned; nothing was sent inside it
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 4
    assert Rater.objects.filter(status=Rater.Status.INVITED).count() == 4
