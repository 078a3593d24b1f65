"""Believable demo data for `make run`. Idempotent: running it twice changes nothing."""

from django.db import transaction

from .models import User

DEMO_PASSWORD = "compass-demo"  # noqa: S105 (published demo sign-in)

DEMO_PEOPLE = [
    ("hr@demo.example.org", "Hana Rahimi", "HR admin"),
    ("leader@demo.example.org", "Lucía Ortega", "Leader"),
    ("supervisor@demo.example.org", "Samuel Okoro", "Supervisor"),
]


@transaction.atomic
def seed():
    lines = []
    for email, name, role in DEMO_PEOPLE:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        lines.append(f"  {role:<11} {email}  password: {DEMO_PASSWORD}")
    return ["Sign in at http://127.0.0.1:8000/accounts/login/ as:", *lines]
