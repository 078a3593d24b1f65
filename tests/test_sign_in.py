import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_asks_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_sign_in_with_email_and_password_any_case(client):
    UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    response = client.post(
        reverse("login"), {"username": "Amina@Example.org", "password": "a-long-pass-phrase"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused_in_the_page(client):
    UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    response = client.post(reverse("login"), {"username": "amina@example.org", "password": "x"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


def test_sign_out_ends_the_session(client, outsider):
    client.force_login(outsider)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    UserFactory(email="amina@example.org")
    response = client.post(reverse("password_reset"), {"email": "amina@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"}
    )
    assert response.status_code == 302
    client.logout()
    signed_in = client.post(
        reverse("login"), {"username": "amina@example.org", "password": "brand-new-phrase-42"}
    )
    assert signed_in.status_code == 302


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def _attempt(client, username, password="wrong-password"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    statuses = [_attempt(client, "amina@example.org").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    locked = _attempt(client, "amina@example.org", "a-long-pass-phrase")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()


def test_unknown_accounts_get_the_same_answers_as_known_ones(client):
    UserFactory(email="amina@example.org")
    known = [_attempt(client, "amina@example.org", "x") for _ in range(6)]
    client.cookies.clear()
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()  # a fresh address, so only the account name counts
    unknown = [_attempt(client, "nobody@example.org", "x") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]

    def page(response):
        body = response.content.decode().replace("amina", "nobody")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert page(known[0]) == page(unknown[0])
    assert page(known[-1]) == page(unknown[-1])


def test_repeated_failures_from_one_address_lock_that_address(client):
    for i in range(5):
        _attempt(client, f"someone{i}@example.org")
    UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    assert _attempt(client, "amina@example.org", "a-long-pass-phrase").status_code == 429


def test_signing_in_gives_a_new_session_key(client):
    UserFactory(email="amina@example.org", password="a-long-pass-phrase")
    client.get(reverse("login"))
    client.session["before"] = True
    before = client.session.session_key
    _attempt(client, "amina@example.org", "a-long-pass-phrase")
    assert client.session.session_key != before


def test_an_idle_session_is_signed_out(client, settings, outsider):
    import time

    from compass_site.middleware import LAST_SEEN

    client.force_login(outsider)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_passwords_are_hashed_with_argon2():
    from compass_site import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_accounts_created_by_import_can_choose_a_password_through_reset(client):
    from assessments.models import User

    User.objects.create_user(email="boss@example.org", full_name="Bea Boss")  # no password
    response = client.post(reverse("password_reset"), {"email": "BOSS@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["boss@example.org"]


def test_erased_or_deactivated_accounts_get_no_reset_email(client):
    UserFactory(email="gone@example.org", is_active=False)
    client.post(reverse("password_reset"), {"email": "gone@example.org"})
    assert mail.outbox == []
