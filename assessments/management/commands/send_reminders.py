from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments import cohort, cycles


def _days(value):
    try:
        days = int(value)
    except ValueError:
        raise CommandError(
            _("--days must be a whole number of days, not “%(value)s”.") % {"value": value}
        ) from None
    if days < 0:
        raise CommandError(_("--days must be 0 or more, not %(days)s.") % {"days": days})
    return days


class Command(BaseCommand):
    help = (
        "Remind every rater who has not answered (self-assessments included), in the open cycles "
        "that close today or within the next N days (--days, default 3). Meant to run daily from "
        "a scheduler; each reminder carries the rater's own link, the same as the invitation's. "
        "Cycles whose close date has ended are closed first. Emails are sent by the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            default="3",
            help="Remind for open cycles closing today or within this many days (default 3).",
        )

    def handle(self, *args, **options):
        days = _days(options["days"])
        # First close the cycles whose close date has ended: nobody is reminded of those.
        for cycle in cycles.close_due_cycles():
            self.stdout.write(
                _("%(cycle)s closed by itself: its close date %(date)s has ended.")
                % {"cycle": cycle.name, "date": cycle.closes_on.isoformat()}
            )
        total = 0
        closing = list(cohort.cycles_closing_within(days))
        for cycle in closing:
            count = cohort.send_reminders(cycle=cycle, by=None)
            total += count
            self.stdout.write(
                _("%(cycle)s (closes %(date)s): %(n)s reminders")
                % {"cycle": cycle.name, "date": cycle.closes_on.isoformat(), "n": count}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(total)s reminders for %(cycles)s open cycles closing within %(days)s days.")
                % {"total": total, "cycles": len(closing), "days": days}
            )
        )
