from django.core.management.base import BaseCommand, CommandError

from assessments.running.stewardship import erase_person


class Command(BaseCommand):
    help = (
        "Erase a person's name, email and the comments they wrote (on their request), keeping "
        "every report's numbers intact. Without --confirm nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the person's email address")
        parser.add_argument("--confirm", action="store_true", help="really erase")

    def handle(self, *args, email, confirm, **options):
        if "@" not in email:
            raise CommandError(f"'{email}' is not an email address.")
        if not confirm:
            self.stdout.write("Dry run: add --confirm to erase. Nothing was changed.")
            return
        counts = erase_person(email=email)
        if not counts["account"] and not counts["rater_rows"]:
            raise CommandError("Nobody with that email address was found; nothing was changed.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased: {counts['account']} account, {counts['rater_rows']} rater rows, "
                f"{counts['comments']} comments."
            )
        )
