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
    LOOKUP = "lookup", _("Look up identifiers")
    CASES_READ = "cases:read", _("Read cases")
    REFERRALS_READ = "referrals:read", _("Read referrals received")
    REFERRALS_WRITE = "referrals:write", _("Answer referrals received")
    PROTECTION_READ = "protection:read", _("Read victim-protection deadlines (IND)")


PREFIX = "vgl_"


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

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.organisation.slug}/{self.name} ({self.shown}…)"

    @classmethod
    def issue(cls, user, name: str, scopes) -> tuple["ApiToken", str]:
        """A new token for the user; the plain token is returned once and never stored."""
        unknown = set(scopes) - set(Scope.values)
        if unknown:
            raise ValueError(f"unknown scopes: {sorted(unknown)}")
        if user.organisation_id is None:
            raise ValueError(f"{user} belongs to no organisation")
        plain = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, organisation_id=user.organisation_id, name=name, scopes=sorted(scopes),
                                   hash=digest(plain), shown=plain[:10])
        return token, plain
