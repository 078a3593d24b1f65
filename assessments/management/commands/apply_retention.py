from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.running.stewardship import apply_retention


class Command(BaseCommand):
    help = (
        "Erase the names and emails of raters of cycles released more than RATER_RETENTION_DAYS "
        "days ago, so no answer can be traced to its rater. Reports keep their numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the setting")

    def handle(self, *args, days, **options):
        days = settings.RATER_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        erased = apply_retention(days=days)
        self.stdout.write(
            self.style.SUCCESS(f"Erased the identity of {erased} raters (retention {days} days).")
        )
