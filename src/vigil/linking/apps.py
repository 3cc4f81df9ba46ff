from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkingConfig(AppConfig):
    name = "vigil.linking"
    verbose_name = _("Linking and networks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vigil.linking.receivers import on_signals_written
        from vigil.register.events import signals_written

        signals_written.connect(on_signals_written, dispatch_uid="linking")
