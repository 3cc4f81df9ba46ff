from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "vigil.cases"
    verbose_name = _("Cases and referrals")
    default_auto_field = "django.db.models.BigAutoField"
