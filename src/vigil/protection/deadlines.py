"""Deadlines of the B8/3 scheme and the reminders before them, as plain functions (the dashboard, the API, the
daily task and the CLI call these).

A deadline is computed from the record as it stands, never stored: recording a step (a decision to report, a
renewal) makes the deadline go away by itself. Reminders are stored, once per deadline and reminder step, so the
daily run can be repeated without making them twice.

The numbers are settings (``VIGIL_PROTECTION_REMINDER_DAYS``, ``VIGIL_PROTECTION_DECISION_DAYS``,
``VIGIL_PROTECTION_RENEWAL_LEAD_DAYS``); the defaults are below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.protection.models import DeadlineKind, Decision, PermitKind, ProtectionRecord, Reminder

# How many days before a deadline a reminder is made, per kind of deadline; 0 (the day itself, or overdue) always.
REMINDER_DAYS: dict[str, tuple[int, ...]] = {
    DeadlineKind.REFLECTION_END: (14, 7, 1),
    DeadlineKind.RENEWAL_DUE: (14, 7, 1),
    DeadlineKind.PERMIT_EXPIRY: (30, 14, 7, 1),
    DeadlineKind.DECISION_PENDING: (7, 1),
}
# How long a decision may take before it counts as pending too long: 90 days is the statutory term for regular
# residence applications (art. 25 Vw 2000); a first B8/3 application is decided with priority.
DECISION_DAYS: dict[str, int] = {
    PermitKind.B83: 7,
    PermitKind.RENEWAL: 90,
    PermitKind.CONTINUED: 90,
    "exemption": 90,
}
# A renewal should be applied for this many days before the permit expires.
RENEWAL_LEAD_DAYS = 30


def reminder_days() -> dict[str, tuple[int, ...]]:
    return {**REMINDER_DAYS, **getattr(settings, "VIGIL_PROTECTION_REMINDER_DAYS", {})}


def decision_days() -> dict[str, int]:
    return {**DECISION_DAYS, **getattr(settings, "VIGIL_PROTECTION_DECISION_DAYS", {})}


def renewal_lead_days() -> int:
    return int(getattr(settings, "VIGIL_PROTECTION_RENEWAL_LEAD_DAYS", RENEWAL_LEAD_DAYS))


@dataclass(frozen=True)
class Deadline:
    record_id: int
    reference: str
    name: str
    kind: str  # DeadlineKind
    subject: str  # what it is about: "reflection", "permit:12", "exemption:3"
    due: dt.date
    days_left: int  # negative: overdue
    what: str  # one line for the officer

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def kind_label(self) -> str:
        return str(DeadlineKind(self.kind).label)

    @property
    def key(self) -> tuple:
        return self.record_id, self.kind, self.subject, self.due


def _open(records) -> Iterable[ProtectionRecord]:
    if hasattr(records, "prefetch_related"):
        records = records.prefetch_related("permits", "exemptions")
    return records


def of_record(r: ProtectionRecord, today: dt.date) -> list[Deadline]:
    """The deadlines of one record (its permits and exemptions prefetched or not)."""
    if r.closed_on and r.closed_on <= today:
        return []
    out: list[Deadline] = []

    def add(kind: str, subject: str, due: dt.date, what: str) -> None:
        out.append(Deadline(r.pk, r.reference, r.display_name, kind, subject, due, (due - today).days, what))

    if r.reflection_start and r.reflection_end and not r.reflection_ended_on and not r.cooperation:
        add(DeadlineKind.REFLECTION_END, "reflection", r.reflection_end,
            _("Reflection period %(start)s – %(end)s: no decision to report or cooperate recorded yet")
            % {"start": r.reflection_start, "end": r.reflection_end})
    permits = sorted(r.permits.all(), key=lambda p: (p.applied_on, p.pk))
    terms = decision_days()
    for p in permits:
        if p.decision == Decision.PENDING:
            add(DeadlineKind.DECISION_PENDING, f"permit:{p.pk}", p.applied_on + dt.timedelta(days=terms[p.kind]),
                _("%(kind)s applied for on %(on)s, no decision yet") % {"kind": p.get_kind_display(),
                                                                          "on": p.applied_on})
    for e in r.exemptions.all():
        if e.decision == Decision.PENDING:
            add(DeadlineKind.DECISION_PENDING, f"exemption:{e.pk}",
                e.applied_on + dt.timedelta(days=terms["exemption"]),
                _("Exemption (%(ground)s) requested on %(on)s, no decision yet") % {"ground": e.get_ground_display(),
                                                                                      "on": e.applied_on})
    granted = [p for p in permits if p.decision == Decision.GRANTED and p.valid_until]
    if granted:
        last = max(granted, key=lambda p: (p.valid_until, p.pk))
        # a later application waiting for its decision carries the deadline (as "decision pending")
        waiting = any(p.decision == Decision.PENDING and p.pk != last.pk and p.applied_on >= last.applied_on
                      for p in permits)
        if not waiting:
            if last.kind != PermitKind.CONTINUED:
                add(DeadlineKind.RENEWAL_DUE, f"permit:{last.pk}",
                    last.valid_until - dt.timedelta(days=renewal_lead_days()),
                    _("Apply for renewal: the permit is valid until %(until)s") % {"until": last.valid_until})
            add(DeadlineKind.PERMIT_EXPIRY, f"permit:{last.pk}", last.valid_until,
                _("%(kind)s valid until %(until)s") % {"kind": last.get_kind_display(), "until": last.valid_until})
    return out


def deadlines(records, today: dt.date | None = None, *, within: int | None = None) -> list[Deadline]:
    """Every open deadline of the records, overdue first, then by date; ``within`` days from today if given."""
    today = today or timezone.localdate()
    out = [d for r in _open(records) for d in of_record(r, today)]
    if within is not None:
        out = [d for d in out if d.days_left <= within]
    return sorted(out, key=lambda d: (not d.overdue, d.due, d.reference, d.kind))


def reminder_step(d: Deadline, steps: Iterable[int]) -> int | None:
    """The reminder step a deadline has reached: the nearest configured number of days at or above the days left
    (0 on the day and after), or None while it is further away than every step."""
    if d.days_left <= 0:
        return 0
    reached = [s for s in steps if s >= d.days_left]
    return min(reached) if reached else None


@transaction.atomic
def make_reminders(today: dt.date | None = None, records=None) -> dict[str, int]:
    """Make the reminders due today (idempotent: each deadline and step once) and mark those of deadlines that went
    away (the step was recorded) as resolved. Returns counts."""
    today = today or timezone.localdate()
    records = ProtectionRecord.objects.all() if records is None else records
    current = deadlines(records, today)
    steps = reminder_days()
    wanted = []
    for d in current:
        step = reminder_step(d, steps.get(d.kind, ()))
        if step is not None:
            wanted.append(Reminder(record_id=d.record_id, kind=d.kind, subject=d.subject, due=d.due, days_before=step))
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(wanted, ignore_conflicts=True)
    made = Reminder.objects.count() - before
    keys = {d.key for d in current}
    stale = [r.pk for r in Reminder.objects.filter(dismissed_at__isnull=True, record__in=records)
             if (r.record_id, r.kind, r.subject, r.due) not in keys]
    resolved = Reminder.objects.filter(pk__in=stale).update(dismissed_at=timezone.now())
    return {"deadlines": len(current), "made": made, "resolved": resolved}


def open_reminders(records, current: list[Deadline]) -> list[tuple[Reminder, Deadline]]:
    """The reminders not yet marked done whose deadline still stands, with that deadline, soonest first."""
    by_key = {d.key: d for d in current}
    rows = Reminder.objects.filter(Q(dismissed_at__isnull=True), record__in=records).select_related("record")
    out = [(r, by_key[(r.record_id, r.kind, r.subject, r.due)]) for r in rows
           if (r.record_id, r.kind, r.subject, r.due) in by_key]
    # per deadline only the latest step reached
    latest: dict[tuple, tuple[Reminder, Deadline]] = {}
    for r, d in out:
        if d.key not in latest or r.days_before < latest[d.key][0].days_before:
            latest[d.key] = (r, d)
    return sorted(latest.values(), key=lambda rd: (rd[1].due, rd[1].reference))
