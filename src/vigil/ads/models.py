"""Online ads as crawlers capture them: one Ad per (site, id), one AdVersion per capture, and what Vigil derives
from them (extractions, indicators, template clusters, networks, alerts).

The capture itself is stored as given (text, contact fields, unknown keys); everything derived can be computed
again from it.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.organisations.models import Organisation


class TemplateCluster(models.Model):
    """Ads written from one template: the same text with names, ages, cities and phones swapped."""

    template = models.TextField(blank=True, help_text="the shared text with slots as ⟨name⟩, ⟨age⟩, ...")
    slots = models.JSONField(default=dict, help_text="slot -> values seen")
    size = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(null=True)
    last_seen = models.DateTimeField(null=True)
    phones = ArrayField(models.CharField(max_length=20), default=list)
    cities = ArrayField(models.CharField(max_length=80), default=list)

    class Meta:
        verbose_name = _("template cluster")

    def __str__(self):
        return f"template {self.pk} ({self.size} ads)"


class AdNetwork(models.Model):
    """Ads connected through shared phones, e-mails, handles, image hashes or template clusters."""

    size = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0, help_text="the highest risk score of its ads, plus its spread")
    phones = ArrayField(models.CharField(max_length=20), default=list)
    cities = ArrayField(models.CharField(max_length=80), default=list)
    first_seen = models.DateTimeField(null=True)
    last_seen = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("ad network")
        indexes = [models.Index(fields=["-score"])]

    def __str__(self):
        return f"network {self.pk} ({self.size} ads)"


class Ad(models.Model):
    """One ad on one site; what the latest capture says is copied here for search and lists."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ads")
    site = models.CharField(_("site"), max_length=200)
    site_ad_id = models.CharField(_("id on the site"), max_length=300)
    first_collected = models.DateTimeField()
    last_collected = models.DateTimeField()
    versions = models.PositiveIntegerField(default=0)
    # from the latest capture
    title = models.TextField(blank=True)
    city = models.CharField(max_length=80, blank=True)
    language = models.CharField(max_length=8, blank=True)
    phones = ArrayField(models.CharField(max_length=20), default=list)
    emails = ArrayField(models.CharField(max_length=254), default=list)
    handles = ArrayField(models.CharField(max_length=200), default=list)
    image_hashes = ArrayField(models.CharField(max_length=16), default=list)
    ages = ArrayField(models.PositiveSmallIntegerField(), default=list)
    indicators = ArrayField(models.CharField(max_length=64), default=list)
    score = models.FloatField(default=0.0)
    keys = ArrayField(models.CharField(max_length=300), default=list,
                      help_text="what links ads into networks: p:phone, e:e-mail, h:platform:handle, i<a><b>:two of "
                                "the four 16-bit parts of an image hash (so hashes a few bits apart still meet)")
    signature = models.BinaryField(null=True, help_text="MinHash signature of the latest text (clusters.py)")
    stop_list = models.PositiveIntegerField(default=0, help_text="version of the boilerplate stop list the signature "
                                            "was made with (0: none)")
    search = SearchVectorField(null=True, help_text="full text of the latest capture ('simple': any language)")
    cluster = models.ForeignKey(TemplateCluster, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="ads")
    network = models.ForeignKey(AdNetwork, null=True, blank=True, on_delete=models.SET_NULL, related_name="ads")

    class Meta:
        verbose_name = _("online ad")
        constraints = [models.UniqueConstraint(fields=["site", "site_ad_id"], name="ad_site_id")]
        # no index on ``keys``: nothing searches it (the key table, AdKey, answers the import's lookups), and it
        # was the costliest of the ads' GIN indexes to build and keep
        indexes = [GinIndex(fields=["phones"], name="ad_phones"), GinIndex(fields=["search"], name="ad_search"),
                   GinIndex(fields=["title"], name="ad_title_trgm", opclasses=["gin_trgm_ops"]),
                   models.Index(fields=["city", "-last_collected"]), models.Index(fields=["-score"])]

    def __str__(self):
        return f"{self.site}/{self.site_ad_id}"


class AdVersion(models.Model):
    """One capture of an ad, kept as given: text changes, reposts and moves stay visible as history."""

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="captures")
    number = models.PositiveIntegerField()
    collected_at = models.DateTimeField()
    posted_at = models.CharField(max_length=40, blank=True)
    url = models.TextField(blank=True)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    location = models.CharField(max_length=300, blank=True)
    given = models.JSONField(default=dict, help_text="contact, poster, stated_age, images, extra and unknown keys")
    content_hash = models.CharField(max_length=32, help_text="of the text and contact fields: a repost has the same")
    extraction = models.JSONField(default=dict, help_text="phones, e-mails, handles, ages, places, prices, language "
                                                          "with where in the text each was found")
    phones = ArrayField(models.CharField(max_length=20), default=list)
    city = models.CharField(max_length=80, blank=True)
    indicators = ArrayField(models.CharField(max_length=64), default=list)
    summary = models.JSONField(default=dict, help_text="trafficking, minor, urgency and priority of the engine's "
                               "reading (the full reading is made again when the capture is shown)")
    score = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("ad capture")
        constraints = [models.UniqueConstraint(fields=["ad", "collected_at"], name="ad_capture_once")]
        indexes = [GinIndex(fields=["phones"], name="adversion_phones"), models.Index(fields=["ad", "number"])]

    def __str__(self):
        return f"{self.ad_id} #{self.number}"


