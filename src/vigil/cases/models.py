"""Case work: cases built from signals, entities and ads; referrals that pass a chosen part on to a partner.

A case is deny-by-default (DFIR-IRIS): only its members read it (``CaseMember``). Everything done to a case is an
``CaseEvent`` on its timeline, written by ``cases/service.py`` in the same transaction as the change. A referral
carries a frozen copy of exactly what was shared (``Referral.content``, the dossier files), so the receiving
organisation reads that copy and never the case itself.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.organisations.models import Organisation
from vigil.register.models import Form


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATION = "under_investigation", _("Under investigation")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    PROSECUTION = "prosecution", _("Handed to the prosecution service")
    VICTIMS_SUPPORTED = "victims_supported", _("Victims supported, no criminal case")
    NO_OFFENCE = "no_offence", _("No offence found")
    INSUFFICIENT = "insufficient_evidence", _("Insufficient evidence")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Handed over to another organisation")
    MERGED = "merged", _("Merged into another case")
    OTHER = "other", _("Other")


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True, help_text="e.g. ZAAK-2026-00017")
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases",
                              verbose_name=_("owning organisation"))
    status = models.CharField(_("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    forms = ArrayField(models.CharField(max_length=16, choices=Form.choices), default=list, blank=True,
                       verbose_name=_("forms of exploitation"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_cases", verbose_name=_("assignee"))
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_cases", verbose_name=_("merged into"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["owner", "status", "-updated_at"])]

    def __str__(self):
        return f"{self.reference} {self.title}"


class CaseMember(models.Model):
    """Who may open the case. Deny by default: the creator and the assignee are added; members add colleagues."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_member_unique")]
        indexes = [models.Index(fields=["user", "case"])]

    def __str__(self):
        return f"{self.user_id} in {self.case_id}"


class CaseItem(models.Model):
    """One signal, entity or ad in a case. ``via`` says how it came in (e.g. "network 812", "cluster 45")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    signal = models.ForeignKey("register.Signal", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey("linking.Entity", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ad = models.ForeignKey("ads.Ad", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(_("added through"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(signal__isnull=False, entity__isnull=True, ad__isnull=True)
                           | Q(signal__isnull=True, entity__isnull=False, ad__isnull=True)
                           | Q(signal__isnull=True, entity__isnull=True, ad__isnull=False)),
                name="case_item_one_object"),
            models.UniqueConstraint(fields=["case", "signal"], condition=Q(signal__isnull=False),
                                    name="case_item_signal_unique"),
            models.UniqueConstraint(fields=["case", "entity"], condition=Q(entity__isnull=False),
                                    name="case_item_entity_unique"),
            models.UniqueConstraint(fields=["case", "ad"], condition=Q(ad__isnull=False), name="case_item_ad_unique"),
        ]

    def __str__(self):
        kind, pk = next((k, v) for k, v in (("signal", self.signal_id), ("entity", self.entity_id), ("ad", self.ad_id))
                        if v)
        return f"{kind} {pk} in {self.case_id}"


class CaseProposal(models.Model):
    """A new signal or ad network that touches a case's entities, proposed to the case's members; accepted ones
    become items (a signal as a signal, an ad network as its entity in the graph)."""

    class Decision(models.TextChoices):
        OPEN = "", _("Open")
        ACCEPTED = "accepted", _("Added to the case")
        REJECTED = "rejected", _("Not for this case")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposals")
    signal = models.ForeignKey("register.Signal", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ad_network = models.ForeignKey("ads.AdNetwork", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    entities = ArrayField(models.BigIntegerField(), default=list, help_text="the case's entities the source touches")
    proposed_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "signal"], name="case_proposal_unique"),
            models.UniqueConstraint(fields=["case", "ad_network"], condition=Q(ad_network__isnull=False),
                                    name="case_proposal_ad_network_unique"),
            models.CheckConstraint(condition=Q(signal__isnull=False, ad_network__isnull=True)
                                   | Q(signal__isnull=True, ad_network__isnull=False), name="case_proposal_one_source"),
        ]

    def __str__(self):
        source = f"signal {self.signal_id}" if self.signal_id else f"ad network {self.ad_network_id}"
        return f"{source} for {self.case_id}"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    due = models.DateField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="case_tasks", verbose_name=_("assignee"))
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:60]


class Attachment(models.Model):
    """A file kept with a case: stored in the database (no second place to protect, back up and purge)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.name


class CaseEvent(models.Model):
    """The timeline: one row per thing done to a case. ``case_reference`` keeps where it happened through merges."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    case_reference = models.CharField(max_length=32)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=32, help_text="opened, item_added, task_added, status, referred, merged, ...")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.case_reference} {self.kind}"


class Tlp(models.TextChoices):
    """How far the receiver may pass it on (FIRST TLP 2.0)."""

    RED = "red", _("TLP:RED — named recipients only")
    AMBER_STRICT = "amber+strict", _("TLP:AMBER+STRICT — the receiving organisation only")
    AMBER = "amber", _("TLP:AMBER — the receiving organisation and its clients on a need-to-know basis")
    GREEN = "green", _("TLP:GREEN — the community, not public")
    CLEAR = "clear", _("TLP:CLEAR — no limit")


class Pap(models.TextChoices):
    """How the receiver may use it (TheHive's PAP)."""

    RED = "red", _("PAP:RED — no action that could be noticed outside the organisation")
    AMBER = "amber", _("PAP:AMBER — passive checks only")
    GREEN = "green", _("PAP:GREEN — active steps allowed")
    CLEAR = "clear", _("PAP:CLEAR — no limit")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Referral(models.Model):
    """A chosen part of a case passed on to one organisation, with why and under which markings."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(_("reference"), max_length=40, unique=True, help_text="e.g. ZAAK-2026-00017-V1")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_sent")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_received",
                                        verbose_name=_("to organisation"))
    reason = models.TextField(_("why this organisation"))
    tlp = models.CharField(_("sharing (TLP)"), max_length=16, choices=Tlp.choices, default=Tlp.AMBER_STRICT)
    pap = models.CharField(_("use (PAP)"), max_length=8, choices=Pap.choices, default=Pap.AMBER)
    content = models.JSONField(default=dict, help_text="the frozen copy of what was shared: the receiver sees this only")
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["to_organisation", "status", "-sent_at"])]

    def __str__(self):
        return self.reference


class Dossier(models.Model):
    """The files produced for a referral, kept as sent (with their hashes) so what was shared can be shown later."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="dossier")
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    ftm = models.TextField(help_text="FollowTheMoney entities, one JSON object per line")
    ftm_sha256 = models.CharField(max_length=64)
    generated_at = models.DateTimeField(default=timezone.now)
    pages = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"dossier {self.referral_id}"


class FeedbackKind(models.TextChoices):
    INVESTIGATION = "investigation_opened", _("Investigation opened")
    PERSONS_IDENTIFIED = "persons_identified", _("Persons identified")
    ARRESTS = "arrests", _("Arrests")
    VICTIMS_SUPPORTED = "victims_supported", _("Victims supported")
    NO_FURTHER_ACTION = "no_further_action", _("No further action")
    DECLINED = "declined", _("Declined")
    OTHER = "other", _("Other")


class ReferralUpdate(models.Model):
    """What the receiver reports back; the sender sees these on the case and the referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("report"), max_length=24, choices=FeedbackKind.choices)
    count = models.PositiveIntegerField(_("number"), null=True, blank=True, help_text="persons identified, arrests")
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_organisation = models.ForeignKey(Organisation, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.referral_id} {self.kind}"
