from django.core.management.base import BaseCommand

from assessments import demo


class Command(BaseCommand):
    help = "Create demo people and data for trying the app locally. Safe to run twice."

    def handle(self, *args, **options):
        summary = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for line in summary:
            self.stdout.write(line)
