"""The signal register: what each source observed, stored as given and normalised."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.organisations.models import Organisation


class Channel(models.TextChoices):
    PUBLIC_WEB = "public_web_report", _("Public web report")
    PHONE_TIP = "phone_tip", _("Phone tip")
    ANONYMOUS_TIP = "anonymous_tip", _("Anonymous tip")
    INSPECTION = "inspection", _("Inspection")
    IND_OBSERVATION = "ind_observation", _("IND observation")
    PARTNER_REFERRAL = "partner_referral", _("Partner referral")
    POLICE_REPORT = "police_report", _("Police report")
    ONLINE_AD = "online_ad", _("Online ad")
    OTHER = "other", _("Other")


class Form(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    LABOUR = "labour", _("Labour exploitation")
    CRIMINAL = "criminal", _("Criminal exploitation")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    UNKNOWN = "unknown", _("Unknown")


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "in_triage", _("In triage")
    LINKED = "linked", _("Linked")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class Signal(models.Model):
    """One observation by one source at one moment."""

    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    sending_organisation = models.CharField(_("sending organisation"), max_length=200, blank=True)
    sender_key = models.CharField(max_length=200, blank=True, editable=False,
                                  help_text="text_key of the sending organisation; with ref identifies the signal")
    ref = models.CharField(_("reference"), max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_signals",
                              verbose_name=_("owning organisation"))
    received_at = models.DateTimeField(_("received"))
    observed_at = models.DateTimeField(_("observed"), null=True, blank=True)
    observed_date_only = models.BooleanField(default=False)
    narrative = models.TextField(_("narrative"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    forms = ArrayField(models.CharField(max_length=16, choices=Form.choices), default=list, blank=True,
                       verbose_name=_("suspected forms"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    sensitive = models.BooleanField(_("sensitive"), default=False,
                                    help_text=_("Reading requires a stated reason (minors, IND procedures)."))
    source_indicators = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    online = ArrayField(models.CharField(max_length=2000), default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Unknown keys of the source, kept as given.")
    content_hash = models.CharField(max_length=64, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # set explicitly (not auto_now): a public report keeps only its day
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [models.UniqueConstraint(fields=["sender_key", "ref"], name="signal_sender_ref_unique")]
        indexes = [
            models.Index(fields=["owner", "-received_at"]),
            models.Index(fields=["-received_at"]),
            models.Index(fields=["owner", "status", "-received_at"]),
            # queue filters and sorts over everything an organisation may see (own and shared)
            models.Index(fields=["channel", "-received_at"]),
            models.Index(fields=["status", "-received_at"]),
            models.Index(fields=["-urgent", "-received_at"]),
            GinIndex(fields=["forms"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.ref}"


class SignalVersion(models.Model):
    """Each stored state of a signal as the source sent it, so changes keep their history."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    content_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=200, blank=True, help_text="user or import that recorded it")

    class Meta:
        ordering = ["signal", "version"]
        constraints = [models.UniqueConstraint(fields=["signal", "version"], name="signal_version_unique")]

    def __str__(self):
        return f"{self.signal_id} v{self.version}"


class SignalShare(models.Model):
    """Need-to-know: a signal is readable by its owner and by organisations it is shared with."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shared_signals")
    reason = models.TextField(_("reason"))
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["signal", "organisation"], name="signal_share_unique")]
        indexes = [models.Index(fields=["organisation", "signal"])]

    def __str__(self):
        return f"{self.signal_id} → {self.organisation_id}"


class Person(models.Model):
    class PersonRole(models.TextChoices):
        VICTIM = "possible_victim", _("Possible victim")
        SUSPECT = "possible_suspect", _("Possible suspect")
        WITNESS = "witness", _("Witness")
        REPORTER = "reporter", _("Reporter")
        OTHER = "other", _("Other")

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="persons")
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(_("role"), max_length=20, choices=PersonRole.choices, default=PersonRole.OTHER)
    name = models.CharField(_("name"), max_length=300, blank=True)
    name_key = models.CharField(max_length=300, blank=True, help_text="accent- and case-insensitive")
    aliases = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    birth_date_given = models.CharField(_("birth date as given"), max_length=40, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=40, blank=True)
    nationality_given = models.CharField(max_length=100, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    description = models.TextField(_("description"), blank=True)
    problems = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["signal", "position"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [GinIndex(fields=["name_key"], name="person_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.name or str(_("unknown person"))

    @property
    def birth_date_display(self) -> str:
        parts = [f"{self.birth_year:04d}" if self.birth_year else "", f"{self.birth_month:02d}" if self.birth_month else "",
                 f"{self.birth_day:02d}" if self.birth_day else ""]
        return "-".join(p for p in parts if p)


class Address(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="addresses")
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(_("role"), max_length=100, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number_given = models.CharField(_("house number"), max_length=40, blank=True)
    postcode_given = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country_given = models.CharField(max_length=100, blank=True)
    full = models.CharField(_("address as one line"), max_length=500, blank=True)
    street_key = models.CharField(max_length=200, blank=True)
    house_number = models.CharField(max_length=40, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    city_key = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    address_key = models.CharField(max_length=300, blank=True, db_index=True)
    problems = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["signal", "position"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        indexes = [
            GinIndex(fields=["street_key"], name="address_street_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["postcode", "house_number"]),
        ]

    def __str__(self):
        if self.full and not self.street:
            return self.full
        line = " ".join(p for p in [self.street, self.house_number_given] if p)
        place = " ".join(p for p in [self.postcode_given, self.city] if p)
        return ", ".join(p for p in [line, place, self.country_given] if p)


class Identifier(models.Model):
    """A phone, e-mail, IBAN, plate, document, handle, URL or registration number, as given and normalised."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        IBAN = "iban", _("Bank account")
        PLATE = "plate", _("Vehicle plate")
        DOCUMENT = "document", _("Identity document")
        HANDLE = "handle", _("Handle")
        URL = "url", _("URL")
        REGISTRATION = "registration", _("Company registration")

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="identifiers")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers")
    company = models.ForeignKey("Company", null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value_given = models.CharField(_("as given"), max_length=2000)
    value = models.CharField(_("normalised"), max_length=2000)
    valid = models.BooleanField(default=True)
    problem = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    detail = models.JSONField(default=dict, blank=True, help_text="e.g. document type, vehicle description")

    class Meta:
        ordering = ["signal", "kind", "id"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        indexes = [models.Index(fields=["kind", "value"]), models.Index(fields=["value"])]

    def __str__(self):
        return self.value_given


class Company(models.Model):
    """An organisation mentioned in a signal (employer, agency, landlord), not a Vigil user organisation."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="companies")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=300)
    name_key = models.CharField(max_length=300, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    country = models.CharField(max_length=2, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["signal", "position"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [GinIndex(fields=["name_key"], name="company_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.name
