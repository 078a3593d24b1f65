from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.running import cycles, hr_actions, reminders


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
        "First closes the cycles whose close date has ended. Then reminds every rater who has "
        "not answered (self-assessments included), one email per person: in the cycles whose "
        "reminder schedule (set by HR on the cycle's reminders page) is due today, and in the "
        "other open cycles that close today or within the next N days (--days, default 3). Meant "
        "to run daily from a scheduler; each reminder carries the rater's own links, the same as "
        "the invitations'. Emails are sent by the task worker."
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
        for cycle, plan in reminders.run_scheduled():
            self.stdout.write(
                _("%(cycle)s (scheduled): %(n)s reminders in %(emails)s emails")
                % {"cycle": cycle.name, "n": plan.requests, "emails": plan.emails}
            )
        total = 0
        # Cycles with a schedule of their own follow it, not the --days window.
        closing = [
            cycle
            for cycle in hr_actions.cycles_closing_within(days)
            if not reminders.scheduled(cycle)
        ]
        for cycle in closing:
            count = hr_actions.send_reminders(cycle=cycle, by=None)
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
