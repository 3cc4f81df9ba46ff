"""The graph of signals, ad networks and what they mention: persons, organisations, addresses, phones, e-mails,
handles, bank accounts, vehicles, identity documents.

Every node is an ``Entity``; a signal and an ad network are nodes too (kind ``signal``, ``ad_network``), so one
table of edges serves every walk through the graph. Each ``Edge`` is given by one source (a signal or an ad network)
and carries its evidence: the field and the value as that source wrote it. Linking a source again replaces exactly
its edges; an entity no source mentions any more is removed.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SIGNAL = "signal", _("Signal")
    AD_NETWORK = "ad_network", _("Ad network")
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    ADDRESS = "address", _("Address")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    HANDLE = "handle", _("Account")
    BANK_ACCOUNT = "iban", _("Bank account")
    VEHICLE = "plate", _("Vehicle")
    DOCUMENT = "document", _("Identity document")
    URL = "url", _("Web address")


SOURCES = (Kind.SIGNAL, Kind.AD_NETWORK)


class Entity(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=400, help_text="normalised identifier: the same key is the same entity")
    label = models.CharField(_("name"), max_length=400)
    variants = ArrayField(models.CharField(max_length=400), default=list,
                          help_text="values as the sources wrote them (up to 30)")
    city = models.CharField(_("city"), max_length=100, blank=True)
    first_seen = models.DateTimeField(null=True)
    last_seen = models.DateTimeField(null=True)
    degree = models.PositiveIntegerField(default=0, help_text="edges at this node")
    network = models.BigIntegerField(null=True, db_index=True,
                                     help_text="connected network: the smallest entity id in it")
    properties = models.JSONField(default=dict, blank=True)
    signal = models.OneToOneField("register.Signal", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="node", help_text="for a signal's node: deleting the signal "
                                  "(retention) removes its node and every edge it gave")

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="entity_kind_key")]
        indexes = [models.Index(fields=["network", "-degree"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"


class Edge(models.Model):
    """One link between two entities as one source gives it, with the evidence."""

    source = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+",
                               help_text="the signal or ad network that gives this link")
    a = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(max_length=32, help_text="mentions, uses, owns, ...")
    evidence = models.JSONField(default=dict, help_text="field, value as given, role")
    at = models.DateTimeField(null=True, help_text="when the source saw it")

    class Meta:
        indexes = [models.Index(fields=["a"]), models.Index(fields=["b"]), models.Index(fields=["source"])]

    def __str__(self):
        return f"{self.a_id} -{self.relation}-> {self.b_id}"


class LinkedSource(models.Model):
    """Which version of a source the graph holds: the full run skips what is up to date (resumable)."""

    node = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="linked")
    version = models.CharField(max_length=64)
    linked_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.node_id} @ {self.version[:12]}"


class Resolved(models.Model):
    """Which cluster resolution put a register row in (the smallest row id of the cluster; its own id when alone)."""

    cluster = models.BigIntegerField(db_index=True)

    class Meta:
        abstract = True


class ResolvedPerson(Resolved):
    person = models.OneToOneField("register.Person", on_delete=models.CASCADE, primary_key=True,
                                  related_name="resolved")

    def __str__(self):
        return f"person {self.person_id} in {self.cluster}"


class ResolvedOrganisation(Resolved):
    """A company row as organisation resolution saw it. Every row it saw is here (alone: its own id), so a row that
    is not is new; the name key and municipality let a new row join its organisation at once (``graph``)."""

    company = models.OneToOneField("register.Company", on_delete=models.CASCADE, primary_key=True,
                                   related_name="resolved")
    name_key = models.CharField(max_length=400, help_text="graph.organisation_key of the name (no KvK)")
    municipality = models.CharField(max_length=100, blank=True, help_text="graph.city_key of its place")

    class Meta:
        indexes = [models.Index(fields=["name_key", "municipality"])]

    def __str__(self):
        return f"company {self.company_id} in {self.cluster}"


class Watch(models.Model):
    """An analyst watches the network of an entity: a new signal or ad network that touches it raises an alert."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="watches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "user"], name="watch_once")]

    def __str__(self):
        return f"{self.user_id} watches {self.entity_id}"


class WatchAlert(models.Model):
    """A source that touched a watched network: which entity of it, when."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="alerts")
    source = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["watch", "source", "entity"], name="watch_alert_once")]
        indexes = [models.Index(fields=["watch", "-at"])]

    def __str__(self):
        return f"{self.source_id} touched {self.entity_id}"


class Verdict(models.TextChoices):
    SAME = "same", _("The same person")
    DIFFERENT = "different", _("Not the same person")
    UNSURE = "unsure", _("Unsure")


class OrganisationVerdict(models.TextChoices):
    SAME = "same", _("The same organisation")
    DIFFERENT = "different", _("Not the same organisation")
    UNSURE = "unsure", _("Unsure")


class Judgement(models.Model):
    """An analyst's judgement on two register rows (``a``, ``b``: in the concrete model); never replaced (the
    latest on a pair counts), always audited."""

    verdict = models.CharField(_("judgement"), max_length=10, choices=Verdict.choices)
    reason = models.TextField(_("reason"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.a_id} {self.verdict} {self.b_id}"


class ScoredPair(models.Model):
    """A pair of register rows (``a``, ``b``) the model scored (linked, or a candidate below the threshold), with
    its explanation per field."""

    probability = models.FloatField()
    weight = models.FloatField()
    linked = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    judgement = models.CharField(max_length=10, blank=True)
    explanation = models.JSONField(default=list, help_text="per field: comparison, level, values, Bayes factor")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.a_id} ~ {self.b_id} ({self.probability:.2f})"


class PersonJudgement(Judgement):
    a = models.ForeignKey("register.Person", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("register.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["a", "b", "-at"])]


class PersonLink(ScoredPair):
    a = models.ForeignKey("register.Person", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("register.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["a"]), models.Index(fields=["b"])]


class OrganisationJudgement(Judgement):
    a = models.ForeignKey("register.Company", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("register.Company", on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(_("judgement"), max_length=10, choices=OrganisationVerdict.choices)

    class Meta:
        indexes = [models.Index(fields=["a", "b", "-at"])]


class OrganisationLink(ScoredPair):
    a = models.ForeignKey("register.Company", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("register.Company", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["a"]), models.Index(fields=["b"])]
