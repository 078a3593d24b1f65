import datetime

import factory
from django.utils import timezone

from assessments.models import Cycle, Rater, RaterGroup, User
from assessments.running import cycles
from compass.models import Level


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("pw-for-tests")


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"Cohort {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate())
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
    state = Cycle.State.OPEN


def level(slug="heads-of-teams"):
    return Level.objects.get(edition="2024", slug=slug)


def make_participant(
    cycle=None,
    *,
    person=None,
    supervisor=None,
    level_slug="heads-of-teams",
    org_unit="Country Office Kenya",
    gender="",
):
    """A participant enrolled the way the app does it: with self and supervisor raters."""
    cycle = cycle or CycleFactory()
    person = person or UserFactory()
    supervisor = supervisor if supervisor is not None else UserFactory()
    return cycles.add_participant(
        cycle=cycle,
        person=person,
        level=level(level_slug),
        supervisor=supervisor or None,
        org_unit=org_unit,
        gender=gender,
    )


class RaterFactory(factory.django.DjangoModelFactory):
    """A nominated rater, already invited (the state most rater-link tests start from)."""

    class Meta:
        model = Rater

    participant = factory.LazyFunction(make_participant)
    group = RaterGroup.PEER
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"rater{n}@partner.example.net")
    status = Rater.Status.INVITED


def self_rater(participant):
    return participant.raters.get(group=RaterGroup.SELF)


def supervisor_rater(participant):
    return participant.raters.get(group=RaterGroup.SUPERVISOR)
