from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vigil.core"
    verbose_name = "Vigil"

    def ready(self):
        from vigil.core import signals  # noqa: F401  (connects the login audit receivers)