class StopList(models.Model):
    """The boilerplate stop list of the template clusters: word shingles found in more than a tenth of all ads (site
    disclaimers), left out of the signatures. Each new list is a new version; ads signed with an older one are signed
    again by ``vigil ads recluster``."""

    shingles = ArrayField(models.BigIntegerField(), default=list, help_text="64-bit shingle hashes (as signed)")
    texts = models.PositiveIntegerField(default=0, help_text="distinct ad texts it was counted over")
    share = models.FloatField(help_text="a shingle in more than this share of the texts is boilerplate")
    source = models.CharField(max_length=300, blank=True, help_text="where the texts came from")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("boilerplate stop list")

    def __str__(self):
        return f"stop list {self.pk} ({len(self.shingles)} shingles)"


class AdBand(models.Model):
    """The locality-sensitive hash index of the template clusters: one row per band of an ad's signature."""

    band = models.BigIntegerField()
    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, db_constraint=False, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["band"])]  # the ad's own: the foreign key's index

    def __str__(self):
        return f"{self.band} {self.ad_id}"


class AdKey(models.Model):
    """Which network each linking key (phone, e-mail, handle, part of an image hash) belongs to, so a new ad is
    linked by looking up its few keys rather than every ad that shares them."""

    key = models.CharField(max_length=300, unique=True)
    network = models.ForeignKey(AdNetwork, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    image = models.CharField(max_length=16, blank=True, help_text="for image keys: the whole hash first seen")

    def __str__(self):
        return f"{self.key} → {self.network_id}"


class Sighting(models.Model):
    """A phone, template or network seen in a city: the first and last capture there. The timeline of cities."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        TEMPLATE = "template", _("Template")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=64)
    city = models.CharField(max_length=80)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    captures = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "city"], name="sighting_once")]
        indexes = [models.Index(fields=["kind", "key", "first_seen"])]

    def __str__(self):
        return f"{self.kind} {self.key} in {self.city}"


class AdAlert(models.Model):
    """A known number or template turning up in a city where it was not seen before."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Known number in a new city")
        TEMPLATE = "template", _("Known template in a new city")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=64, help_text="the phone (E.164) or the template cluster id")
    city = models.CharField(max_length=80)
    previous_cities = ArrayField(models.CharField(max_length=80), default=list)
    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="alerts")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("ad alert")
        constraints = [models.UniqueConstraint(fields=["kind", "key", "city"], name="ad_alert_once")]
        indexes = [models.Index(fields=["-at"])]

    def __str__(self):
        return f"{self.kind} {self.key} new in {self.city}"


class BulkLoad(models.Model):
    """A bulk load (``ads/bulk.py``): captures and ads stored first, with the heavy indexes dropped, then clusters,
    networks, keys, sightings and alerts made in one pass over everything. While one is not finished, every ads
    import goes on loading into it, and the next one finishes it."""

    class State(models.TextChoices):
        LOADING = "loading", _("Loading")
        FINISHED = "finished", _("Finished")

    state = models.CharField(max_length=10, choices=State.choices, default=State.LOADING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    after_capture = models.BigIntegerField(default=0, help_text="captures with a larger id are this load's (their "
                                           "sightings and alerts are made when it is linked)")
    indexes = models.JSONField(default=list, help_text="the indexes dropped for the load, as CREATE INDEX statements")
    figures = models.JSONField(default=dict, help_text="what linking found and how long each step took")

    class Meta:
        verbose_name = _("bulk load of ads")

    def __str__(self):
        return f"bulk load {self.pk} ({self.state})"


class LoadedText(models.Model):
    """During a bulk load: what an ad's earlier texts link through (keys, image hashes, signature), when a later
    capture in the same load changed them. The incremental import links an ad on every text it was captured with;
    linking a bulk load reads these as well as each ad's latest text, then empties the table."""

    ad = models.ForeignKey(Ad, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    keys = ArrayField(models.CharField(max_length=300), default=list)
    image_hashes = ArrayField(models.CharField(max_length=16), default=list)
    signature = models.BinaryField(null=True)

    def __str__(self):
        return f"earlier text of {self.ad_id}"
