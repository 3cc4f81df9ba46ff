"""API tokens. A token belongs to one user of one organisation (often a service account of a partner system) and
carries scopes that narrow what that user may do through the API. Only a SHA-256 of the token is stored: tokens are
256-bit random, so a slow hash adds nothing; the first characters are kept to recognise a token in lists."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.organisations.models import Organisation


class Scope(models.TextChoices):
    SIGNALS_WRITE = "signals:write", _("Submit signals")
    SIGNALS_READ = "signals:read", _("Read signals the organisation may see")
    LOOKUP = "lookup", _("Look up identifiers")
    CASES_READ = "cases:read", _("Read cases")
    REFERRALS_READ = "referrals:read", _("Read referrals received")
    REFERRALS_WRITE = "referrals:write", _("Answer referrals received")
    PROTECTION_READ = "protection:read", _("Read victim-protection deadlines (IND)")


# The capability of the token's user each scope relies on (vigil.organisations.roles): a scope never gives a user
# more than the role does. ``vigil api token create`` refuses a scope the role cannot use; requests check it again,
# since a role can change after the token was made.
SCOPE_NEEDS = {
    Scope.SIGNALS_WRITE: "intake",
    Scope.SIGNALS_READ: "read_signals",
    Scope.LOOKUP: "search",
    Scope.CASES_READ: "cases",
    Scope.REFERRALS_READ: None,  # received ones need receive_referrals, sent ones case membership
    Scope.REFERRALS_WRITE: "receive_referrals",
    Scope.PROTECTION_READ: "protection",
}

PREFIX = "vgl_"
REQUESTS_PER_MINUTE = 600
SIGNALS_PER_MINUTE = 6000
LOOKUPS_PER_MINUTE = 60


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses it."))
    scopes = ArrayField(models.CharField(max_length=32, choices=Scope.choices), default=list)
    hash = models.CharField(max_length=64, unique=True)
    shown = models.CharField(max_length=12, help_text="the first characters, to recognise the token")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"), default=REQUESTS_PER_MINUTE)
    signals_per_minute = models.PositiveIntegerField(_("signals submitted per minute"), default=SIGNALS_PER_MINUTE)
    lookups_per_minute = models.PositiveIntegerField(_("lookups per minute"), default=LOOKUPS_PER_MINUTE)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.organisation.slug}/{self.name} ({self.shown}…)"

    @classmethod
    def issue(cls, user, name: str, scopes, **limits) -> tuple["ApiToken", str]:
        """A new token for the user; the plain token is returned once and never stored. ``limits`` may set
        requests_per_minute, signals_per_minute and lookups_per_minute."""
        unknown = set(scopes) - set(Scope.values)
        if unknown:
            raise ValueError(f"unknown scopes: {sorted(unknown)}")
        if user.organisation_id is None:
            raise ValueError(f"{user} belongs to no organisation")
        plain = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, organisation_id=user.organisation_id, name=name, scopes=sorted(scopes),
                                   hash=digest(plain), shown=plain[:10], **limits)
        return token, plain


class RateCount(models.Model):
    """Requests of one token in one minute, per limit ("requests", "signals", "lookups"). Shared by every gunicorn
    worker (one upsert per request), so the limit holds whatever the number of processes; the table is UNLOGGED
    (a crash may forget the current minute's counts, which is harmless) and each token keeps only its current
    minutes (vigil.api.limits)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    bucket = models.CharField(max_length=16)
    minute = models.BigIntegerField(help_text="minutes since the epoch")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "bucket", "minute"], name="api_ratecount_unique")]

    def __str__(self):
        return f"{self.token_id} {self.bucket} {self.minute}: {self.used}"
