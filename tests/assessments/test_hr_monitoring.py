"""The cycle page: per-participant progress, filters, sorting, pages, in constant queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Participant, Rater, RaterGroup, User
from assessments.running import monitoring
from tests.factories import CycleFactory, RaterFactory, UserFactory, level, make_participant

pytestmark = pytest.mark.django_db

Status = Rater.Status


def page(client, cycle, **params):
    return client.get(reverse("hr:cycle_detail", args=[cycle.pk]), params)


def names(response):
    return [row["participant"].person.full_name for row in response.context["rows"]]


def bulk_cohort(cycle, n, start=0):
    """``n`` participants with self, supervisor and three peers each, in a handful of queries."""
    levels = [level("heads-of-teams"), level("directors")]
    users = User.objects.bulk_create(
        User(email=f"leader{start + i}@example.org", full_name=f"Leader {start + i:04d}")
        for i in range(n)
    )
    users = list(User.objects.filter(email__in=[u.email for u in users]).order_by("email"))
    boss = UserFactory(email=f"boss{start}@example.org")
    participants = Participant.objects.bulk_create(
        Participant(
            cycle=cycle,
            person=user,
            level=levels[i % 2],
            supervisor=boss,
            org_unit=f"Unit {i % 3}",
            invited_at=timezone.now(),
        )
        for i, user in enumerate(users)
    )
    participants = list(Participant.objects.filter(cycle=cycle, person__in=users))
    raters = []
    for i, p in enumerate(participants):
        raters.append(
            Rater(participant=p, group="self", name="self", email=p.person.email, status="invited")
        )
        raters.append(
            Rater(participant=p, group="supervisor", name="b", email=boss.email, status="submitted")
        )
        for j in range(3):
            status = Status.SUBMITTED if j < i % 4 else Status.INVITED
            raters.append(
                Rater(
                    participant=p,
                    group="peer",
                    name=f"Peer {j}",
                    email=f"peer{j}.{p.pk}@example.org",
                    status=status,
                )
            )
    Rater.objects.bulk_create(raters)
    return participants


def test_the_cycle_page_takes_the_same_queries_for_10_and_300_participants(
    as_hr, compass, django_assert_num_queries, django_assert_max_num_queries
):
    cycle = CycleFactory()
    bulk_cohort(cycle, 10)
    filtered = {"status": "below_k", "sort": "-response_rate", "level": level("directors").pk}
    page(as_hr, cycle)  # warm the session
    with django_assert_max_num_queries(14) as small:
        response = page(as_hr, cycle)
    assert len(response.context["rows"]) == 10
    with django_assert_max_num_queries(15) as small_filtered:
        page(as_hr, cycle, **filtered)
    bulk_cohort(cycle, 290, start=10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = page(as_hr, cycle)
    assert response.context["page"].paginator.count == 300
    assert len(response.context["rows"]) == 50
    with django_assert_num_queries(len(small_filtered.captured_queries)):
        response = page(as_hr, cycle, **filtered)
    assert response.context["page"].paginator.count > 50


def test_counts_per_group_and_response_rate(as_hr, compass):
    cycle = CycleFactory()
    participant = make_participant(cycle)
    participant.raters.update(status=Status.INVITED)
    participant.raters.filter(group="supervisor").update(status=Status.SUBMITTED)
    RaterFactory(participant=participant, status=Status.SUBMITTED)
    RaterFactory(participant=participant, status=Status.STARTED)
    RaterFactory(participant=participant, status=Status.DECLINED)
    RaterFactory(participant=participant, status=Status.NOMINATED)  # not invited yet
    RaterFactory(participant=participant, group=RaterGroup.PARTNER, status=Status.INVITED)
    response = page(as_hr, cycle)
    (row,) = response.context["rows"]
    p = row["participant"]
    assert p.self_status == Status.INVITED
    groups = {g.group: g for g in row["groups"]}
    peers = groups["peer"]
    assert (peers.invited, peers.started, peers.submitted, peers.declined) == (3, 1, 1, 1)
    assert peers.below_k
    assert (groups["supervisor"].invited, groups["supervisor"].submitted) == (1, 1)
    assert groups["direct_report"].invited == 0 and not groups["direct_report"].below_k
    assert (p.others_invited, p.others_submitted) == (5, 2)
    assert p.response_rate == pytest.approx(0.4)
    assert "40%" in response.content.decode()
    totals = response.context["totals"]
    assert (totals["others_invited"], totals["others_submitted"]) == (5, 2)
    assert totals["self_submitted"] == 0


@pytest.fixture
def three(compass):
    cycle = CycleFactory(anonymity_threshold=3)
    alba = make_participant(
        cycle, person=UserFactory(full_name="Alba Zapata"), org_unit="Kenya", level_slug="directors"
    )
    bruno = make_participant(cycle, person=UserFactory(full_name="Bruno Yilmaz"), org_unit="Geneva")
    chen = make_participant(cycle, person=UserFactory(full_name="Chen Xu"), org_unit="Kenya")
    alba.raters.filter(group="self").update(status=Status.SUBMITTED)
    for _ in range(3):
        RaterFactory(participant=alba, status=Status.SUBMITTED)
    for status in (Status.SUBMITTED, Status.INVITED):
        RaterFactory(participant=bruno, status=status)
    bruno.nominations_submitted_at = timezone.now()
    bruno.save()
    return cycle, alba, bruno, chen


def test_filters_by_level_org_unit_and_status(as_hr, three):
    cycle, alba, bruno, chen = three
    assert names(page(as_hr, cycle, level=level("directors").pk)) == ["Alba Zapata"]
    assert names(page(as_hr, cycle, org_unit="Kenya")) == ["Alba Zapata", "Chen Xu"]
    assert names(page(as_hr, cycle, status="self_not_submitted")) == ["Bruno Yilmaz", "Chen Xu"]
    assert names(page(as_hr, cycle, status="self_submitted")) == ["Alba Zapata"]
    assert names(page(as_hr, cycle, status="below_k")) == ["Bruno Yilmaz"]
    assert names(page(as_hr, cycle, status="nominations_not_sent")) == ["Alba Zapata", "Chen Xu"]
    assert names(page(as_hr, cycle, status="not_invited")) == [
        "Alba Zapata",
        "Bruno Yilmaz",
        "Chen Xu",
    ]
    assert names(page(as_hr, cycle, org_unit="Kenya", status="self_not_submitted")) == ["Chen Xu"]


def test_an_invalid_filter_is_reported_and_ignored(as_hr, three):
    cycle = three[0]
    response = page(as_hr, cycle, status="nonsense", org_unit="Atlantis")
    assert response.status_code == 200
    assert response.context["filter_form"].errors.keys() == {"status", "org_unit"}
    assert len(names(response)) == 3


def test_sorting(as_hr, three):
    cycle = three[0]
    assert names(page(as_hr, cycle, sort="name")) == ["Alba Zapata", "Bruno Yilmaz", "Chen Xu"]
    assert names(page(as_hr, cycle, sort="-name")) == ["Chen Xu", "Bruno Yilmaz", "Alba Zapata"]
    assert names(page(as_hr, cycle, sort="org_unit")) == ["Bruno Yilmaz", "Alba Zapata", "Chen Xu"]
    assert names(page(as_hr, cycle, sort="level")) == ["Bruno Yilmaz", "Chen Xu", "Alba Zapata"]
    assert names(page(as_hr, cycle, sort="-level")) == ["Alba Zapata", "Bruno Yilmaz", "Chen Xu"]
    # Alba 3 of 3 invited raters submitted, Bruno 1 of 2; nobody was invited for Chen, who has
    # no rate and comes last either way.
    assert names(page(as_hr, cycle, sort="-response_rate")) == [
        "Alba Zapata",
        "Bruno Yilmaz",
        "Chen Xu",
    ]
    assert names(page(as_hr, cycle, sort="response_rate")) == [
        "Bruno Yilmaz",
        "Alba Zapata",
        "Chen Xu",
    ]


def test_pages_keep_the_filters(as_hr, compass):
    cycle = CycleFactory()
    bulk_cohort(cycle, 180)
    first = page(as_hr, cycle, org_unit="Unit 0", sort="-name")
    assert first.context["page"].paginator.count == 60
    assert len(first.context["rows"]) == 50
    assert "?org_unit=Unit+0&amp;sort=-name&amp;page=2" in first.content.decode()
    second = page(as_hr, cycle, org_unit="Unit 0", sort="-name", page=2)
    assert len(names(second)) == 10
    everyone = names(first) + names(second)
    assert everyone == sorted(everyone, reverse=True)


def test_the_participant_page_lists_raters_with_their_statuses(as_hr, compass):
    cycle = CycleFactory()
    participant = make_participant(cycle)
    RaterFactory(participant=participant, name="Ama Mensah", status=Status.SUBMITTED)
    RaterFactory(participant=participant, name="Kofi Boateng", status=Status.DECLINED)
    response = as_hr.get(reverse("hr:participant_detail", args=[cycle.pk, participant.pk]))
    rows = {row["rater"].name: row for row in response.context["rows"]}
    assert [row["rater"].group for row in response.context["rows"]][:2] == ["self", "supervisor"]
    assert not rows["Ama Mensah"]["can_resend"]
    assert not rows["Kofi Boateng"]["can_resend"]
    assert rows["Ama Mensah"]["can_remove"]
    assert "Ama Mensah" in response.content.decode()


def test_the_participant_page_in_constant_queries(
    as_hr, compass, django_assert_num_queries, django_assert_max_num_queries
):
    cycle = CycleFactory()
    participant = make_participant(cycle)
    url = reverse("hr:participant_detail", args=[cycle.pk, participant.pk])
    as_hr.get(url)
    with django_assert_max_num_queries(8) as few:
        as_hr.get(url)
    for _ in range(8):
        RaterFactory(participant=participant)
    with django_assert_num_queries(len(few.captured_queries)):
        as_hr.get(url)


def test_group_progress_marks_anonymous_groups_below_k_only(compass):
    cycle = CycleFactory(anonymity_threshold=3)
    participant = make_participant(cycle)
    participant.raters.update(status=Status.INVITED)
    annotated = monitoring.participants_with_progress(cycle).get()
    groups = {g.group: g for g in monitoring.group_progress(annotated, 3)}
    assert not groups["supervisor"].below_k  # named, never pooled
    assert not groups["peer"].below_k  # nobody invited: nothing to wait for
