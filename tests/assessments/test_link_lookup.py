"""The rater link's lookup, compiled once per connection (answering/tokens.py): the same
rater, leader, cycle and response as the queryset gives, in one query, whatever happened to
the database connection in between."""

import pytest
from django.db import connection, transaction

from assessments.answering.tokens import RaterLookup, hash_token, issue_token
from assessments.answering.views.questionnaire import RATER_QUERYSET
from tests.factories import RaterFactory, make_participant

pytestmark = pytest.mark.django_db


def test_the_lookup_brings_what_the_queryset_brings_in_one_query(
    linked_rater, django_assert_num_queries
):
    rater, token = linked_rater
    lookup = RaterLookup(RATER_QUERYSET)
    lookup.find(token)  # compiled (and on PostgreSQL prepared) on first use
    expected = RATER_QUERYSET.filter(token_hash=hash_token(token)).first()
    with django_assert_num_queries(1):
        found = lookup.find(token)
        cycle = found.participant.cycle
        seen = (
            found.group,
            found.status,
            found.participant.person.get_full_name(),
            cycle.name,
            cycle.state,
            cycle.accepts_answers(),
            cycle.closes_on,
            getattr(found, "response", None),
        )
    assert found == rater
    assert seen == (
        expected.group,
        expected.status,
        expected.participant.person.get_full_name(),
        expected.participant.cycle.name,
        expected.participant.cycle.state,
        expected.participant.cycle.accepts_answers(),
        expected.participant.cycle.closes_on,
        getattr(expected, "response", None),
    )


def test_a_link_issued_under_an_earlier_key_is_found_through_the_previous_hash(
    linked_rater, settings
):
    rater, old = linked_rater
    settings.RATER_LINK_KEY = "another key"
    new = issue_token(rater)
    lookup = RaterLookup(RATER_QUERYSET)
    assert lookup.find(new) == rater
    assert lookup.find(old) == rater
    assert lookup.find("x" * 43) is None


@pytest.mark.django_db(transaction=True)
def test_links_keep_working_after_the_database_connection_is_renewed(client, compass):
    rater = RaterFactory(participant=make_participant())
    token = issue_token(rater)
    page = f"/r/{token}/section/1/"
    assert client.get(page).status_code == 200
    connection.close()  # e.g. CONN_MAX_AGE, or an error: a new session, nothing prepared
    assert client.get(page).status_code == 200
    assert client.get(page).status_code == 200


def test_a_lookup_first_made_in_a_transaction_rolled_back_keeps_working(linked_rater):
    rater, token = linked_rater
    lookup = RaterLookup(RATER_QUERYSET)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert lookup.find(token) == rater  # compiled, and on PostgreSQL prepared, here
        raise RuntimeError("rolled back")
    assert lookup.find(token) == rater
