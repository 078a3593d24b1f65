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


def test_sign_out_ends_the_session(client):
    client.force_login(UserFactory())
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
    assert client.login(username="amina@example.org", password="brand-new-phrase-42")


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
