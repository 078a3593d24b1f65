from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from assessments.running import cycles


class Command(BaseCommand):
    help = (
        "Close every open cycle whose close date has ended (midnight after it, in TIME_ZONE). "
        "Meant to run daily; the task worker also closes each cycle when its date ends, and links "
        "refuse answers from that moment either way."
    )

    def handle(self, *args, **options):
        closed = cycles.close_due_cycles()
        for cycle in closed:
            self.stdout.write(
                _("%(cycle)s closed (close date %(date)s).")
                % {"cycle": cycle.name, "date": cycle.closes_on.isoformat()}
            )
        self.stdout.write(self.style.SUCCESS(_("%(n)s cycles closed.") % {"n": len(closed)}))
