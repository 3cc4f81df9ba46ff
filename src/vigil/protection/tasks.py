"""Background work of victim protection: the daily reminders before the deadlines of the B8/3 scheme."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from vigil.core.tasks import already_queued
from vigil.protection import deadlines

RUN_AT = dt.time(6, 0)  # local time: the reminders are there when the officers start


@task()
def daily_reminders() -> dict:
    """Make today's reminders (idempotent), then queue the run of tomorrow morning."""
    counts = deadlines.make_reminders()
    _queue_tomorrow()
    return counts


def _queue_tomorrow() -> None:
    # only a backend that can defer (the database one; the tests' immediate backend cannot)
    if getattr(daily_reminders.get_backend(), "supports_defer", False) and not already_queued("daily_reminders"):
        at = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), RUN_AT))
        daily_reminders.using(run_after=at).enqueue()


def ensure_scheduled() -> bool:
    """Start the daily chain unless a run already waits: one run now, which queues the next. ``vigil serve``
    calls this at start."""
    if already_queued("daily_reminders"):
        return False
    daily_reminders.enqueue()
    return True
