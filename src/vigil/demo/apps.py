from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "vigil.demo"
    verbose_name = "Demo world"
