from django.core.management.base import BaseCommand, CommandError

from compass.models import CURRENT_EDITION, Level
from devtools import demo


class Command(BaseCommand):
    help = (
        "Create demo people and two demo cycles (one open, one released) for trying the app "
        "locally. Safe to run again: demo cycles that exist are left as they are."
    )

    def handle(self, *args, **options):
        if not Level.objects.filter(edition=CURRENT_EDITION).exists():
            raise CommandError("The compass is not loaded. Run `manage.py loaddata compass` first.")
        summary = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for line in summary:
            self.stdout.write(line)
