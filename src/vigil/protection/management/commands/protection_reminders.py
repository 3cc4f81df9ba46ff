import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from vigil.audit.log import record
from vigil.protection import deadlines


class Command(BaseCommand):
    help = ("Make the reminders before the deadlines of victim-protection records (reflection period ending, permit "
            "expiring, renewal due, decision pending too long); idempotent, so it can run daily from cron. The "
            "background worker runs it every morning by itself (vigil.protection.tasks.daily_reminders).")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="compute as on this day (YYYY-MM-DD) instead of today")
        parser.add_argument("--list", dest="show", action="store_true", help="also print the open deadlines (no names)")

    def handle(self, date, show, **_):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date: not a date: {date!r} (use YYYY-MM-DD)") from None
        counts = deadlines.make_reminders(today)
        record(None, "update", object_type="protection_reminders", object_id=str(today or ""), detail=counts)
        if show:
            from vigil.protection.models import ProtectionRecord

            for d in deadlines.deadlines(ProtectionRecord.objects.all(), today):
                self.stdout.write(f"{d.due}  {d.days_left:>5}  {d.kind:<16} {d.reference} {d.subject}")
        self.stdout.write(f"{counts['deadlines']} open deadlines; {counts['made']} reminders made, "
                          f"{counts['resolved']} resolved.")
