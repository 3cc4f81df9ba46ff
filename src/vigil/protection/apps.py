from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "vigil.protection"
    verbose_name = _("Victim protection and permits")
    default_auto_field = "django.db.models.BigAutoField"
