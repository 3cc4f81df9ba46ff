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
# need-to-know (vigil.register.access): own organisation or shared with it. Cases are
# further limited to their members (vigil.cases.access), received referrals to the
# receiving organisation; victim protection and permit actions are IND's alone.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.INTAKE: frozenset({"read_signals", "intake", "review"}),
    Role.ANALYST: frozenset({"read_signals", "intake", "search", "share", "review", "cases", "refer",
                             "receive_referrals", "statistics"}),
    Role.INVESTIGATOR: frozenset({"read_signals", "intake", "search", "share", "review", "cases", "refer",
                                  "receive_referrals", "statistics"}),
    Role.IND_OFFICER: frozenset({"read_signals", "intake", "search", "cases", "refer", "receive_referrals",
                                 "protection", "permits", "statistics"}),
    Role.PARTNER: frozenset({"read_signals", "search", "receive_referrals"}),
    Role.PRIVACY_OFFICER: frozenset({"audit", "statistics"}),
    Role.ADMINISTRATOR: frozenset({"admin", "api_tokens"}),
}


def can(user, capability: str) -> bool:
    return bool(user.is_authenticated and capability in CAPABILITIES.get(user.role, ()))
