from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    EXPORT = "export", _("Exported")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    SHARE = "share", _("Shared")
    REVIEW = "review", _("Reviewed")
    IMPORT = "import", _("Imported")
    DENIED = "denied", _("Access refused")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")


class AuditEntry(models.Model):
    """One line of the append-only audit log.

    A database trigger refuses UPDATE and DELETE; each entry also carries the
    hash of its predecessor so that ``vigil audit verify`` notices an entry
    changed or removed by someone who got past the trigger.
    No foreign keys: the log must outlive the users and objects it names.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(_("user"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object"), max_length=100, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self):
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_type} {self.object_id}"
