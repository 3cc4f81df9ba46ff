"""The statistics as plain queries: counts of signals, referrals, cases and victim protection for a period of whole
months and an organisation scope. Every count is one GROUP BY in PostgreSQL; Python only arranges the groups into
tables (``tables.Table``), which are suppressed (``tables.suppress``) before anyone sees them.

What counts (docs/statistics.md):
- all of Vigil, not only what the user may read: counts are no personal data once small numbers are suppressed,
  and the chain needs national figures (the Nationaal Rapporteur, CoMensha and the police all count nationally).
  The scope "own organisation" narrows each figure to what the user's organisation owns, sent or received;
- signals by the month Vigil received them; public reports marked as spam are left out;
- referrals by the month they were sent (with their current status), reports back by the month they were made;
- cases by the month they were opened (with their current status), closed cases by the month they were closed;
- victim protection by the month of the event counted (record opened, decision taken, application made).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import (
    Case,
    CaseStatus,
    FeedbackKind,
    Outcome,
    Referral,
    ReferralStatus,
    ReferralUpdate,
)
from vigil.organisations.models import Organisation
from vigil.protection.models import (
    Authority,
    Cooperation,
    Decision,
    Exemption,
    ExemptionGround,
    Permit,
    PermitKind,
    ProtectionRecord,
)
from vigil.register.models import Address, Channel, Form, Signal
from vigil.statistics import regions
from vigil.statistics.tables import Table

MAX_MONTHS = 120
NOT_ASSESSED = "not_assessed"
PENDING = "pending"  # Decision.PENDING is the empty string


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of ``first`` up to and including the month of ``last`` (local time)."""

    first: dt.date
    last: dt.date

    @classmethod
    def last_months(cls, months: int = 12, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        last = today.replace(day=1)
        return cls(last - relativedelta(months=months - 1), last)

    @property
    def end_date(self) -> dt.date:
        """The first day after the period."""
        return self.last + relativedelta(months=1)

    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.end_date, dt.time.min))

    def months(self) -> list[str]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month.strftime("%Y-%m"))
            month += relativedelta(months=1)
        return out

    def __str__(self):
        return f"{self.first:%Y-%m} – {self.last:%Y-%m}"


@dataclass(frozen=True)
class Scope:
    """All of Vigil, or one organisation (what it owns, sent or received)."""

    organisation: Organisation | None = None

    @property
    def code(self) -> str:
        return "own" if self.organisation else "all"

    def __str__(self):
        return self.organisation.name if self.organisation else str(_("All of Vigil"))


