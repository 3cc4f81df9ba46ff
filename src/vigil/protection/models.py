"""Victim protection under the B8/3 scheme (Vreemdelingencirculaire 2000, B8/3) and permit actions.

A ``ProtectionRecord`` follows one possible victim through the scheme: the reflection period (bedenktijd, at most
three months, art. 8 Vw 2000), the decision to report (aangifte) or otherwise cooperate, the B8/3 residence permit
(art. 3.48 Vb 2000: application, decision, validity, renewals), exemptions from the duty to cooperate (serious threat,
medical or psychological reasons, minor) and the later continued residence on non-temporary humanitarian grounds.
Permits and exemptions are rows of their own, so renewals and a second exemption keep their history too.

A ``PermitFlag`` is an IND officer's proposal to refuse or revoke a permit of a person or a sponsoring organisation
(erkend referent) where trafficking evidence is recorded; it cites that evidence and carries a decision trail.

Both belong to one organisation (the IND) and are read only there, by users with the capability ("protection",
"permits"; ``protection/access.py``). Every change is a ``ProtectionEvent`` or ``FlagStep``, written by
``protection/service.py`` in the same transaction as the change, and audited. The rules of the scheme are in the
models' ``clean()`` so forms, the service, the CLI and the demo all apply them.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.organisations.models import Organisation

REFLECTION_MONTHS = 3  # art. 8 under k Vw 2000 / B8/3.1: the reflection period lasts at most three months


def reflection_limit(start: dt.date) -> dt.date:
    """The last day a reflection period that starts on ``start`` may run to (three calendar months)."""
    return start + relativedelta(months=REFLECTION_MONTHS)


class Authority(models.TextChoices):
    """Who offered the reflection period."""

    POLICE = "police", _("Police (AVIM)")
    KMAR = "kmar", _("Royal Marechaussee")
    LABOUR = "labour_inspectorate", _("Labour Inspectorate (investigation service)")
    IND = "ind", _("IND")


class Cooperation(models.TextChoices):
    REPORT = "report", _("Reports the offence (aangifte)")
    COOPERATE = "cooperate", _("Cooperates otherwise with the investigation")
    DECLINED = "declined", _("Does not report or cooperate")


class Decision(models.TextChoices):
    PENDING = "", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PermitKind(models.TextChoices):
    B83 = "b83", _("B8/3 residence permit (temporary humanitarian, victim of trafficking)")
    RENEWAL = "b83_renewal", _("Renewal of the B8/3 residence permit")
    CONTINUED = "continued", _("Continued residence (non-temporary humanitarian grounds)")


class ContinuedGround(models.TextChoices):
    CONVICTION = "conviction", _("The criminal case ended in a conviction for trafficking")
    THREE_YEARS = "three_years", _("Three years of B8/3 residence while the criminal case continues")
    SPECIAL = "special_circumstances", _("Special individual circumstances (e.g. the case was dropped)")


class ExemptionGround(models.TextChoices):
    """Exemptions from the duty to report or cooperate (B8/3: the victim still qualifies for the permit)."""

    THREAT = "serious_threat", _("Serious threat")
    MEDICAL = "medical", _("Medical or psychological reasons")
    MINOR = "minor", _("Minor")


class ProtectionRecord(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True, help_text="e.g. B83-2026-00012")
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="protection_records",
                              verbose_name=_("owning organisation"))
    person = models.ForeignKey("register.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("person in a signal"),
                               help_text=_("The possible victim as a signal names them."))
    entity = models.ForeignKey("linking.Entity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("person in the graph"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("case"))
    display_name = models.CharField(_("name"), max_length=300)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    v_number = models.CharField(_("V-number"), max_length=20, blank=True,
                                help_text=_("The foreign national's number (vreemdelingennummer), if known."))

    reflection_offered = models.BooleanField(_("reflection period offered"), null=True, blank=True)
    reflection_offered_on = models.DateField(_("offered on"), null=True, blank=True)
    reflection_offered_by = models.CharField(_("offered by"), max_length=24, choices=Authority.choices, blank=True)
    reflection_start = models.DateField(_("reflection period starts"), null=True, blank=True)
    reflection_end = models.DateField(_("reflection period ends"), null=True, blank=True)
    reflection_ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    reflection_end_reason = models.CharField(_("why it ended early"), max_length=300, blank=True)

    cooperation = models.CharField(_("decision to report or cooperate"), max_length=12,
                                   choices=Cooperation.choices, blank=True)
    cooperation_on = models.DateField(_("decided on"), null=True, blank=True)

    closed_on = models.DateField(_("closed on"), null=True, blank=True,
                                 help_text=_("No more deadlines: e.g. left the Netherlands, or the procedure ended."))
    closed_reason = models.CharField(_("why closed"), max_length=300, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("protection record")
        verbose_name_plural = _("protection records")
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self):
        return f"{self.reference} {self.display_name}"

    @property
    def nationality_name(self) -> str:
        import pycountry

        country = pycountry.countries.get(alpha_2=self.nationality) if self.nationality else None
        return country.name if country else self.nationality

    def age_on(self, day: dt.date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def clean(self):
        errors: dict[str, list] = {}

        def err(field, message):
            errors.setdefault(field, []).append(message)

        if self.person_id and self.person.role != "possible_victim":
            err("person", _("Only a person recorded as a possible victim can have a protection record."))
        if self.entity_id and self.entity.kind != "person":
            err("entity", _("Choose a person of the graph."))
        if self.birth_date and self.birth_date > timezone.localdate():
            err("birth_date", _("The date of birth lies in the future."))
        dates = (self.reflection_offered_on, self.reflection_offered_by, self.reflection_start, self.reflection_end,
                 self.reflection_ended_on)
        if self.reflection_offered is not True and any(dates):
            err("reflection_offered", _("Dates and who offered it belong to a reflection period that was offered."))
        if self.reflection_start and not self.reflection_end:
            err("reflection_end", _("Give the end of the reflection period (at most three months after the start)."))
        if self.reflection_end and not self.reflection_start:
            err("reflection_start", _("Give the start of the reflection period."))
        if self.reflection_start and self.reflection_end:
            if self.reflection_end <= self.reflection_start:
                err("reflection_end", _("The reflection period must end after it starts."))
            elif self.reflection_end > reflection_limit(self.reflection_start):
                err("reflection_end", _("The reflection period lasts at most three months: it ends on %(limit)s at "
                                        "the latest.") % {"limit": reflection_limit(self.reflection_start)})
        if self.reflection_offered_on and self.reflection_start and self.reflection_offered_on > self.reflection_start:
            err("reflection_offered_on", _("The reflection period was offered after its start."))
        if self.reflection_ended_on:
            if not self.reflection_start:
                err("reflection_ended_on", _("An early end needs the start of the reflection period."))
            elif not self.reflection_start <= self.reflection_ended_on <= self.reflection_end:
                err("reflection_ended_on", _("An early end lies within the reflection period."))
        if self.reflection_end_reason and not self.reflection_ended_on:
            err("reflection_ended_on", _("Give the date the reflection period ended early."))
        if self.closed_reason and not self.closed_on:
            err("closed_on", _("Give the date the record was closed."))
        if self.closed_on and not self.closed_reason:
            err("closed_reason", _("Say why the record is closed."))
        if bool(self.cooperation) != bool(self.cooperation_on):
            err("cooperation_on" if self.cooperation else "cooperation",
                _("Give both the decision to report or cooperate and its date."))
        if errors:
            raise ValidationError(errors)

    # --- where the record stands, for lists and the API ------------------------------------------------------------

    def reflection_running(self, today: dt.date) -> bool:
        return bool(self.reflection_start and self.reflection_end and not self.reflection_ended_on
                    and self.reflection_start <= today <= self.reflection_end)

    def current_permit(self, today: dt.date) -> Permit | None:
        """The granted permit valid today (the latest if several)."""
        valid = [p for p in self.permits.all() if p.decision == Decision.GRANTED and p.valid_from
                 and p.valid_from <= today <= p.valid_until]
        return max(valid, key=lambda p: p.valid_until, default=None)

    def stage(self, today: dt.date) -> str:
        """One phrase for where the victim stands in the scheme today."""
        if self.closed_on and self.closed_on <= today:
            return str(_("Closed"))
        permit = self.current_permit(today)
        if permit is not None:
            return str(PermitKind(permit.kind).label if permit.kind == PermitKind.CONTINUED
                       else _("B8/3 residence permit"))
        permits = list(self.permits.all())
        if any(p.decision == Decision.PENDING for p in permits):
            return str(_("Application pending"))
        if self.reflection_running(today):
            return str(_("Reflection period"))
        if permits and permits[-1].decision == Decision.REFUSED:
            return str(_("Permit refused"))
        if permits:
            return str(_("Permit expired"))
        return str(_("No permit"))


class Permit(models.Model):
    """One application for a B8/3 permit, its renewal or continued residence, with the decision and validity."""

    record = models.ForeignKey(ProtectionRecord, on_delete=models.CASCADE, related_name="permits")
    kind = models.CharField(_("kind"), max_length=12, choices=PermitKind.choices)
    applied_on = models.DateField(_("applied on"))
    ground = models.CharField(_("ground"), max_length=24, choices=ContinuedGround.choices, blank=True,
                              help_text=_("For continued residence only."))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True, default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["applied_on", "id"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.applied_on})"

    def clean(self):
        errors: dict[str, list] = {}

        def err(field, message):
            errors.setdefault(field, []).append(message)

        if self.kind == PermitKind.CONTINUED and not self.ground:
            err("ground", _("Continued residence needs its ground."))
        if self.kind != PermitKind.CONTINUED and self.ground:
            err("ground", _("Only continued residence has a ground."))
        if self.kind == PermitKind.RENEWAL and self.record_id:
            granted = Permit.objects.filter(record_id=self.record_id, decision=Decision.GRANTED,
                                            kind__in=[PermitKind.B83, PermitKind.RENEWAL]).exclude(pk=self.pk)
            if not granted.exists():
                err("kind", _("A renewal needs a granted B8/3 permit."))
        if self.decision and not self.decided_on:
            err("decided_on", _("Give the date of the decision."))
        if self.decided_on and not self.decision:
            err("decision", _("Give the decision."))
        if self.decided_on and self.applied_on and self.decided_on < self.applied_on:
            err("decided_on", _("The decision lies before the application."))
        if self.decision == Decision.GRANTED:
            if not self.valid_from or not self.valid_until:
                err("valid_until", _("A granted permit needs its validity (from and until)."))
            elif self.valid_until <= self.valid_from:
                err("valid_until", _("The permit must be valid until a date after it starts."))
        elif self.valid_from or self.valid_until:
            err("valid_from", _("Only a granted permit has a validity."))
        if errors:
            raise ValidationError(errors)


class Exemption(models.Model):
    """An exemption from the duty to report or cooperate: serious threat, medical or psychological reasons, minor."""

    record = models.ForeignKey(ProtectionRecord, on_delete=models.CASCADE, related_name="exemptions")
    ground = models.CharField(_("ground"), max_length=16, choices=ExemptionGround.choices)
    applied_on = models.DateField(_("requested on"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True, default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True,
                            help_text=_("e.g. the statement of the police or the medical advice it rests on"))

    class Meta:
        ordering = ["applied_on", "id"]
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")

    def __str__(self):
        return f"{self.get_ground_display()} ({self.applied_on})"

    def clean(self):
        errors: dict[str, list] = {}
        if self.decision and not self.decided_on:
            errors["decided_on"] = [_("Give the date of the decision.")]
        if self.decided_on and not self.decision:
            errors["decision"] = [_("Give the decision.")]
        if self.decided_on and self.applied_on and self.decided_on < self.applied_on:
            errors.setdefault("decided_on", []).append(_("The decision lies before the request."))
        if errors:
            raise ValidationError(errors)


class ProtectionEvent(models.Model):
    """The history of a record: one row per change, with who and when and the fields before and after."""

    record = models.ForeignKey(ProtectionRecord, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=32, help_text="opened, details, reflection, cooperation, permit_applied, ...")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record", "at"])]

    def __str__(self):
        return f"{self.record_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class DeadlineKind(models.TextChoices):
    REFLECTION_END = "reflection_end", _("Reflection period ends")
    RENEWAL_DUE = "renewal_due", _("Renewal due")
    PERMIT_EXPIRY = "permit_expiry", _("Permit expires")
    DECISION_PENDING = "decision_pending", _("Decision pending too long")


class Reminder(models.Model):
    """An in-app reminder that a deadline comes near, made once per deadline and step (e.g. 14, 7, 1 days before)
    by the daily task; officers mark it done."""

    record = models.ForeignKey(ProtectionRecord, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    subject = models.CharField(max_length=40, help_text="what the deadline is about, e.g. permit:12")
    due = models.DateField()
    days_before = models.IntegerField(help_text="the reminder step reached (0: the day itself or overdue)")
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "kind", "subject", "due", "days_before"],
                                               name="protection_reminder_once")]
        indexes = [models.Index(fields=["record", "dismissed_at"])]

    def __str__(self):
        return f"{self.record_id} {self.kind} {self.due} ({self.days_before} days before)"


# --- permit actions ------------------------------------------------------------------------------------------------


class FlagAction(models.TextChoices):
    REFUSAL = "refusal", _("Refuse a permit")
    REVOCATION = "revocation", _("Revoke a permit")


class FlagStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REVIEW = "under_review", _("Under review")
    UPHELD = "upheld", _("Upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


# The decision trail: a flag is proposed, reviewed, then upheld or not.
FLAG_STEPS: dict[str, set[str]] = {
    FlagStatus.PROPOSED: {FlagStatus.REVIEW},
    FlagStatus.REVIEW: {FlagStatus.UPHELD, FlagStatus.NOT_UPHELD},
    FlagStatus.UPHELD: set(),
    FlagStatus.NOT_UPHELD: set(),
}


class PermitFlag(models.Model):
    """A proposal to refuse or revoke a permit of a person or a sponsoring organisation, resting on evidence."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, help_text="e.g. VGA-2026-00003")
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="permit_flags",
                              verbose_name=_("owning organisation"))
    action = models.CharField(_("action"), max_length=12, choices=FlagAction.choices)
    subject_name = models.CharField(_("person or organisation"), max_length=300)
    person = models.ForeignKey("register.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("person in a signal"))
    company = models.ForeignKey("register.Company", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("organisation in a signal"))
    entity = models.ForeignKey("linking.Entity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("person or organisation in the graph"))
    permit = models.CharField(_("permit concerned"), max_length=300,
                              help_text=_("e.g. recognised sponsor for labour migrants, or a residence permit for "
                                          "work"))
    summary = models.TextField(_("evidence summary"),
                               help_text=_("What the signals and cases show, in your own words."))
    signals = models.ManyToManyField("register.Signal", blank=True, related_name="+", verbose_name=_("signals"))
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="+", verbose_name=_("cases"))
    status = models.CharField(_("status"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("permit flag")
        verbose_name_plural = _("permit flags")
        indexes = [models.Index(fields=["owner", "status", "-updated_at"])]

    def __str__(self):
        return f"{self.reference} {self.subject_name}"

    def clean(self):
        errors: dict[str, list] = {}
        if not (self.person_id or self.company_id or self.entity_id):
            errors["subject_name"] = [_("Link the flag to the person or organisation as a signal or the graph "
                                        "names them.")]
        if self.person_id and self.person.role == "reporter":
            errors["person"] = [_("A reporter cannot be flagged.")]
        if self.entity_id and self.entity.kind not in ("person", "organisation"):
            errors["entity"] = [_("Choose a person or an organisation of the graph.")]
        if not self.summary.strip():
            errors["summary"] = [_("Summarise the evidence the flag rests on.")]
        if errors:
            raise ValidationError(errors)


class FlagStep(models.Model):
    """One step of a flag's decision trail: who moved it where, when and why."""

    flag = models.ForeignKey(PermitFlag, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=12, choices=FlagStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("why"))
    detail = models.JSONField(default=dict, blank=True, help_text="e.g. the evidence cited when proposed")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="flag_step_has_reason")]

    def __str__(self):
        return f"{self.flag_id} {self.status} {self.at:%Y-%m-%d %H:%M}"
