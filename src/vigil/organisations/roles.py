"""Roles and what each may do. One table, so the access test can walk it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INTAKE = "intake_operator", _("Intake operator")
    ANALYST = "analyst", _("Analyst")
    INVESTIGATOR = "investigator", _("Investigator")
    IND_OFFICER = "ind_officer", _("IND officer")
    PARTNER = "partner", _("Partner")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Capabilities per role. Reading signals is further limited per object by
# need-to-know (vigil.register.access): own organisation or shared with it.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.INTAKE: frozenset({"read_signals", "intake", "review"}),
    Role.ANALYST: frozenset({"read_signals", "intake", "search", "share", "review"}),
    Role.INVESTIGATOR: frozenset({"read_signals", "intake", "search", "share", "review"}),
    Role.IND_OFFICER: frozenset({"read_signals", "intake", "search"}),
    Role.PARTNER: frozenset({"read_signals", "search"}),
    Role.PRIVACY_OFFICER: frozenset({"audit"}),
    Role.ADMINISTRATOR: frozenset({"admin"}),
}


def can(user, capability: str) -> bool:
    return bool(user.is_authenticated and capability in CAPABILITIES.get(user.role, ()))