def _codes(choices, found: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every choice in its order (a count of 0 is a figure too), then any other code met in the data."""
    rows = [(code or PENDING, label) for code, label in choices]
    known = {code for code, _ in rows}
    return rows + [(code, code) for code in sorted(set(found) - known)]


def _month(value) -> str:
    return value.strftime("%Y-%m")


class Figures:
    """The figures of one period and scope. ``tables()`` gives them all (or the keys asked for), one query or two
    each; the number of queries does not grow with the data."""

    def __init__(self, period: Period, scope: Scope):
        self.period, self.scope = period, scope
        self.org = scope.organisation

    # --- what is counted ---------------------------------------------------------------------------------------------

    def signals(self) -> QuerySet[Signal]:
        qs = Signal.objects.filter(received_at__gte=self.period.start(), received_at__lt=self.period.end())
        qs = qs.exclude(report__spam=True)
        return qs.filter(owner=self.org) if self.org else qs

    def referrals(self) -> QuerySet[Referral]:
        qs = Referral.objects.filter(sent_at__gte=self.period.start(), sent_at__lt=self.period.end())
        return qs.filter(Q(from_organisation=self.org) | Q(to_organisation=self.org)) if self.org else qs

    def reports(self) -> QuerySet[ReferralUpdate]:
        qs = ReferralUpdate.objects.filter(at__gte=self.period.start(), at__lt=self.period.end())
        if self.org:
            qs = qs.filter(Q(referral__from_organisation=self.org) | Q(referral__to_organisation=self.org))
        return qs

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(owner=self.org) if self.org else Case.objects.all()

    def protection_records(self) -> QuerySet[ProtectionRecord]:
        qs = ProtectionRecord.objects.all()
        return qs.filter(owner=self.org) if self.org else qs

    def _in_period(self, field: str) -> Q:
        """A date field within the period."""
        return Q(**{f"{field}__gte": self.period.first, f"{field}__lt": self.period.end_date})

    # --- helpers -----------------------------------------------------------------------------------------------------

    def _one_way(self, key, title, rows_label, rows, counts: dict[str, int], counted, *, total: int | None = None,
                 totals: bool = True, chart: str = "bar", note="") -> Table:
        return Table(key=key, title=title, rows_label=rows_label, rows=rows, cols=[("count", counted)],
                     cells={(code, "count"): counts.get(code, 0) for code, _ in rows},
                     col_totals={"count": sum(counts.values()) if total is None else total} if totals else None,
                     chart=chart, note=note)

    @staticmethod
    def _two_way(key, title, rows_label, rows, cols_label, cols, counts: dict[tuple[str, str], int], *,
                 chart: str = "stacked", note="") -> Table:
        row_totals = {r: sum(counts.get((r, c), 0) for c, _ in cols) for r, _ in rows}
        col_totals = {c: sum(counts.get((r, c), 0) for r, _ in rows) for c, _ in cols}
        return Table(key=key, title=title, rows_label=rows_label, rows=rows, cols=cols, cols_label=cols_label,
                     cells=dict(counts), row_totals=row_totals, col_totals=col_totals,
                     grand=sum(row_totals.values()), chart=chart, note=note)

    def _months(self, found: Iterable[str] = ()) -> list[tuple[str, str]]:
        months = self.period.months()
        return [(m, m) for m in months] + [(m, m) for m in sorted(set(found) - set(months))]

    @staticmethod
    def _pairs(qs, a: str, b: str, count) -> dict[tuple[str, str], int]:
        return {(x or PENDING, y or PENDING): n for x, y, n in qs.values_list(a, b).annotate(n=count).order_by()}

    def _unnest(self, column, empty: str) -> dict[str, int]:
        """Signals per element of an array column (a signal counts once under each of its forms); an empty array
        counts under ``empty``, no value at all (no assessment yet) under NOT_ASSESSED."""
        sql, params = self.signals().values("id", fs=column).query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(f"""SELECT u.form, count(*) FROM ({sql}) s CROSS JOIN LATERAL unnest(
                              CASE WHEN s.fs IS NULL THEN ARRAY[%s]::text[]
                                   WHEN cardinality(s.fs) = 0 THEN ARRAY[%s]::text[]
                                   ELSE s.fs::text[] END) AS u(form)
                            GROUP BY u.form""", [*params, NOT_ASSESSED, empty])
            return dict(cur.fetchall())

    # --- signals -----------------------------------------------------------------------------------------------------

    @cached_property
    def _by_channel(self) -> dict[str, int]:
        return dict(self.signals().values_list("channel").annotate(n=Count("id")).order_by())

    @property
    def signal_total(self) -> int:
        return sum(self._by_channel.values())

    def signals_by_month(self) -> Table:
        counts = {_month(m): n for m, n in self.signals().annotate(m=TruncMonth("received_at"))
                  .values_list("m").annotate(n=Count("id")).order_by()}
        return self._one_way("signals_by_month", _("Signals received per month"), _("Month"),
                             self._months(counts), counts, _("Signals"), chart="line")

    def signals_by_channel(self) -> Table:
        return self._one_way("signals_by_channel", _("Signals by channel"), _("Channel"),
                             _codes(Channel.choices, self._by_channel), self._by_channel, _("Signals"))

    def signals_by_form(self) -> Table:
        counts = self._unnest(F("forms"), Form.UNKNOWN)
        return self._one_way("signals_by_form", _("Signals by form of exploitation, as the source states it"),
                             _("Form of exploitation"), _codes(Form.choices, counts), counts, _("Signals"),
                             total=self.signal_total,
                             note=_("A signal can name more than one form: the rows add up to more than the total."))

    def signals_by_likely_form(self) -> Table:
        counts = self._unnest(F("assessment__forms"), Form.UNKNOWN)
        rows = _codes([*Form.choices, (NOT_ASSESSED, _("Not assessed yet"))], counts)
        return self._one_way("signals_by_likely_form", _("Signals by likely form of exploitation, as assessed"),
                             _("Form of exploitation"), rows, counts, _("Signals"), total=self.signal_total,
                             note=_("The assessment's reading, or the analyst's where one set it. A signal can have "
                                    "more than one likely form."))

    def signals_by_region(self) -> Table:
        """Signals per police regional unit of their addresses in the Netherlands: a signal counts once in each
        unit it has an address in, and under "unknown" if it has none Vigil can place."""
        dutch = Address.objects.filter(signal__in=self.signals().values("id"), country__in=["", "NL"]).exclude(city="")
        places = {}
        for city in dutch.values_list("city", flat=True).distinct().order_by():
            unit = regions.unit_of(city)
            if unit != regions.UNKNOWN:
                places[city] = unit
        sql, params = self.signals().values("id").query.sql_with_params()
        with connection.cursor() as cur:
            # distinct signals per unit, and (the empty grouping set, unit NULL) placed in any unit at all
            cur.execute(f"""WITH m(place, unit) AS (SELECT * FROM unnest(%s::text[], %s::text[]))
                            SELECT m.unit, count(DISTINCT a.signal_id)
                            FROM register_address a JOIN m ON m.place = a.city
                            WHERE a.country IN ('', 'NL') AND a.signal_id IN ({sql})
                            GROUP BY GROUPING SETS ((m.unit), ())""",
                        [list(places), list(places.values()), *params])
            counts = dict(cur.fetchall())
        counts[regions.UNKNOWN] = self.signal_total - counts.pop(None, 0)
        rows = [(u.slug, u.name) for u in regions.units()] + [(regions.UNKNOWN, _("No known Dutch address"))]
        return self._one_way("signals_by_region", _("Signals by police regional unit of their addresses"),
                             _("Police regional unit"), rows, counts, _("Signals"), total=self.signal_total,
                             note=_("A signal counts in every unit it has an address in."))

    # --- referrals ---------------------------------------------------------------------------------------------------

    def referrals_by_receiver(self) -> Table:
        counts = self._pairs(self.referrals(), "to_organisation__kind", "status", Count("id"))
        return self._two_way("referrals_by_receiver", _("Referrals sent, by kind of receiving organisation and status"),
                             _("Receiving organisation"), _codes(Organisation.Kind.choices, {r for r, _ in counts}),
                             _("Status"), _codes(ReferralStatus.choices, {c for _, c in counts}), counts)

    def referrals_by_month(self) -> Table:
        counts = {(_month(m), s): n for m, s, n in self.referrals().annotate(m=TruncMonth("sent_at"))
                  .values_list("m", "status").annotate(n=Count("id")).order_by()}
        return self._two_way("referrals_by_month", _("Referrals sent per month, by status today"), _("Month"),
                             self._months({m for m, _ in counts}), _("Status"),
                             _codes(ReferralStatus.choices, {c for _, c in counts}), counts)

    def referral_reports(self) -> Table:
        counts = self._pairs(self.reports(), "kind", "referral__to_organisation__kind", Count("id"))
        return self._two_way("referral_reports", _("Reports back, by kind and kind of receiving organisation"),
                             _("Report"), _codes(FeedbackKind.choices, {r for r, _ in counts}),
                             _("Receiving organisation"), _codes(Organisation.Kind.choices, {c for _, c in counts}),
                             counts)

    def referral_reports_by_month(self) -> Table:
        counts = {(_month(m), k): n for m, k, n in self.reports().annotate(m=TruncMonth("at"))
                  .values_list("m", "kind").annotate(n=Count("id")).order_by()}
        return self._two_way("referral_reports_by_month", _("Reports back per month, by kind"), _("Month"),
                             self._months({m for m, _ in counts}), _("Report"),
                             _codes(FeedbackKind.choices, {c for _, c in counts}), counts)

    def referral_numbers(self) -> Table:
        kinds = [FeedbackKind.PERSONS_IDENTIFIED, FeedbackKind.ARRESTS]
        counts = dict(self.reports().filter(kind__in=kinds).values_list("kind").annotate(n=Sum("count")).order_by())
        counts = {k: n or 0 for k, n in counts.items()}
        return self._one_way("referral_numbers", _("Persons identified and arrests, as reported back"), _("Report"),
                             [(k.value, k.label) for k in kinds], counts, _("Number"), totals=False,
                             note=_("The numbers the receiving organisations gave with their reports."))

    # --- cases -------------------------------------------------------------------------------------------------------

    def cases_by_status(self) -> Table:
        counts = dict(self.cases().filter(created_at__gte=self.period.start(), created_at__lt=self.period.end())
                      .values_list("status").annotate(n=Count("id")).order_by())
        return self._one_way("cases_by_status", _("Cases opened, by status today"), _("Status"),
                             _codes(CaseStatus.choices, counts), counts, _("Cases"))

    def cases_by_outcome(self) -> Table:
        counts = dict(self.cases().filter(status=CaseStatus.CLOSED, closed_at__gte=self.period.start(),
                                          closed_at__lt=self.period.end())
                      .values_list("outcome").annotate(n=Count("id")).order_by())
        return self._one_way("cases_by_outcome", _("Cases closed, by outcome"), _("Outcome"),
                             _codes(Outcome.choices, counts), counts, _("Cases"))

    # --- victim protection -------------------------------------------------------------------------------------------

    def protection_reflection(self) -> Table:
        groups = (self.protection_records().filter(created_at__gte=self.period.start(), created_at__lt=self.period.end())
                  .values_list("reflection_offered", "reflection_offered_by").annotate(n=Count("id")).order_by())
        counts: dict[str, int] = {}
        for offered, by, n in groups:
            code = (by or "offered") if offered else ("not_offered" if offered is False else "not_recorded")
            counts[code] = counts.get(code, 0) + n
        rows = _codes([*Authority.choices, ("offered", _("Offered, by whom not recorded")),
                       ("not_offered", _("Not offered")), ("not_recorded", _("Not recorded"))], counts)
        return self._one_way("protection_reflection", _("Possible victims registered, by reflection period offered"),
                             _("Reflection period"), rows, counts, _("Possible victims"))

    def protection_cooperation(self) -> Table:
        counts = dict(self.protection_records().filter(self._in_period("cooperation_on"))
                      .values_list("cooperation").annotate(n=Count("id")).order_by())
        return self._one_way("protection_cooperation", _("Decisions to report or cooperate"), _("Decision"),
                             _codes(Cooperation.choices, counts), counts, _("Possible victims"))

    def protection_permits(self) -> Table:
        qs = Permit.objects.filter(self._in_period("applied_on"))
        if self.org:
            qs = qs.filter(record__owner=self.org)
        counts = self._pairs(qs, "kind", "decision", Count("id"))
        return self._two_way("protection_permits", _("Residence permit applications, by kind and decision"),
                             _("Application"), _codes(PermitKind.choices, {r for r, _ in counts}), _("Decision"),
                             _codes(Decision.choices, {c for _, c in counts}), counts)

    def protection_exemptions(self) -> Table:
        qs = Exemption.objects.filter(self._in_period("applied_on"))
        if self.org:
            qs = qs.filter(record__owner=self.org)
        counts = self._pairs(qs, "ground", "decision", Count("id"))
        return self._two_way("protection_exemptions", _("Exemptions from the duty to cooperate, by ground and "
                                                        "decision"),
                             _("Ground"), _codes(ExemptionGround.choices, {r for r, _ in counts}), _("Decision"),
                             _codes(Decision.choices, {c for _, c in counts}), counts)

    # --- all ---------------------------------------------------------------------------------------------------------

    def tables(self, keys: Iterable[str] | None = None) -> list[Table]:
        wanted = list(FIGURES) if keys is None else [k for k in FIGURES if k in set(keys)]
        return [getattr(self, key)() for key in wanted]


# key -> the section it is shown in, in the order of the dashboard
SECTIONS = {
    "signals": _("Signals"), "referrals": _("Passing signs on (referrals)"), "cases": _("Cases"),
    "protection": _("Victim protection (B8/3)"),
}
FIGURES: dict[str, str] = {
    "signals_by_month": "signals", "signals_by_channel": "signals", "signals_by_form": "signals",
    "signals_by_likely_form": "signals", "signals_by_region": "signals",
    "referrals_by_receiver": "referrals", "referrals_by_month": "referrals", "referral_reports": "referrals",
    "referral_reports_by_month": "referrals", "referral_numbers": "referrals",
    "cases_by_status": "cases", "cases_by_outcome": "cases",
    "protection_reflection": "protection", "protection_cooperation": "protection", "protection_permits": "protection",
    "protection_exemptions": "protection",
}
