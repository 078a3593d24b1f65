from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.access import make_hr_admin


class Command(BaseCommand):
    help = (
        "Make the person with this email an HR admin (the first one of a deployment). The "
        "account is created, without a password, when there is none."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the person's email address")

    def handle(self, *args, email, **options):
        if "@" not in email:
            raise CommandError(f"'{email}' is not an email address.")
        user, created = make_hr_admin(email=email)
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Created' if created else 'Found'} the account {user.email}; "
                "it is in the HR admins group."
            )
        )
        if not user.is_active:
            self.stdout.write(self.style.WARNING("The account is deactivated: it cannot sign in."))
        if settings.OIDC_ENABLED and settings.OIDC_HR_GROUP_CLAIM:
            self.stdout.write(
                self.style.WARNING(
                    "HR rights follow the provider's group claim: unless this person is in that "
                    "group, they lose them at their next sign-in."
                )
            )
        elif settings.PASSWORD_SIGN_IN and created:
            self.stdout.write(
                "To sign in with a password, they choose one through 'Forgotten your password?'."
            )
