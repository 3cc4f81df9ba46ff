"""Stored readings of the engine and the analysts' reviews of them.

The engine's reading is replaced whenever the signal or the catalogue changes; reviews are never replaced, they
are kept beside it (newest per indicator counts) and shown next to the engine's reading.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.register.models import Form, Signal


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate danger")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class Trafficking(models.TextChoices):
    LIKELY = "likely", _("Likely trafficking")
    POSSIBLE = "possible", _("Possible trafficking")
    UNLIKELY = "unlikely", _("Unlikely")


class Element(models.TextChoices):
    """The legal elements of art. 273f Sr / Palermo Protocol art. 3 an indicator can evidence."""

    ACT = "act", _("Act (recruit, transport, house, receive)")
    MEANS = "means", _("Means (coercion, deception, abuse)")
    PURPOSE = "purpose", _("Purpose (exploitation)")
    VULNERABILITY = "vulnerability", _("Vulnerable position")
    MINOR = "minor", _("Minor")
    NONE = "none", _("No element (smuggling or danger)")


class Family(models.TextChoices):
    """The first part of an indicator id: how the catalogue groups its signs."""

    ACT = "act", _("Act")
    MEANS = "means", _("Means")
    PURPOSE = "purpose", _("Exploitation")
    VULNERABILITY = "vulnerability", _("Vulnerability")
    MINOR = "minor", _("Minors")
    DANGER = "danger", _("Danger")
    SMUGGLING = "smuggling", _("Smuggling")
    AD = "ad", _("Online ads")


class SmugglingReading(models.TextChoices):
    BOTH = "both", _("Trafficking and smuggling")
    SMUGGLING = "smuggling", _("Smuggling signs, no trafficking reading")
    TRAFFICKING = "trafficking", _("Trafficking, no smuggling signs")
    UNCLEAR = "unclear", _("Unclear")
    NEITHER = "neither", _("Neither")


class PriorityPart(models.TextChoices):
    """The parts a priority score is built from (the engine's, or an analyst's own score)."""

    INDICATORS = "indicators", _("indicator weights")
    TRAFFICKING = "trafficking", _("trafficking reading")
    MINOR = "minor", _("minor")
    URGENCY = "urgency", _("urgency")
    ANALYST = "analyst", _("set by an analyst")


class Assessment(models.Model):
    signal = models.OneToOneField(Signal, on_delete=models.CASCADE, primary_key=True, related_name="assessment")
    signal_version = models.PositiveIntegerField()
    catalogue_version = models.CharField(max_length=64)
    computed_at = models.DateTimeField(default=timezone.now)
    reading = models.JSONField()
    trafficking = models.CharField(_("trafficking"), max_length=12, choices=Trafficking.choices)
    minor = models.BooleanField(_("minor"), default=False)
    engine_urgency = models.CharField(max_length=12, choices=Urgency.choices)
    engine_priority = models.PositiveSmallIntegerField()
    # what counts: the engine's reading unless an analyst set it (see service.effective_fields)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priority"))
    forms = ArrayField(models.CharField(max_length=16, choices=Form.choices), default=list, blank=True)

    class Meta:
        verbose_name = _("assessment")
        indexes = [models.Index(fields=["-priority"]), models.Index(fields=["catalogue_version"])]

    def __str__(self):
        return f"{self.signal_id}: {self.trafficking} {self.priority}"


class IndicatorReview(models.Model):
    """An analyst confirms or rejects one indicator on one signal (also one the engine did not find)."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="indicator_reviews")
    indicator = models.CharField(max_length=64)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signal", "indicator", "-at", "-id"]
        indexes = [models.Index(fields=["signal", "indicator", "-at"])]

    def __str__(self):
        return f"{self.signal_id}: {self.indicator} {self.verdict}"


class ReadingReview(models.Model):
    """An analyst sets forms, urgency and priority; empty fields leave the engine's reading in place."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="reading_reviews")
    forms = ArrayField(models.CharField(max_length=16, choices=Form.choices), null=True, blank=True)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signal", "-at", "-id"]

    def __str__(self):
        return f"{self.signal_id}: forms {self.forms} urgency {self.urgency} priority {self.priority}"
