from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "vigil.assessment"
    verbose_name = _("Assessment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vigil.assessment.receivers import on_signals_written
        from vigil.register.events import signals_written

        signals_written.connect(on_signals_written, dispatch_uid="assessment")
