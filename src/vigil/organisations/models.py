from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil import normalise
from vigil.organisations.roles import CAPABILITIES, Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        IND = "ind", _("Immigration and Naturalisation Service")
        PROSECUTION = "prosecution", _("Public Prosecution Service")
        LABOUR = "labour_inspectorate", _("Labour Inspectorate")
        MUNICIPALITY = "municipality", _("Municipality")
        NGO = "ngo", _("NGO / care")
        REPORTING_LINE = "reporting_line", _("Reporting line")
        EXPERTISE_CENTRE = "expertise_centre", _("Expertise centre")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    aliases = ArrayField(models.CharField(max_length=200), default=list, blank=True,
                         help_text=_("Other names under which this organisation sends signals."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def name_keys(self) -> set[str]:
        return {normalise.text_key(n) for n in [self.name, self.slug, *self.aliases]}


class User(AbstractUser):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="users", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.ANALYST)

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES.get(self.role, ())
